//go:build linux

package supervisor

import (
	"context"
	"net"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sprites-mcp/sprites-mcp/client"
)

func TestBackoffScheduleDefault(t *testing.T) {
	p := defaultTuning().restartPolicy()
	want := []time.Duration{1, 2, 4, 8, 16, 30, 30, 30}
	for i, w := range want {
		if got := p.Step(i + 1); got != w*time.Second {
			t.Errorf("attempt %d: %s, want %s", i+1, got, w*time.Second)
		}
	}
	if defaultStableAfter != 60*time.Second {
		t.Errorf("stable after %s, want 60s", defaultStableAfter)
	}
	for i := 0; i < 1000; i++ {
		if d := p.Delay(6); d > 30*time.Second {
			t.Fatalf("jitter went past the cap: %s", d)
		}
		if d := p.Delay(1); d < time.Second || d > 1100*time.Millisecond {
			t.Fatalf("jitter of 1s gave %s", d)
		}
	}
}

func TestNeedsStartFirstTransitively(t *testing.T) {
	h := startHarness(t)
	port := freePort(t)
	// db listens on a port only after a delay: its dependent must wait for it.
	db := h.req("python3", "-c", `import socket,time
time.sleep(0.3)
s=socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", `+strconv.Itoa(port)+`)); s.listen(5)
time.sleep(3600)`)
	db.HTTPPort = &port
	// Define everything stopped first: the start of the last one must bring
	// up the chain in order.
	h.put("db", db, 0)
	check := func(name, need string) client.ServiceRequest {
		r := h.req("sleep", "3600")
		r.Needs = []string{need}
		return r
	}
	h.stopSvc("db", 5*time.Second)
	// api checks db accepts connections.
	api := h.req("python3", "-c", `import socket,time
try:
    socket.create_connection(("127.0.0.1", `+strconv.Itoa(port)+`), 1).close()
except OSError:
    print("EARLY", flush=True)
time.sleep(3600)`)
	api.Needs = []string{"db"}
	// db listens 0.3 s after its exec: with duration=0 the answer does not
	// wait for it; api reads starting, then running once db accepts.
	evs := h.put("api", api, 0)
	if find(evs, client.EventStarted) != nil || h.get("api").State.Status != client.StatusStarting {
		t.Fatalf("api: %v, status %s", types(evs), h.get("api").State.Status)
	}
	h.waitStatus("api", client.StatusRunning)
	h.put("worker", check("worker", "api"), 0)
	h.put("web", check("web", "worker"), 0)
	for _, n := range []string{"web", "worker", "api", "db"} {
		h.stopSvc(n, 5*time.Second)
	}
	// Starting web alone starts db, api and worker first, in order.
	evs = h.start("web", 0)
	if find(evs, client.EventStarted) != nil || h.get("web").State.Status != client.StatusStarting {
		t.Fatalf("web: %v, status %s", types(evs), h.get("web").State.Status)
	}
	// Each process was launched (exec done) after the one it needs.
	var prev time.Time
	for _, n := range []string{"db", "api", "worker", "web"} {
		s := h.waitStatus(n, client.StatusRunning)
		if !s.State.StartedAt.After(prev) {
			t.Errorf("%s started at %s, not after its need (%s)", n, s.State.StartedAt, prev)
		}
		prev = s.State.StartedAt
	}
	// api checked that db accepted connections when it started.
	st, err := h.c.Logs(context.Background(), "local", "api", client.LogsOptions{})
	if out := dataOf(events(t, st, err), client.EventStdout); strings.Contains(out, "EARLY") {
		t.Errorf("api started before db accepted connections: %q", out)
	}
}

func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

func TestFailedNeedFailsDependentWithReason(t *testing.T) {
	h := startHarness(t)
	h.put("bad", h.req("/no/such/binary"), 0)
	dep := h.req("sleep", "3600")
	dep.Needs = []string{"bad"}
	begin := time.Now()
	evs := h.put("dep", dep, 2*time.Second)
	e := find(evs, client.EventError)
	if e == nil || !strings.Contains(e.Data, `need "bad"`) || find(evs, client.EventStarted) != nil {
		t.Fatalf("events %+v", evs)
	}
	if time.Since(begin) > 5*time.Second {
		t.Errorf("took %s", time.Since(begin))
	}
	s := h.get("dep")
	if s.State.Status != client.StatusFailed || !strings.Contains(s.State.Error, `need "bad"`) {
		t.Fatalf("dependent state %+v", s.State)
	}
	// A need that dies before accepting on its port fails its dependent too.
	port := freePort(t)
	p := h.sh("exit 3")
	p.HTTPPort = &port
	h.put("portless", p, 0)
	dep2 := h.req("sleep", "3600")
	dep2.Needs = []string{"portless"}
	evs = h.put("dep2", dep2, time.Second)
	if e := find(evs, client.EventError); e == nil || !strings.Contains(e.Data, "before accepting connections") {
		t.Fatalf("events %+v", evs)
	}
	h.stopSvc("portless", time.Second)
}

func TestCrashRestartsWithBackoffAndStopCancels(t *testing.T) {
	h := startHarness(t)
	h.put("crashy", h.sh("echo run; exit 3"), 0)
	var s *client.Service
	waitFor(t, "4 restarts", 15*time.Second, func() bool {
		s = h.get("crashy")
		return s.State.RestartCount >= 4
	})
	if s.State.Error != "exited with code 3" {
		t.Errorf("error %q", s.State.Error)
	}
	// Each start leaves a line in the log; the gaps follow the schedule.
	st, err := h.c.Logs(context.Background(), "local", "crashy", client.LogsOptions{})
	evs := events(t, st, err)
	var at []time.Time
	for _, e := range evs {
		if e.Type == client.EventStdout && e.Data == "run\n" {
			at = append(at, e.Time())
		}
	}
	if len(at) < 4 {
		t.Fatalf("%d runs logged", len(at))
	}
	for i := 1; i < 4; i++ {
		gap := at[i].Sub(at[i-1])
		want := h.rt.tune.restartPolicy().Step(i)
		if gap < want-5*time.Millisecond { // timestamps are in ms
			t.Errorf("restart %d after %s, want at least %s", i, gap, want)
		}
	}
	// While waiting to restart: failed, with the next restart scheduled.
	waitFor(t, "a pending restart", 10*time.Second, func() bool {
		s = h.get("crashy")
		return s.State.Status == client.StatusFailed && !s.State.NextRestartAt.IsZero()
	})
	stop := h.stopSvc("crashy", time.Second)
	if find(stop, client.EventComplete) == nil {
		t.Fatal(stop)
	}
	s = h.get("crashy")
	count := s.State.RestartCount
	if s.State.Status != client.StatusStopped || !s.State.NextRestartAt.IsZero() {
		t.Fatalf("after stop %+v", s.State)
	}
	time.Sleep(3 * h.rt.tune.backoffCap)
	if s = h.get("crashy"); s.State.RestartCount != count || s.State.Status != client.StatusStopped {
		t.Fatalf("restarted after a stop: %+v", s.State)
	}
}

func TestStableRunResetsBackoff(t *testing.T) {
	h := startHarness(t)
	h.rt.tune.stableAfter = 100 * time.Millisecond
	h.rt.tune.backoffBase = 300 * time.Millisecond
	h.rt.tune.backoffCap = 5 * time.Second
	h.put("stable", h.sh("sleep 0.2; exit 1"), 0)
	waitFor(t, "3 restarts", 15*time.Second, func() bool { return h.get("stable").State.RestartCount >= 3 })
	// Every run lasted past stableAfter: each delay is the base, not doubled.
	s := h.get("stable")
	if s.State.Status == client.StatusFailed {
		if left := time.Until(s.State.NextRestartAt); left > 400*time.Millisecond {
			t.Errorf("next restart in %s: the streak was not reset", left)
		}
	}
	h.stopSvc("stable", time.Second)
}

func TestSignalCountsAsCrash(t *testing.T) {
	h := startHarness(t)
	h.put("sig", h.req("sleep", "3600"), 0)
	pid := h.get("sig").State.PID
	if err := h.c.Signal(context.Background(), "local", "sig", "SIGTERM"); err != nil {
		t.Fatal(err)
	}
	var s *client.Service
	waitFor(t, "a restart after the signal", 10*time.Second, func() bool {
		s = h.get("sig")
		return s.State.Status == client.StatusRunning && s.State.PID != pid
	})
	if s.State.RestartCount != 1 {
		t.Errorf("restart_count %d", s.State.RestartCount)
	}
}

func TestStopKillsTermIgnoringGroupAtTimeout(t *testing.T) {
	h := startHarness(t)
	h.put("stubborn", h.sh(`trap "" TERM; echo ready; while :; do sleep 0.05; done`), 500*time.Millisecond)
	pgid := h.get("stubborn").State.PID
	begin := time.Now()
	evs := h.stopSvc("stubborn", time.Second)
	took := time.Since(begin)
	if took < time.Second || took > 6*time.Second {
		t.Errorf("stop took %s with a 1s timeout", took)
	}
	e := find(evs, client.EventStopped)
	if e == nil || e.ExitCode == nil || *e.ExitCode != 137 {
		t.Fatalf("events %+v", evs)
	}
	if groupAlive(pgid) {
		t.Fatal("process group still alive after stop")
	}
}

func TestGrandchildHoldingOutputCannotHangStop(t *testing.T) {
	h := startHarness(t)
	// The grandchild ignores TERM and holds stdout; the leader dies on TERM.
	h.put("gc", h.sh(`(trap "" TERM; exec sleep 3600) & echo spawned; exec sleep 3600`), 500*time.Millisecond)
	pgid := h.get("gc").State.PID
	if n := len(groupMembers(pgid, 0)); n != 2 {
		t.Fatalf("group has %d members, want 2", n)
	}
	begin := time.Now()
	evs := h.stopSvc("gc", time.Second)
	if took := time.Since(begin); took > 6*time.Second {
		t.Errorf("stop took %s", took)
	}
	if find(evs, client.EventStopped) == nil || groupAlive(pgid) {
		t.Fatalf("events %+v, group alive %v", evs, groupAlive(pgid))
	}
	// A crashed leader's leftovers are reaped too, and the crash restarts.
	h.put("gc2", h.sh(`(trap "" TERM; exec sleep 3600) & sleep 0.2; exit 1`), 0)
	first := h.get("gc2").State.PID
	waitFor(t, "gc2 to restart", 15*time.Second, func() bool {
		s := h.get("gc2")
		return s.State.RestartCount >= 1 && s.State.PID != 0 && s.State.PID != first
	})
	if groupAlive(first) {
		t.Error("the crashed run's group survived")
	}
	h.stopSvc("gc2", time.Second)
}

func TestConcurrentStartStopOneService(t *testing.T) {
	h := startHarness(t)
	h.put("busy", h.req("sleep", "3600"), 0)
	var wg sync.WaitGroup
	var mu sync.Mutex
	codes := map[string]int{}
	for i := 0; i < 50; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var st *client.Stream
			var err error
			op := "start"
			if i%2 == 0 {
				op = "stop"
				st, err = h.c.Stop(context.Background(), "local", "busy", 5*time.Second)
			} else {
				st, err = h.c.Start(context.Background(), "local", "busy", 0)
			}
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil:
				for st.Next() {
				}
				if st.Err() != nil || !st.Complete() {
					t.Errorf("%s stream: %v", op, st.Err())
				}
				st.Close()
				codes[op+" ok"]++
			case client.IsConflict(err) && op == "stop":
				codes["stop 409"]++
			default:
				t.Errorf("%s: %v", op, err)
			}
			// Never two runs at once.
			if n := len(markedProcesses(h.mark)); n > 1 {
				t.Errorf("%d processes of one service at once", n)
			}
		}()
	}
	wg.Wait()
	t.Logf("outcomes %v", codes)
	if codes["start ok"] != 25 {
		t.Errorf("starts %v", codes)
	}
	s := h.get("busy")
	live := markedProcesses(h.mark)
	switch s.State.Status {
	case client.StatusRunning:
		if len(live) != 1 || live[0] != s.State.PID {
			t.Errorf("running with pid %d but processes %v", s.State.PID, live)
		}
	case client.StatusStopped:
		if len(live) != 0 {
			t.Errorf("stopped but processes %v", live)
		}
	default:
		t.Errorf("final status %s", s.State.Status)
	}
}
