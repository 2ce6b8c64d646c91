//go:build linux

package supervisor

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/sprites-mcp/sprites-mcp/client"
)

// Services whose processes leave the group: each must leave no process
// after its stop.
var escapers = []struct {
	name, script string
	procs        int // live processes once it runs
}{
	{"setsid", `setsid sleep 1000 & exec sleep 3600`, 2},
	// The middle shell exits: its setsid child is re-parented (to the
	// runtime, a subreaper) and only its run tag ties it to the service.
	{"doublefork", `sh -c 'setsid sleep 1000 & exit 0'; exec sleep 3600`, 2},
	// An escaped grandchild holds the output pipes open.
	{"pipes", `setsid sh -c 'while :; do echo held; sleep 1; done' & exec sleep 3600`, 3},
	{"bomb", `i=0; while [ $i -lt 100 ]; do if [ $((i % 2)) = 0 ]; then setsid sleep 1000 & else sleep 1000 & fi; i=$((i+1)); done; exec sleep 3600`, 101},
}

// zombieChildren counts exited, unreaped children of this process.
func zombieChildren() int {
	n := 0
	for _, e := range readProcessTable() {
		if e.ppid == os.Getpid() && e.zombie {
			n++
		}
	}
	return n
}

func TestNoProcessEscapesStop(t *testing.T) {
	for _, tc := range escapers {
		t.Run(tc.name, func(t *testing.T) {
			h := startHarness(t)
			zombies := zombieChildren()
			h.put(tc.name, h.sh(tc.script), 0)
			waitFor(t, "the processes", 15*time.Second, func() bool { return len(markedProcesses(h.mark)) >= tc.procs })
			begin := time.Now()
			evs := h.stopSvc(tc.name, 5*time.Second)
			if find(evs, client.EventStopped) == nil {
				t.Fatalf("stop: %v", types(evs))
			}
			if took := time.Since(begin); took > 10*time.Second {
				t.Errorf("stop took %s", took)
			}
			if left := markedProcesses(h.mark); len(left) != 0 {
				t.Fatalf("left after the stop: %v", left)
			}
			// The orphans re-parented to us were reaped, not left as zombies.
			if z := zombieChildren(); z > zombies+2 {
				t.Fatalf("%d zombie children before, %d after", zombies, z)
			}
		})
	}
}

// TestNoProcessEscapesCrash: what a crashed run left outside its group
// ends with it.
func TestNoProcessEscapesCrash(t *testing.T) {
	h, _ := startHarnessLogged(t, tempStateDir(t), func(tu *tuning) { tu.backoffBase, tu.backoffCap = time.Minute, time.Minute })
	h.put("c", h.sh(`setsid sleep 1000 & sh -c 'setsid sleep 1000 & exit 0'; sleep 0.5; exit 1`), 0)
	waitFor(t, "the crash", 15*time.Second, func() bool { return h.get("c").State.Status == client.StatusFailed })
	if left := markedProcesses(h.mark); len(left) != 0 {
		t.Fatalf("left after the crash: %v", left)
	}
}

// TestNoProcessEscapesKilledRuntime: a runtime process is SIGKILLed; what
// its services put outside their groups ends too (the watchdog was told of
// it by the periodic scan).
func TestNoProcessEscapesKilledRuntime(t *testing.T) {
	dir := tempStateDir(t)
	mark := newMark()
	t.Cleanup(func() { assertNoProcesses(t, mark) })
	host := startHost(t, dir)
	c := newClient(t, filepath.Join(dir, "api.sock"), client.PathSprites)
	for _, tc := range escapers {
		st, err := c.Put(t.Context(), "local", tc.name, client.ServiceRequest{Cmd: "sh", Args: []string{"-c", tc.script},
			Env: map[string]string{markEnv: mark}}, 0)
		events(t, st, err)
	}
	waitFor(t, "the processes", 15*time.Second, func() bool { return len(markedProcesses(mark)) >= 2+2+3+101 })
	time.Sleep(2*escapeScanEvery + time.Second) // a scan has told the watchdog
	if err := host.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = host.Wait()
	waitFor(t, "every process of the services to end", 20*time.Second, func() bool {
		return len(markedProcesses(mark)) == 0
	})
}

// TestRuntimeCrashKeepsState: a runtime SIGKILLed with services running
// leaves no process; the next one finds state.json as it was (definitions
// and explicit stops) and brings back every service not explicitly
// stopped.
func TestRuntimeCrashKeepsState(t *testing.T) {
	dir := tempStateDir(t)
	mark := newMark()
	t.Cleanup(func() { assertNoProcesses(t, mark) })
	host := startHost(t, dir)
	c := newClient(t, filepath.Join(dir, "api.sock"), client.PathSprites)
	put := func(name, script string, needs ...string) {
		st, err := c.Put(t.Context(), "local", name, client.ServiceRequest{Cmd: "sh", Args: []string{"-c", script},
			Env: map[string]string{markEnv: mark}, Needs: needs}, 0)
		events(t, st, err)
	}
	put("db", "exec sleep 3600")
	put("web", "sleep 3600 & exec sleep 3600", "db")
	put("daemon", "setsid sleep 1000 & exec sleep 3600")
	put("off", "exec sleep 3600")
	st, err := c.Stop(t.Context(), "local", "off", time.Second)
	events(t, st, err)
	waitFor(t, "the processes", 15*time.Second, func() bool { return len(markedProcesses(mark)) == 5 })
	before, err := loadState(filepath.Join(dir, "state.json"))
	if err != nil {
		t.Fatal(err)
	}

	if err := host.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = host.Wait()
	waitFor(t, "no process of the services", 20*time.Second, func() bool { return len(markedProcesses(mark)) == 0 })

	after, err := loadState(filepath.Join(dir, "state.json"))
	if err != nil {
		t.Fatal(err)
	}
	if len(after.Services) != len(before.Services) {
		t.Fatalf("state.json lost services: %+v", after.Services)
	}
	for i, s := range after.Services {
		b := before.Services[i]
		if s.Name != b.Name || !s.definition.equal(b.definition) || s.Stopped != b.Stopped {
			t.Fatalf("state.json changed: %+v, was %+v", s, b)
		}
	}

	rt, err := New(Config{StateDir: dir, Logger: quietLogger()})
	if err != nil {
		t.Fatal(err)
	}
	defer rt.Shutdown(t.Context())
	if err := rt.Boot(t.Context()); err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string]Status{"db": StatusRunning, "web": StatusRunning, "daemon": StatusRunning, "off": StatusStopped} {
		if v := rt.lookup(name).view(); v.State.Status != want {
			t.Errorf("%s after the crash: %s, want %s", name, v.State.Status, want)
		}
	}
}

// TestForkThreadIsNotTheMainThread: the runs' leaders are forked off the
// main thread, whose children list every stop reads for orphans. With them
// on it, a stop read every run's leader: the fork thread had landed on the
// main thread in BenchmarkStop200 (200 leaders in the list) and whenever
// this test ran first in its process.
func TestForkThreadIsNotTheMainThread(t *testing.T) {
	var onMain bool
	onForkThread(func(threadFiles) { onMain = onMainThread() })
	if onMain {
		t.Fatal("the fork thread is the main thread")
	}
}
