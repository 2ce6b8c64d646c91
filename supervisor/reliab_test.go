//go:build linux

package supervisor

import (
	"bytes"
	"context"
	"encoding/json"
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
// tweak, if set, adjusts the timings after fastTuning.
func startHarnessLogged(t *testing.T, dir string, tweak ...func(*tuning)) (*harness, *syncBuffer) {
	t.Helper()
	buf := &syncBuffer{}
	h := &harness{t: t, dir: dir, mark: newMark()}
	cfg := Config{StateDir: dir, Logger: slog.New(slog.NewTextHandler(buf, nil))}
	cfg.tweak = func(tu *tuning) {
		rt := &Runtime{tune: *tu}
		fastTuning(rt)
		*tu = rt.tune
		for _, f := range tweak {
			f(tu)
		}
	}
	rt, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
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

// TestCyclicStateRefused: a state.json edited by hand into a cycle of
// needs is refused with the cycle named, and the file is left as it is.
func TestCyclicStateRefused(t *testing.T) {
	dir := tempStateDir(t)
	state := `{"version":1,"services":[` +
		`{"name":"a","cmd":"true","needs":["b"],"stopped":false},` +
		`{"name":"b","cmd":"true","needs":["c"],"stopped":false},` +
		`{"name":"c","cmd":"true","needs":["a"],"stopped":false}]}` + "\n"
	path := filepath.Join(dir, "state.json")
	if err := os.WriteFile(path, []byte(state), 0o600); err != nil {
		t.Fatal(err)
	}
	rt, err := New(Config{StateDir: dir, Logger: quietLogger()})
	if err == nil {
		rt.Shutdown(context.Background())
		t.Fatal("a cyclic state.json was accepted")
	}
	if !strings.Contains(err.Error(), "dependency cycle: a → b → c → a") {
		t.Fatalf("error %q does not name the cycle", err)
	}
	if b, _ := os.ReadFile(path); string(b) != state {
		t.Fatalf("state.json changed: %s", b)
	}
	// The lock was released: once the file is fixed, the directory opens.
	if err := os.WriteFile(path, []byte(strings.Replace(state, `"needs":["a"]`, `"needs":[]`, 1)), 0o600); err != nil {
		t.Fatal(err)
	}
	rt, err = New(Config{StateDir: dir, Logger: quietLogger()})
	if err != nil {
		t.Fatal(err)
	}
	rt.Shutdown(context.Background())
}

// TestCorruptStateKept: a truncated or garbled state.json is refused with
// a clear error, and kept as it was: nothing is silently dropped.
func TestCorruptStateKept(t *testing.T) {
	good := `{"version":1,"services":[{"name":"a","cmd":"sleep","args":["1"],"stopped":false}]}`
	for name, content := range map[string]string{
		"truncated": good[:len(good)/2],
		"garbage":   "\x00\x01not json at all",
		"empty":     "",
	} {
		t.Run(name, func(t *testing.T) {
			dir := tempStateDir(t)
			path := filepath.Join(dir, "state.json")
			if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
				t.Fatal(err)
			}
			rt, err := New(Config{StateDir: dir, Logger: quietLogger()})
			if err == nil {
				rt.Shutdown(context.Background())
				t.Fatal("a corrupt state.json was accepted")
			}
			if !strings.Contains(err.Error(), "state.json") || !strings.Contains(err.Error(), "move it aside") {
				t.Fatalf("unclear error %q", err)
			}
			if b, _ := os.ReadFile(path); string(b) != content {
				t.Fatalf("state.json changed: %q", b)
			}
		})
	}
}

// TestFailedSaveRetried: a state write that fails is tried again on its
// own, without waiting for the next change, and reported once.
func TestFailedSaveRetried(t *testing.T) {
	dir := tempStateDir(t)
	h, log := startHarnessLogged(t, dir)
	path := filepath.Join(dir, "state.json")
	// A directory where the file goes: the rename onto it fails, for root too.
	os.Remove(path)
	if err := os.MkdirAll(filepath.Join(path, "block"), 0o700); err != nil {
		t.Fatal(err)
	}
	// The change itself is safe in the journal: only the full write fails.
	h.put("a", h.req("sleep", "3600"), 0)
	waitFor(t, "the failure to be reported", 15*time.Second, func() bool {
		return strings.Contains(log.String(), "cannot save the state")
	})
	time.Sleep(time.Second) // several retries fail meanwhile
	if n := strings.Count(log.String(), "cannot save the state"); n != 1 {
		t.Fatalf("the failure was reported %d times:\n%s", n, log.String())
	}
	if err := os.RemoveAll(path); err != nil {
		t.Fatal(err)
	}
	// No change from here on: the retry alone must write the file.
	waitFor(t, "state.json to be written again", 15*time.Second, func() bool {
		st, err := loadState(path)
		return err == nil && len(st.Services) == 1 && st.Services[0].Name == "a" && st.Services[0].Proc != nil
	})
	waitFor(t, "the recovery to be reported", 5*time.Second, func() bool {
		return strings.Contains(log.String(), "state saved again")
	})
}

// TestLeftoverOfAnotherBootIgnored: a record of a run from another boot of
// the machine is never acted on, even when a live group matches it (its
// pid and start time were counted afresh since the reboot); a record of
// this boot is.
func TestLeftoverOfAnotherBootIgnored(t *testing.T) {
	if thisBoot() == "" {
		t.Skip("no boot id on this machine")
	}
	for _, tc := range []struct {
		boot string
		kill bool
	}{{"00000000-another-boot", false}, {thisBoot(), true}} {
		t.Run(fmt.Sprint(tc.kill), func(t *testing.T) {
			dir := tempStateDir(t)
			mark := newMark()
			t.Cleanup(func() { assertNoProcesses(t, mark) })
			rec := startGroup(t, mark, "exec sleep 3600")
			rec.Boot = tc.boot
			st := stateFile{Version: stateVersion, Services: []savedService{{Name: "old", Stopped: true,
				definition: definition{Cmd: "sleep", Args: []string{"3600"}}, Proc: &rec}}}
			b, _ := json.Marshal(st)
			if err := os.WriteFile(filepath.Join(dir, "state.json"), b, 0o600); err != nil {
				t.Fatal(err)
			}
			rt, err := New(Config{StateDir: dir, Logger: quietLogger()})
			if err != nil {
				t.Fatal(err)
			}
			defer rt.Shutdown(context.Background())
			if err := rt.Boot(context.Background()); err != nil {
				t.Fatal(err)
			}
			if alive := groupAlive(rec.PGID); alive == tc.kill {
				t.Fatalf("record of boot %q: group alive %v after boot", tc.boot, alive)
			}
			if !tc.kill {
				_ = signalGroup(rec.PGID, 9)
			}
		})
	}
}

// TestStopOfWaitingServiceReportsStopped: a stop of a service that only
// waits — for its crash restart, or for a need — answers stopping and
// stopped, as a stop of a running one does.
func TestStopOfWaitingServiceReportsStopped(t *testing.T) {
	h, _ := startHarnessLogged(t, tempStateDir(t), func(tu *tuning) { tu.backoffBase, tu.backoffCap = time.Minute, time.Minute })
	h.put("crash", h.sh("exit 3"), 0)
	waitFor(t, "a restart to be pending", 15*time.Second, func() bool {
		s := h.get("crash")
		return s.State.Status == client.StatusFailed && !s.State.NextRestartAt.IsZero()
	})
	if evs := h.stopSvc("crash", time.Second); find(evs, client.EventStopped) == nil {
		t.Fatalf("stop of a service waiting to restart: %v", types(evs))
	}
	if s := h.get("crash"); s.State.Status != client.StatusStopped || !s.State.NextRestartAt.IsZero() {
		t.Fatalf("after the stop: %+v", s.State)
	}

	port := freePort(t)
	slow := h.req("sleep", "3600") // never listens
	slow.HTTPPort = &port
	h.put("slow", slow, 0)
	dep := h.req("sleep", "3600")
	dep.Needs = []string{"slow"}
	h.put("dep", dep, 0) // the window ends while it waits
	if s := h.get("dep"); s.State.Status != client.StatusStarting {
		t.Fatalf("dep %+v", s.State)
	}
	if evs := h.stopSvc("dep", time.Second); find(evs, client.EventStopped) == nil {
		t.Fatalf("stop of a service waiting for a need: %v", types(evs))
	}
	h.stopSvc("slow", time.Second)
}

// TestUnchangedPutKeepsRestartCount: repeating a definition is not a fresh
// start; the crash count stays.
func TestUnchangedPutKeepsRestartCount(t *testing.T) {
	h := startHarness(t)
	r := h.sh("sleep 0.2; exit 1")
	h.put("flaky", r, 0)
	var before int
	waitFor(t, "two crash restarts", 15*time.Second, func() bool {
		before = h.get("flaky").State.RestartCount
		return before >= 2
	})
	h.put("flaky", r, 0)
	if n := h.get("flaky").State.RestartCount; n < before {
		t.Fatalf("an unchanged PUT reset restart_count from %d to %d", before, n)
	}
	// A changed one is a fresh start.
	r.Args[1] = "sleep 3600"
	h.put("flaky", r, 0)
	if n := h.get("flaky").State.RestartCount; n != 0 {
		t.Fatalf("a changed PUT kept restart_count %d", n)
	}
}

// TestLeaderKeptUntilGroupEmpty: a leader that exits before its group is
// kept unreaped (a zombie) until the group is empty, so that its pid — the
// group id — cannot be taken by a new process while signals may still go
// to the group.
func TestLeaderKeptUntilGroupEmpty(t *testing.T) {
	h, _ := startHarnessLogged(t, tempStateDir(t), func(tu *tuning) { tu.crashGrace = 3 * time.Second })
	// The member ignores TERM: only the KILL after the grace ends it.
	h.put("lead", h.sh(`trap '' TERM; sleep 3600 & sleep 0.3; exit 0`), 0)
	leader := h.get("lead").State.PID
	waitFor(t, "the leader to exit while its group lives", 10*time.Second, func() bool {
		st, err := readProcStat(leader)
		if err != nil {
			t.Fatalf("the leader was reaped while its group lives: %v", err)
		}
		return st.state == 'Z'
	})
	if !groupAlive(leader) {
		t.Fatal("the group ended before the check")
	}
	waitFor(t, "the leader to be reaped once the group is empty", 15*time.Second, func() bool {
		_, err := readProcStat(leader)
		return err != nil
	})
}
