package supervisor

import (
	"context"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

// discardLogger keeps this file free of the Linux-only test helpers.
var discardLogger = slog.New(slog.NewTextHandler(io.Discard, nil))

// fakeState is a map of services standing in for a runtime.
type fakeState struct {
	graph sync.Mutex // the runtime's r.mu
	mu    sync.Mutex
	svcs  map[string]savedService
}

func (f *fakeState) set(name, cmd string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.svcs[name] = savedService{Name: name, definition: definition{Cmd: cmd}}
}

func (f *fakeState) snapshot() stateFile {
	f.mu.Lock()
	defer f.mu.Unlock()
	st := stateFile{Version: stateVersion}
	for _, s := range f.svcs {
		st.Services = append(st.Services, s)
	}
	return st
}

func (f *fakeState) record(name string) *savedService {
	f.mu.Lock()
	defer f.mu.Unlock()
	if s, ok := f.svcs[name]; ok {
		return &s
	}
	return nil
}

func cmdOf(t *testing.T, path, name string) string {
	t.Helper()
	st, _, err := loadPersisted(path, discardLogger)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range st.Services {
		if s.Name == name {
			return s.Cmd
		}
	}
	return ""
}

// TestSaverWithoutJournal: when the journal cannot be written, a change
// waits for a full write of state.json instead, and the journal comes back
// after it.
func TestSaverWithoutJournal(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.json")
	f := &fakeState{svcs: map[string]savedService{}}
	s := makeSaver(path, 0, 0, discardLogger, &f.graph, f.snapshot, f.record)
	// Changes the journal takes wait for no full write: were a waiter
	// not hurried, it would wait for the test's deadline.
	s.quiet, s.most = time.Hour, time.Hour
	go s.loop()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()

	f.set("a", "one")
	if err := s.wait(ctx, s.changed("a")); err != nil {
		t.Fatal(err)
	}
	if got := cmdOf(t, path, "a"); got != "one" {
		t.Fatalf("after a journaled change: %q", got)
	}

	// Break the journal under the saver: the next append fails.
	s.mu.Lock()
	s.journal.Close()
	s.mu.Unlock()
	f.set("a", "two")
	if err := s.wait(ctx, s.changed("a")); err != nil {
		t.Fatalf("a change the journal could not take: %v (a full write was not hurried)", err)
	}
	if st, err := loadState(path); err != nil || len(st.Services) != 1 || st.Services[0].Cmd != "two" {
		t.Fatalf("state.json after a change the journal could not take: %+v %v", st, err)
	}

	// The full write started a new journal: changes are appended again.
	s.mu.Lock()
	ok := s.journal != nil && s.unjournaled == 0
	s.mu.Unlock()
	if !ok {
		t.Fatal("the journal did not come back after a full write")
	}
	f.set("b", "three")
	if err := s.wait(ctx, s.changed("b")); err != nil {
		t.Fatal(err)
	}
	if got := cmdOf(t, path, "b"); got != "three" {
		t.Fatalf("b after the journal came back: %q", got)
	}
	if err := s.close(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(journalPathOf(path)); !os.IsNotExist(err) {
		t.Errorf("the journal outlived a clean close: %v", err)
	}
	if st, _ := loadState(path); len(st.Services) != 2 {
		t.Errorf("state.json after close: %+v", st)
	}
}
