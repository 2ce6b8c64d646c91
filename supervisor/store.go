package supervisor

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"
)

// stateFile is <state>/state.json: every definition, whether it was
// explicitly stopped, and the process group it last ran as (to kill
// leftovers after a crash of the runtime).
type stateFile struct {
	Version  int            `json:"version"`
	Services []savedService `json:"services"`
}

// savedService is one service in state.json: its definition (inlined, so
// the file's keys are the wire's: cmd, args, env, dir, needs, http_port),
// its desired state and its last run.
type savedService struct {
	Name string `json:"name"`
	definition
	// Stopped is the sticky explicit stop: such a service stays down at boot.
	Stopped bool        `json:"stopped"`
	Proc    *procRecord `json:"proc,omitempty"`
}

// procRecord names a run for ever: a pid with its start time (a reused pid
// has another) and its process group, in one boot of the machine (after a
// reboot, pids and start times begin again and name other processes).
type procRecord struct {
	PID       int    `json:"pid"`
	PGID      int    `json:"pgid"`
	StartTime uint64 `json:"start_time"`
	// Boot names the boot the run belongs to (bootID); empty in records
	// written before it was kept.
	Boot string `json:"boot,omitempty"`
}

const stateVersion = 1

func loadState(path string) (stateFile, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return stateFile{Version: stateVersion}, nil
	}
	if err != nil {
		return stateFile{}, fmt.Errorf("read %s: %w", path, err)
	}
	var st stateFile
	if err := json.Unmarshal(b, &st); err != nil {
		return stateFile{}, fmt.Errorf("parse %s: %w (move it aside to start with no services)", path, err)
	}
	if st.Version > stateVersion {
		return stateFile{}, fmt.Errorf("%s has version %d; this sprites-mcp reads up to %d: upgrade it", path, st.Version, stateVersion)
	}
	if err := checkSavedNeeds(st); err != nil {
		return stateFile{}, fmt.Errorf("%s: %w (the file is left as it is: fix it, or move it aside to start with no services)", path, err)
	}
	return st, nil
}

// checkSavedNeeds refuses a state file (edited by hand) whose needs form a
// cycle: its services could never start, and every later update would be
// refused for a cycle it did not make.
func checkSavedNeeds(st stateFile) error {
	needs := make(map[string][]string, len(st.Services))
	names := make([]string, 0, len(st.Services))
	for _, ss := range st.Services {
		needs[ss.Name] = ss.Needs
		names = append(names, ss.Name)
	}
	slices.Sort(names)
	for _, n := range names {
		if cyc := findCycle(n, func(m string) []string { return needs[m] }); cyc != nil {
			return fmt.Errorf("dependency cycle: %s", strings.Join(cyc, " → "))
		}
	}
	return nil
}

// writeFileAtomic replaces path with data: temp file, fsync, rename, so a
// crash leaves the old file or the new one, never a mix. The caller syncs
// the directory (syncDir) to make the rename itself durable.
func writeFileAtomic(path string, data []byte) error {
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, ".state-*.tmp")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	tmp := f.Name()
	defer os.Remove(tmp) // no-op after the rename
	if _, err := f.Write(data); err != nil {
		f.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return fmt.Errorf("sync %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("replace %s: %w", path, err)
	}
	return nil
}

// syncDir makes the renames in dir durable across a power loss.
func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync()
		d.Close()
	}
}

// saver writes state.json from one goroutine, coalescing bursts: 200
// services created at once cost a few writes, not 200 fsyncs. A caller that
// needs its change on disk before it answers waits for the write that
// includes it.
type saver struct {
	path     string
	snapshot func() stateFile
	log      *slog.Logger

	mu      sync.Mutex
	want    uint64        // changes made
	saved   uint64        // changes on disk
	lastErr error         // error of the last write
	wake    chan struct{} // one token: "want moved"
	written chan struct{} // closed and replaced after every write
	stop    chan struct{}
	stopped chan struct{}
}

// A failed write is tried again after saveRetryMin, doubling up to
// saveRetryMax, until one succeeds: a full disk that frees up must not wait
// for the next change to get the state on disk.
const (
	saveRetryMin = 100 * time.Millisecond
	saveRetryMax = 30 * time.Second
)

func newSaver(path string, snapshot func() stateFile, log *slog.Logger) *saver {
	s := &saver{path: path, snapshot: snapshot, log: log, wake: make(chan struct{}, 1),
		written: make(chan struct{}), stop: make(chan struct{}), stopped: make(chan struct{})}
	go s.loop()
	return s
}

// changed records a change and returns its number, for wait.
func (s *saver) changed() uint64 {
	s.mu.Lock()
	s.want++
	n := s.want
	s.mu.Unlock()
	select {
	case s.wake <- struct{}{}:
	default:
	}
	return n
}

// wait blocks until change n is on disk, and returns the error of the
// write that covered it.
func (s *saver) wait(ctx context.Context, n uint64) error {
	for {
		s.mu.Lock()
		saved, err, ch := s.saved, s.lastErr, s.written
		s.mu.Unlock()
		if saved >= n {
			return err
		}
		select {
		case <-ch:
		case <-s.stopped:
			return errors.New("state is no longer saved: the runtime is shutting down")
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// sync records a change and waits for it to be on disk.
func (s *saver) sync(ctx context.Context) error { return s.wait(ctx, s.changed()) }

func (s *saver) loop() {
	defer close(s.stopped)
	var retry <-chan time.Time
	delay := saveRetryMin
	for {
		select {
		case <-s.wake:
		case <-retry:
		case <-s.stop:
			s.flush()
			return
		}
		if s.flush() != nil {
			retry = time.After(delay)
			delay = min(2*delay, saveRetryMax)
		} else {
			retry, delay = nil, saveRetryMin
		}
	}
}

// flush writes the current snapshot if anything changed since the last
// write, or the last write failed. The change number is read before the
// snapshot is taken, so the snapshot contains at least those changes. A
// failure is logged once, and the first success after it once.
func (s *saver) flush() error {
	s.mu.Lock()
	target, prevErr := s.want, s.lastErr
	if target == s.saved && prevErr == nil {
		s.mu.Unlock()
		return nil
	}
	s.mu.Unlock()
	data, err := json.Marshal(s.snapshot())
	if err == nil {
		err = writeFileAtomic(s.path, append(data, '\n'))
	}
	s.mu.Lock()
	s.saved, s.lastErr = target, err
	close(s.written)
	s.written = make(chan struct{})
	s.mu.Unlock()
	switch {
	case err != nil && prevErr == nil:
		s.log.Error("cannot save the state: trying again until it works", "err", err)
	case err == nil && prevErr != nil:
		s.log.Info("state saved again", "path", s.path)
	}
	if err != nil {
		return err
	}
	// After the waiters go: the file's content is already synced and the
	// rename survives any crash of this process; only a power loss in the
	// next moment could bring back the previous (whole) file.
	syncDir(filepath.Dir(s.path))
	return nil
}

// close writes what is pending and stops the goroutine.
func (s *saver) close() error {
	close(s.stop)
	<-s.stopped
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.lastErr
}
