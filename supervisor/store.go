package supervisor

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// stateFile is <state>/state.json: every definition, whether it was
// explicitly stopped, and the process group it last ran as (to kill
// leftovers after a crash of the runtime).
type stateFile struct {
	Version  int            `json:"version"`
	Services []savedService `json:"services"`
	// JournalSeq is the last change of state.journal this file includes
	// (saver.go): records up to it are replayed no more.
	JournalSeq uint64 `json:"journal_seq,omitempty"`
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
