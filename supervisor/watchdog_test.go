//go:build linux

package supervisor

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/sprites-mcp/sprites-mcp/client"
)

// watchdogsOf lists the watchdogs whose parent is pid.
func watchdogsOf(pid int) []int {
	want := []byte(watchdogEnv + "=" + watchdogProtocol + "\x00")
	names, _ := filepath.Glob("/proc/[0-9]*")
	var out []int
	for _, n := range names {
		b, err := os.ReadFile(n + "/stat")
		if err != nil {
			continue
		}
		i := bytes.LastIndexByte(b, ')')
		f := bytes.Fields(b[i+1:])
		if len(f) < 2 || f[0][0] == 'Z' || string(f[1]) != strconv.Itoa(pid) {
			continue
		}
		if env, err := os.ReadFile(n + "/environ"); err == nil && bytes.Contains(append(env, 0), want) {
			w, _ := strconv.Atoi(filepath.Base(n))
			out = append(out, w)
		}
	}
	return out
}

// waitWatchdogOf waits for the one watchdog of process pid other than not.
func waitWatchdogOf(t *testing.T, pid, not int) int {
	t.Helper()
	var wd int
	waitFor(t, "the watchdog", 15*time.Second, func() bool {
		ws := watchdogsOf(pid)
		if len(ws) == 1 && ws[0] != not {
			wd = ws[0]
		}
		return wd != 0
	})
	return wd
}

// gone reports whether pid is dead (or a zombie).
func gone(pid int) bool {
	st, err := readProcStat(pid)
	return err != nil || st.state == 'Z'
}

// putOrphanMakers starts two services whose groups outlive a leader: one
// with a grandchild, one whose processes ignore SIGTERM (so only the KILL
// after the grace ends it).
func putOrphanMakers(t *testing.T, c *client.Client, mark string) {
	t.Helper()
	for name, script := range map[string]string{
		"grand":  "sleep 3600 & exec sleep 3600",
		"stubby": "trap '' TERM; sleep 3600 & sleep 3600",
	} {
		req := client.ServiceRequest{Cmd: "sh", Args: []string{"-c", script}, Env: map[string]string{markEnv: mark}}
		st, err := c.Put(context.Background(), "local", name, req, 0)
		events(t, st, err)
	}
	waitFor(t, "five processes", 10*time.Second, func() bool { return len(markedProcesses(mark)) == 5 })
}

// TestWatchdogEndsServicesOfKilledRuntime is the guarantee macOS relies
// on, run here: a runtime process is SIGKILLed and no process of its
// services is left, whole groups included. With Pdeathsig off it is the
// macOS path exactly; with it on (Linux), the watchdog also ends what the
// leaders forked, which Pdeathsig never reaches.
func TestWatchdogEndsServicesOfKilledRuntime(t *testing.T) {
	for _, pdeath := range []bool{false, true} {
		t.Run(fmt.Sprintf("pdeathsig=%v", pdeath), func(t *testing.T) {
			var env []string
			if !pdeath {
				env = append(env, helperNoPdeathEnv+"=1")
			}
			dir, host, mark, wd := watchedRuntime(t, env...)

			// TERM at once, KILL after the 2 s grace for the TERM-ignoring one.
			killHostWatchdogEnds(t, host, mark, wd)
			b, _ := os.ReadFile(filepath.Join(dir, "logs", "watchdog.log"))
			if !strings.Contains(string(b), "the runtime is gone") || !strings.Contains(string(b), "signal=KILL") {
				t.Fatalf("watchdog log:\n%s", b)
			}
		})
	}
}

// TestWatchdogReplacedWhenKilled: a watchdog killed while its runtime lives
// is replaced by one told every live group, which then does the job.
func TestWatchdogReplacedWhenKilled(t *testing.T) {
	_, host, mark, first := watchedRuntime(t, helperNoPdeathEnv+"=1")
	if err := syscall.Kill(first, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	second := waitWatchdogOf(t, host.Process.Pid, first)
	if len(markedProcesses(mark)) != 5 {
		t.Fatal("killing the watchdog touched the services")
	}
	killHostWatchdogEnds(t, host, mark, second)
}

// TestWatchdogQuietAtCleanShutdown: a shutdown stops the services itself;
// the watchdog then exits without a word (Shutdown waits up to 5 s for it;
// the test allows more, for a loaded machine).
func TestWatchdogQuietAtCleanShutdown(t *testing.T) {
	h := startHarness(t)
	if h.rt.watch.watchdogPID() != 0 {
		t.Fatal("a watchdog runs with no service")
	}
	h.put("a", h.sh("sleep 3600 & exec sleep 3600"), 0)
	wd := h.rt.watch.watchdogPID()
	if wd == 0 {
		t.Fatal("no watchdog once a service runs")
	}
	h.stopSvc("a", 5*time.Second)
	h.start("a", 0)
	if got := h.rt.watch.watchdogPID(); got != wd {
		t.Fatalf("watchdog %d, then %d: one is enough", wd, got)
	}
	h.shutdown()
	waitFor(t, "the watchdog to exit and be reaped", 15*time.Second, func() bool {
		return errors.Is(syscall.Kill(wd, 0), syscall.ESRCH)
	})
	b, err := os.ReadFile(filepath.Join(h.dir, "logs", "watchdog.log"))
	if err != nil || len(b) != 0 {
		t.Fatalf("watchdog log %q %v", b, err)
	}
}

// startGroup starts `sh -c script` as a process group of its own and
// returns its record.
func startGroup(t *testing.T, mark, script string) procRecord {
	t.Helper()
	cmd := exec.Command("sh", "-c", script)
	cmd.Env = append(os.Environ(), markEnv+"="+mark)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go cmd.Wait() // reap, as the runtime would
	st, err := processStartTime(cmd.Process.Pid)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = signalGroup(cmd.Process.Pid, syscall.SIGKILL) })
	return procRecord{PID: cmd.Process.Pid, PGID: cmd.Process.Pid, StartTime: st}
}

// TestWatchdogMainEndsKnownGroupsAtEOF runs the watchdog's loop in this
// process: at the end of its lifeline it ends the groups it was told of,
// and spares those it was told are over.
func TestWatchdogMainEndsKnownGroupsAtEOF(t *testing.T) {
	mark, spared := newMark(), newMark()
	a := startGroup(t, mark, "sleep 3600 & exec sleep 3600")
	b := startGroup(t, spared, "exec sleep 3600")
	t.Cleanup(func() { assertNoProcesses(t, mark) })
	waitFor(t, "the processes", 5*time.Second, func() bool {
		return len(markedProcesses(mark)) == 2 && len(markedProcesses(spared)) == 1
	})
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	var log bytes.Buffer
	done := make(chan int)
	go func() { done <- watchdogMain(r, &log, os.Getppid()) }() // no run of this test is tagged with it
	msgs := lifelineAdd(a) + lifelineAdd(b) + "nonsense\n" + lifelineRemove(b.PGID)
	if _, err := w.WriteString(msgs); err != nil {
		t.Fatal(err)
	}
	select {
	case <-done:
		t.Fatal("the watchdog returned while its lifeline holds")
	case <-time.After(200 * time.Millisecond):
	}
	if len(markedProcesses(mark)) != 2 {
		t.Fatal("the watchdog acted while its lifeline holds")
	}
	w.Close()
	select {
	case code := <-done:
		if code != 0 {
			t.Fatalf("exit code %d", code)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("the watchdog did not return at the end of its lifeline")
	}
	r.Close()
	if left := markedProcesses(mark); len(left) != 0 {
		t.Fatalf("left: %v", left)
	}
	if len(markedProcesses(spared)) != 1 {
		t.Fatal("a group the watchdog was told is over was killed")
	}
	if !strings.Contains(log.String(), `unknown message`) {
		t.Fatalf("log: %s", log.String())
	}
}

func TestLifelineMessagesRefuseBadInput(t *testing.T) {
	groups := map[int]procRecord{}
	if err := applyLifelineLine(groups, strings.TrimSpace(lifelineAdd(procRecord{PID: 10, PGID: 10, StartTime: 7}))); err != nil {
		t.Fatal(err)
	}
	for _, bad := range []string{"", "+ 10 10", "+ 1 1 5", "+ x 10 5", "+ 10 10 -5", "+ 99999999999 10 5",
		"- ", "- y", "* 10", "+ 0 0 0", "- 10 10"} {
		if err := applyLifelineLine(groups, bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
	if len(groups) != 1 || groups[10] != (procRecord{PID: 10, PGID: 10, StartTime: 7}) {
		t.Fatalf("bad input changed the groups: %v", groups)
	}
	if err := applyLifelineLine(groups, "- 10"); err != nil || len(groups) != 0 {
		t.Fatalf("remove: %v %v", err, groups)
	}
}

// TestWatchdogOfAnotherProtocolExits: a binary asked to be a watchdog of a
// protocol it does not speak exits at once instead of running as itself.
func TestWatchdogOfAnotherProtocolExits(t *testing.T) {
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), watchdogEnv+"=999")
	out, err := cmd.CombinedOutput()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 2 || !strings.Contains(string(out), `protocol "999"`) {
		t.Fatalf("exit %v, output %q", err, out)
	}
}

// TestWatchdogIgnoresStopSignals: the TERM, INT and HUP that a terminal or
// a `kill` of every sprites-mcp sends do not end the watchdog; it still
// ends the services when its runtime dies.
func TestWatchdogIgnoresStopSignals(t *testing.T) {
	_, host, mark, wd := watchedRuntime(t, helperNoPdeathEnv+"=1")
	// Until its start has run, a new process has the default actions.
	waitFor(t, "the watchdog to ignore TERM, INT and HUP", 10*time.Second, func() bool {
		return ignoresSignals(wd, syscall.SIGTERM, syscall.SIGINT, syscall.SIGHUP)
	})
	for _, sig := range []syscall.Signal{syscall.SIGTERM, syscall.SIGINT, syscall.SIGHUP} {
		if err := syscall.Kill(wd, sig); err != nil {
			t.Fatal(err)
		}
	}
	time.Sleep(300 * time.Millisecond)
	if gone(wd) {
		t.Fatal("the watchdog ended on a stop signal")
	}
	killHostWatchdogEnds(t, host, mark, wd)
}

// watchedRuntime starts a runtime host (with env added to its
// environment) on a fresh state directory, with putOrphanMakers' services
// running, and returns the directory, the host, the services' mark and the
// pid of the host's watchdog.
func watchedRuntime(t *testing.T, env ...string) (dir string, host *hostProc, mark string, wd int) {
	t.Helper()
	dir = tempStateDir(t)
	mark = newMark()
	t.Cleanup(func() { assertNoProcesses(t, mark) })
	host = startHost(t, dir, env...)
	putOrphanMakers(t, newClient(t, filepath.Join(dir, "api.sock"), client.PathSprites), mark)
	return dir, host, mark, waitWatchdogOf(t, host.Process.Pid, 0)
}

// killHostWatchdogEnds SIGKILLs the runtime's host, then waits until the
// watchdog wd has ended every process of the services (marked mark) and
// exited itself.
func killHostWatchdogEnds(t *testing.T, host *hostProc, mark string, wd int) {
	t.Helper()
	if err := host.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = host.Wait()
	waitFor(t, "every process of the services to end", 15*time.Second, func() bool {
		return len(markedProcesses(mark)) == 0
	})
	waitFor(t, "the watchdog to exit", 10*time.Second, func() bool { return gone(wd) })
}

// ignoresSignals reports whether process pid ignores every one of sigs
// (the SigIgn mask of /proc/<pid>/status).
func ignoresSignals(pid int, sigs ...syscall.Signal) bool {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return false
	}
	for _, line := range strings.Split(string(b), "\n") {
		if mask, ok := strings.CutPrefix(line, "SigIgn:"); ok {
			m, err := strconv.ParseUint(strings.TrimSpace(mask), 16, 64)
			if err != nil {
				return false
			}
			for _, s := range sigs {
				if m&(1<<(uint(s)-1)) == 0 {
					return false
				}
			}
			return true
		}
	}
	return false
}
