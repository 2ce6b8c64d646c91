//go:build linux

package supervisor

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sprites-mcp/sprites-mcp/client"
)

// syncBuffer is a log destination tests read while the runtime writes.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// startHarnessLogged is startHarness with the runtime's log kept.
func startHarnessLogged(t *testing.T, dir string) (*harness, *syncBuffer) {
	t.Helper()
	buf := &syncBuffer{}
	h := &harness{t: t, dir: dir, mark: newMark()}
	rt, err := New(Config{StateDir: dir, Logger: slog.New(slog.NewTextHandler(buf, nil))})
	if err != nil {
		t.Fatal(err)
	}
	fastTuning(rt)
	ln, err := rt.listen()
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	go rt.serveOn(ctx, ln)
	if err := rt.Boot(ctx); err != nil {
		t.Fatal(err)
	}
	h.rt, h.stop = rt, cancel
	h.c = newClient(t, rt.SocketPath(), client.PathSprites)
	t.Cleanup(func() { h.shutdown(); assertNoProcesses(t, h.mark) })
	return h, buf
}

// TestLogCloseLeavesNoGoroutine: a closed log keeps no goroutine (the
// rotating writer used before kept one per log for ever).
func TestLogCloseLeavesNoGoroutine(t *testing.T) {
	dir := t.TempDir()
	before := runtime.NumGoroutine()
	for i := 0; i < 20; i++ {
		o := newOutput(filepath.Join(dir, fmt.Sprintf("s%d.log", i)), 1, quietLogger())
		o.write([]byte("line\n"), nil)
		o.close()
	}
	time.Sleep(100 * time.Millisecond)
	if after := runtime.NumGoroutine(); after > before+2 {
		t.Fatalf("%d goroutines before, %d after closing 20 logs", before, after)
	}
}

// TestLogDiskFull: a log on a full disk does not stop the service; the
// failure is reported once, not once per line. It needs a 1 MiB tmpfs,
// which only root can mount.
func TestLogDiskFull(t *testing.T) {
	dir := tempStateDir(t)
	logs := filepath.Join(dir, "logs", "services")
	if err := os.MkdirAll(logs, 0o700); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", logs).CombinedOutput(); err != nil {
		t.Skipf("cannot mount a 1 MiB tmpfs for the full disk (needs root): %v %s", err, out)
	}
	t.Cleanup(func() { _ = exec.Command("umount", "-l", logs).Run() })
	h, log := startHarnessLogged(t, dir)
	line := strings.Repeat("f", 200)
	// 3 MiB into a 1 MiB disk, then the service lives on and keeps writing.
	h.put("full", h.sh(`yes `+line+` | head -n 15000; while :; do echo still; sleep 0.05; done`), 0)
	waitFor(t, "the full disk to be reported", 30*time.Second, func() bool {
		return strings.Contains(log.String(), "cannot write a service's log")
	})
	time.Sleep(500 * time.Millisecond)
	if s := h.get("full"); s.State.Status != client.StatusRunning || s.State.RestartCount != 0 {
		t.Fatalf("the service suffered from the full disk: %+v", s.State)
	}
	// The stream still gets the output.
	st, err := h.c.Logs(context.Background(), "local", "full", client.LogsOptions{Follow: 500 * time.Millisecond})
	if out := dataOf(events(t, st, err), client.EventStdout); !strings.Contains(out, "still") {
		t.Fatalf("followed output %q", out)
	}
	if n := strings.Count(log.String(), "cannot write a service's log"); n != 1 {
		t.Fatalf("the full disk was reported %d times:\n%s", n, log.String())
	}
}
