//go:build linux

package supervisor

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"syscall"
	"testing"
	"time"

	"github.com/sprites-mcp/sprites-mcp/client"
)

// TestAnsweredChangesSurviveSIGKILL: every answered change (create, sticky
// stop, delete, new definition) is what the next runtime loads, even when
// the runtime is killed right after the last answer, before any full write
// of state.json could happen.
func TestAnsweredChangesSurviveSIGKILL(t *testing.T) {
	dir := tempStateDir(t)
	mark := newMark()
	t.Cleanup(func() { assertNoProcesses(t, mark) })
	host := startHost(t, dir)
	c := newClient(t, filepath.Join(dir, "api.sock"), client.PathSprites)
	ctx := context.Background()
	put := func(name string, needs ...string) {
		req := client.ServiceRequest{Cmd: "sleep", Args: []string{"3600"}, Needs: needs, Env: map[string]string{markEnv: mark}}
		st, err := c.Put(ctx, "local", name, req, 0)
		events(t, st, err)
	}
	// Let a first full write happen, so that the journal has to be
	// replayed on top of an older state.json.
	put("a")
	waitFor(t, "a first full write", 10*time.Second, func() bool {
		st, err := loadState(filepath.Join(dir, "state.json"))
		return err == nil && len(st.Services) == 1 && st.Services[0].Proc != nil
	})
	put("b", "a")
	put("c")
	put("gone")
	st, err := c.Stop(ctx, "local", "c", time.Second)
	events(t, st, err)
	if err := c.Delete(ctx, "local", "gone"); err != nil {
		t.Fatal(err)
	}
	put("a") // unchanged
	req := client.ServiceRequest{Cmd: "sleep", Args: []string{"3601"}, Env: map[string]string{markEnv: mark}}
	st, err = c.Put(ctx, "local", "d", req, 0)
	events(t, st, err)
	bPID := 0
	if s, err := c.Get(ctx, "local", "b"); err == nil {
		bPID = s.State.PID
	}

	if err := host.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = host.Wait()
	// The watchdog ends the services of the killed runtime.
	waitFor(t, "the watchdog to end the services", 10*time.Second, func() bool { return len(markedProcesses(mark)) == 0 })

	got, _, err := loadPersisted(filepath.Join(dir, "state.json"), quietLogger())
	if err != nil {
		t.Fatal(err)
	}
	byName := map[string]savedService{}
	var names []string
	for _, s := range got.Services {
		byName[s.Name] = s
		names = append(names, s.Name)
	}
	slices.Sort(names)
	if !slices.Equal(names, []string{"a", "b", "c", "d"}) {
		t.Fatalf("services %v, want a b c d", names)
	}
	if !byName["c"].Stopped || byName["a"].Stopped || byName["b"].Stopped {
		t.Errorf("sticky stops: %+v", got.Services)
	}
	if !slices.Equal(byName["b"].Needs, []string{"a"}) || !slices.Equal(byName["d"].Args, []string{"3601"}) {
		t.Errorf("definitions: %+v", got.Services)
	}
	if p := byName["b"].Proc; p == nil || p.PID != bPID {
		t.Errorf("b's run %+v, want pid %d: leftovers could not be found", p, bPID)
	}
	if byName["c"].Proc != nil {
		t.Errorf("c was stopped, yet a run is recorded: %+v", byName["c"].Proc)
	}
}

// TestJournalReplay: records already in state.json are skipped, later ones
// applied in order, and a torn last line ends the replay.
func TestJournalReplay(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "state.json")
	state := `{"version":1,"journal_seq":2,"services":[{"name":"x","cmd":"old","stopped":false},{"name":"z","cmd":"z","stopped":false}]}` + "\n"
	journal := `{"seq":1,"deleted":"x"}` + "\n" + // already in state.json
		`{"seq":3,"service":{"name":"y","cmd":"y","stopped":true}}` + "\n" +
		`{"seq":4,"deleted":"z"}` + "\n" +
		`{"seq":5,"service":{"name":"x","cmd":"new","stopped":false}}` + "\n" +
		`{"seq":6,"service":{"name":"w","cm` // torn
	if err := os.WriteFile(path, []byte(state), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "state.journal"), []byte(journal), 0o600); err != nil {
		t.Fatal(err)
	}
	st, last, err := loadPersisted(path, quietLogger())
	if err != nil {
		t.Fatal(err)
	}
	if last != 5 {
		t.Errorf("last change %d, want 5", last)
	}
	var got []string
	for _, s := range st.Services {
		got = append(got, s.Name+"="+s.Cmd)
	}
	if !slices.Equal(got, []string{"x=new", "y=y"}) {
		t.Fatalf("services %v", got)
	}
	if !st.Services[1].Stopped {
		t.Error("y lost its sticky stop")
	}
}
