//go:build linux

package supervisor

import (
	"context"
	"errors"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/sprites-mcp/sprites-mcp/client"
)

// deleteSlowly deletes service name in the background; the service ignores
// TERM, so the delete holds its op lock for the whole stop grace.
func (h *harness) deleteSlowly(name string) <-chan error {
	done := make(chan error, 1)
	go func() { done <- h.c.Delete(context.Background(), "local", name) }()
	return done
}

// A start or restart that waited for the op lock of a service while a
// delete held it must not start the deleted service again: that process
// would belong to no service and Shutdown would wait for it forever.
func TestStartAfterConcurrentDeleteIsRefused(t *testing.T) {
	for _, op := range []string{"start", "restart"} {
		t.Run(op, func(t *testing.T) {
			h := startHarness(t)
			h.rt.tune.stopGrace = 2 * time.Second
			h.put("a", h.sh(`trap "" TERM; exec sleep 3600`), 0)
			deleted := h.deleteSlowly("a")
			time.Sleep(300 * time.Millisecond) // the delete holds the lock now
			var err error
			if op == "start" {
				_, err = h.c.Start(context.Background(), "local", "a", 0)
			} else {
				_, err = h.c.Restart(context.Background(), "local", "a", 0)
			}
			if !client.IsNotFound(err) {
				t.Fatalf("%s of a deleted service: %v, want not found", op, err)
			}
			if err := <-deleted; err != nil {
				t.Fatalf("delete: %v", err)
			}
			time.Sleep(200 * time.Millisecond)
			if left := markedProcesses(h.mark); len(left) != 0 {
				t.Fatalf("a process of the deleted service runs: %v", left)
			}
		})
	}
}

// A need on a service being deleted is refused: once the delete has
// checked that nothing needs the service, a PUT must not add a need on it
// (it would dangle once the delete ends, or bring the service back as an
// orphan process).
func TestNeedOnServiceBeingDeletedIsRefused(t *testing.T) {
	h := startHarness(t)
	h.rt.tune.stopGrace = 2 * time.Second
	h.put("a", h.sh(`trap "" TERM; exec sleep 3600`), 0)
	deleted := h.deleteSlowly("a")
	time.Sleep(300 * time.Millisecond) // the delete is stopping a now
	b := h.req("sleep", "3600")
	b.Needs = []string{"a"}
	st, err := h.c.Put(context.Background(), "local", "b", b, 0)
	if err == nil {
		st.Close()
	}
	var ae *client.APIError
	if !errors.As(err, &ae) || ae.StatusCode != 400 || !strings.Contains(err.Error(), `needs "a", which is not defined`) {
		t.Fatalf("put b needing a while a is deleted: %v, want 400 naming a", err)
	}
	if err := <-deleted; err != nil {
		t.Fatalf("delete: %v", err)
	}
	if _, err := h.c.Get(context.Background(), "local", "b"); !client.IsNotFound(err) {
		t.Fatalf("get b: %v, want not found", err)
	}
	time.Sleep(200 * time.Millisecond)
	if left := markedProcesses(h.mark); len(left) != 0 {
		t.Fatalf("a process of the deleted service runs: %v", left)
	}
}

// An explicit stop is sticky: a crash restart of a dependent must not start
// the stopped need again, and says why it cannot run. An explicit start of
// the dependent does start the need.
func TestCrashRestartKeepsStoppedNeedStopped(t *testing.T) {
	h := startHarness(t)
	h.put("a", h.req("sleep", "3600"), 0)
	b := h.sh(`sleep 0.5; exit 3`)
	b.Needs = []string{"a"}
	h.put("b", b, 0)
	h.stopSvc("a", 5*time.Second)
	var s *client.Service
	waitFor(t, "b to fail on its stopped need", 15*time.Second, func() bool {
		s = h.get("b")
		return s.State.Status == client.StatusFailed && strings.Contains(s.State.Error, `need "a" is stopped`)
	})
	time.Sleep(500 * time.Millisecond) // no later restart may start a either
	if a := h.get("a"); a.State.Status != client.StatusStopped || a.State.PID != 0 {
		t.Fatalf("a after b's crash restart: %s pid %d, want stopped", a.State.Status, a.State.PID)
	}
	h.start("b", 0)
	h.waitStatus("a", client.StatusRunning)
}

// A run that exits on its own between a stop's status change and its TERM
// is a requested stop, not a crash: no restart is armed, and the service
// reads stopped, so a second stop is refused (409).
func TestStopRacingExitIsAStop(t *testing.T) {
	h := startHarness(t)
	h.put("a", h.req("sleep", "3600"), 0)
	s := h.rt.lookup("a")
	if err := s.lock(context.Background()); err != nil {
		t.Fatal(err)
	}
	s.mu.Lock()
	p := s.cur
	s.mu.Unlock()
	// The emit callback runs after haltLocked released s.mu and before it
	// signals: the run dies right there, on its own.
	emit := func(ev Event) {
		if ev.Type != evStopping {
			return
		}
		_ = syscall.Kill(-p.pid, syscall.SIGKILL)
		<-p.done
	}
	_, err := s.haltLocked(5*time.Second, emit, true)
	s.unlock()
	if err != nil {
		t.Fatal(err)
	}
	time.Sleep(3 * h.rt.tune.backoffCap) // a wrongly armed restart fires meanwhile
	if got := h.get("a"); got.State.Status != client.StatusStopped || !got.State.NextRestartAt.IsZero() {
		t.Fatalf("a after the stop: %s, next restart %v, want stopped", got.State.Status, got.State.NextRestartAt)
	}
	if _, err := h.c.Stop(context.Background(), "local", "a", time.Second); !client.IsConflict(err) {
		t.Fatalf("second stop: %v, want 409", err)
	}
}

// Shutdown gives up when its ctx ends, even if a run never ends, and still
// releases the socket.
func TestShutdownHonoursItsDeadline(t *testing.T) {
	h := startHarness(t)
	rt := h.rt
	rt.runs.Add(1) // a run that never reports its end
	defer rt.runs.Done()
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	begin := time.Now()
	err := rt.Shutdown(ctx)
	h.stop()
	h.rt = nil
	if took := time.Since(begin); took > 10*time.Second {
		t.Fatalf("shutdown took %s past a 1s deadline", took)
	}
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("shutdown: %v, want the deadline error", err)
	}
	if _, serr := os.Stat(rt.SocketPath()); !os.IsNotExist(serr) {
		t.Fatalf("socket still there after shutdown: %v", serr)
	}
}
