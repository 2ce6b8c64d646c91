//go:build unix

package main

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// processesWith lists the pids whose environment carries SMCP_TEST_MARK
// set to one of marks (the environment survives exec and shells, unlike a
// command line). It reads /proc, so it finds nothing where there is none
// (macOS): there the leftover check is void, not failing.
func processesWith(marks ...string) []int {
	var pids []int
	entries, _ := os.ReadDir("/proc")
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		environ, err := os.ReadFile(filepath.Join("/proc", e.Name(), "environ"))
		if err != nil {
			continue
		}
		for kv := range strings.SplitSeq(string(environ), "\x00") {
			if v, ok := strings.CutPrefix(kv, "SMCP_TEST_MARK="); ok && slices.Contains(marks, v) {
				pids = append(pids, pid)
				break
			}
		}
	}
	return pids
}

// killLeftovers waits up to within for every process carrying one of
// marks to end; those that do not are killed, and returned.
func killLeftovers(within time.Duration, marks ...string) []int {
	deadline := time.Now().Add(within)
	for {
		left := processesWith(marks...)
		if len(left) == 0 {
			return nil
		}
		if time.Now().After(deadline) {
			for _, pid := range left {
				syscall.Kill(pid, syscall.SIGKILL)
			}
			return left
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// diedOfSIGPIPE reports whether err is the exit of a process killed by
// SIGPIPE.
func diedOfSIGPIPE(err error) bool {
	var ee *exec.ExitError
	if !errors.As(err, &ee) {
		return false
	}
	ws, ok := ee.Sys().(syscall.WaitStatus)
	return ok && ws.Signaled() && ws.Signal() == syscall.SIGPIPE
}

// terminate sends SIGTERM and waits for the exit; past within it kills.
func terminate(cmd *exec.Cmd, within time.Duration) error {
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		return err
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		return err
	case <-time.After(within):
		cmd.Process.Kill()
		<-done
		return errors.New("the server did not exit within " + within.String() + " of SIGTERM (killed)")
	}
}
