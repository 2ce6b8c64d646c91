package supervisor

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
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
// has another) and its process group.
type procRecord struct {
	PID       int    `json:"pid"`
	PGID      int    `json:"pgid"`
	StartTime uint64 `json:"start_time"`
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
	return st, nil
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

	mu      sync.Mutex
	want    uint64        // changes made
	saved   uint64        // changes on disk
	lastErr error         // error of the last write
	wake    chan struct{} // one token: "want moved"
	written chan struct{} // closed and replaced after every write
	stop    chan struct{}
	stopped chan struct{}
}

func newSaver(path string, snapshot func() stateFile) *saver {
	s := &saver{path: path, snapshot: snapshot, wake: make(chan struct{}, 1),
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
	for {
		select {
		case <-s.wake:
		case <-s.stop:
			s.flush()
			return
		}
		s.flush()
	}
}

// flush writes the current snapshot if anything changed since the last
// write. The change number is read before the snapshot is taken, so the
// snapshot contains at least those changes.
func (s *saver) flush() {
	s.mu.Lock()
	target := s.want
	if target == s.saved {
		s.mu.Unlock()
		return
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
	// After the waiters go: the file's content is already synced and the
	// rename survives any crash of this process; only a power loss in the
	// next moment could bring back the previous (whole) file.
	syncDir(filepath.Dir(s.path))
}

// close writes what is pending and stops the goroutine.
func (s *saver) close() error {
	close(s.stop)
	<-s.stopped
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.lastErr
}
