//go:build linux

package supervisor

import (
	"context"
	"os"
	"path/filepath"
	"runtime/pprof"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/sprites-mcp/sprites-mcp/client"
)

// slowHTTPNeed defines "db": a real HTTP server on a free port of
// 127.0.0.1 that starts listening only after delay.
func (h *harness) slowHTTPNeed(delay string) int {
	h.t.Helper()
	port := freePort(h.t)
	db := h.sh("sleep " + delay + "; exec python3 -m http.server " + strconv.Itoa(port) + " --bind 127.0.0.1")
	db.HTTPPort = &port
	h.put("db", db, 0)
	// Answered before the exec (duration 0): wait for db's process, so
	// that only the dependents' starts are left waiting.
	waitFor(h.t, "db's exec", 15*time.Second, func() bool { return h.get("db").State.PID != 0 })
	return port
}

// dependent is a sleep that needs db, tagged with its own mark so a test
// can tell its processes from the need's.
func dependent(mark string) client.ServiceRequest {
	return client.ServiceRequest{Cmd: "sleep", Args: []string{"3600"}, Needs: []string{"db"},
		Env: map[string]string{markEnv: mark}}
}

// timedPut is put, failing the test when the answer took max or longer.
func (h *harness) timedPut(name string, r client.ServiceRequest, watch, max time.Duration) []client.Event {
	h.t.Helper()
	begin := time.Now()
	evs := h.put(name, r, watch)
	if took := time.Since(begin); took >= max {
		h.t.Errorf("PUT %s with duration=%s answered after %s, want under %s", name, watch, took, max)
	}
	return evs
}

// startGoroutines counts goroutines of starts waiting for needs.
func startGoroutines() int {
	var b strings.Builder
	_ = pprof.Lookup("goroutine").WriteTo(&b, 2)
	return strings.Count(b.String(), "supervisor.(*service).awaitNeeds(")
}

func TestPutWithSlowNeedAnswersAtOnceAndStartsLater(t *testing.T) {
	appMark := newMark()
	t.Cleanup(func() { assertNoProcesses(t, appMark) }) // runs after the harness's shutdown
	h := startHarness(t)
	h.slowHTTPNeed("1")
	evs := h.timedPut("app", dependent(appMark), 0, 2*time.Second)
	last := evs[len(evs)-1]
	if find(evs, client.EventStarted) != nil || last.Type != client.EventComplete || last.LogFiles.Primary() == "" {
		t.Fatalf("events %+v", evs)
	}
	list, err := h.c.List(context.Background(), "local")
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range list {
		if s.Name == "app" && (s.State.Status != client.StatusStarting || s.State.PID != 0) {
			t.Fatalf("listed right after the PUT: %+v", s.State)
		}
	}
	// A start while the first one waits joins it, and answers at once too.
	begin := time.Now()
	if evs := h.start("app", 0); find(evs, client.EventStarted) != nil {
		t.Fatalf("joined start: %v", types(evs))
	}
	if took := time.Since(begin); took >= 2*time.Second {
		t.Errorf("start answered after %s", took)
	}
	// A restart replaces the waiting start with a new one, at once too.
	begin = time.Now()
	rs, err := h.c.Restart(context.Background(), "local", "app", 0)
	if evs := events(t, rs, err); find(evs, client.EventStarted) != nil || find(evs, client.EventError) != nil {
		t.Fatalf("restart: %+v", evs)
	}
	if took := time.Since(begin); took >= 2*time.Second {
		t.Errorf("restart answered after %s", took)
	}
	if s := h.get("app"); s.State.Status != client.StatusStarting {
		t.Fatalf("after restart %+v", s.State)
	}
	app := h.waitStatus("app", client.StatusRunning)
	db := h.get("db")
	if db.State.Status != client.StatusRunning {
		t.Fatalf("db %+v", db.State)
	}
	// Launched once db accepted, which its script delays by 1 s.
	if gap := app.State.StartedAt.Sub(db.State.StartedAt); gap < time.Second {
		t.Errorf("app launched %s after db's exec, before db could accept", gap)
	}
	if live := markedProcesses(appMark); len(live) != 1 || live[0] != app.State.PID {
		t.Errorf("app processes %v, pid %d", live, app.State.PID)
	}
	waitFor(t, "the start goroutine to end", 5*time.Second, func() bool { return startGoroutines() == 0 })
}

func TestStopDeleteOrNewDefinitionCancelBackgroundStart(t *testing.T) {
	marks := map[string]string{"a": newMark(), "b": newMark(), "old": newMark(), "new": newMark()}
	t.Cleanup(func() { // runs after the harness's shutdown
		for _, m := range marks {
			assertNoProcesses(t, m)
		}
	})
	h := startHarness(t)
	h.slowHTTPNeed("1.5")
	h.timedPut("a", dependent(marks["a"]), 0, 2*time.Second)
	h.timedPut("b", dependent(marks["b"]), 0, 2*time.Second)
	h.timedPut("c", dependent(marks["old"]), 0, 2*time.Second)
	// The answers came before the start goroutines ran, maybe: a goroutine
	// not yet scheduled shows no awaitNeeds frame. db accepts after 1.5 s.
	waitFor(t, "3 starts waiting", time.Second, func() bool { return startGoroutines() == 3 })
	begin := time.Now()
	if stop := h.stopSvc("a", 5*time.Second); find(stop, client.EventComplete) == nil {
		t.Fatalf("stop %v", types(stop))
	}
	if err := h.c.Delete(context.Background(), "local", "b"); err != nil {
		t.Fatal(err)
	}
	// c gets a new definition while its start waits: the old one is dropped.
	h.timedPut("c", dependent(marks["new"]), 0, 2*time.Second)
	if took := time.Since(begin); took >= 2*time.Second {
		t.Errorf("stop, delete and replace took %s", took)
	}
	if s := h.get("a"); s.State.Status != client.StatusStopped {
		t.Fatalf("a after stop %+v", s.State)
	}
	c := h.waitStatus("c", client.StatusRunning)
	h.waitStatus("db", client.StatusRunning)
	// With no start left waiting, no launch can come any more.
	waitFor(t, "the start goroutines to end", 5*time.Second, func() bool { return startGoroutines() == 0 })
	if live := markedProcesses(marks["new"]); len(live) != 1 || live[0] != c.State.PID {
		t.Errorf("c runs %v, pid %d", live, c.State.PID)
	}
	for _, m := range []string{"a", "b", "old"} {
		if live := markedProcesses(marks[m]); len(live) != 0 {
			t.Errorf("cancelled start %s launched %v", m, live)
		}
	}
	if s := h.get("a"); s.State.Status != client.StatusStopped || s.State.PID != 0 {
		t.Errorf("a %+v", s.State)
	}
	if _, err := h.c.Get(context.Background(), "local", "b"); !client.IsNotFound(err) {
		t.Errorf("b after delete: %v", err)
	}
}

func TestNeedNeverReadyFailsDependentInBackground(t *testing.T) {
	appMark := newMark()
	t.Cleanup(func() { assertNoProcesses(t, appMark) }) // runs after the harness's shutdown
	h := startHarness(t)
	h.rt.tune.readyTimeout = 500 * time.Millisecond
	port := freePort(t)
	db := h.req("sleep", "3600") // never listens
	db.HTTPPort = &port
	h.put("db", db, 0)
	// The answer comes as soon as db does not accept, long before the limit.
	if evs := h.timedPut("app", dependent(appMark), 0, 2*time.Second); find(evs, client.EventError) != nil {
		t.Fatalf("PUT waited for the readiness limit: %+v", evs)
	}
	app := h.waitStatus("app", client.StatusFailed)
	for _, want := range []string{`need "db"`, "port " + strconv.Itoa(port)} {
		if !strings.Contains(app.State.Error, want) {
			t.Errorf("error %q lacks %q", app.State.Error, want)
		}
	}
	if live := markedProcesses(appMark); len(live) != 0 {
		t.Errorf("app launched %v", live)
	}
	waitFor(t, "the start goroutine to end", 5*time.Second, func() bool { return startGoroutines() == 0 })
	h.stopSvc("db", time.Second)
}

func TestWindowStreamsStartedWhenNeedReadyInside(t *testing.T) {
	h := startHarness(t)
	// The need listens after 0.3 s plus the interpreter's start-up, which
	// takes seconds on a loaded 2-core machine under -race: the window is
	// long enough to hold all of it.
	const window = 8 * time.Second
	h.slowHTTPNeed("0.3")
	app := h.sh("echo up; exec sleep 3600")
	app.Needs = []string{"db"}
	begin := time.Now()
	evs := h.put("app", app, window)
	took := time.Since(begin)
	if find(evs, client.EventStarted) == nil || dataOf(evs, client.EventStdout) != "up\n" {
		t.Fatalf("events %v", types(evs))
	}
	// The window counts from the request, not from the launch.
	if took < window || took >= window+3*time.Second {
		t.Errorf("PUT with duration=%s answered after %s", window, took)
	}
	if s := h.get("app"); s.State.Status != client.StatusRunning {
		t.Errorf("app %+v", s.State)
	}
}

func TestRuntimeRestartDuringBackgroundStart(t *testing.T) {
	h := startHarness(t)
	h.slowHTTPNeed("1.5")
	h.timedPut("app", dependent(h.mark), 0, 2*time.Second)
	// The answer came after the state on disk held the desired state.
	st, _, err := loadPersisted(filepath.Join(h.dir, "state.json"), quietLogger())
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, s := range st.Services {
		if s.Name == "app" {
			found = !s.Stopped && len(s.Needs) == 1
		}
	}
	if !found {
		t.Fatalf("state.json lacks app as wanted running: %+v", st.Services)
	}
	h.shutdown()
	if n := startGoroutines(); n != 0 {
		t.Errorf("%d start goroutines outlived the shutdown", n)
	}
	if b, _ := os.ReadFile(filepath.Join(h.dir, "state.json")); !strings.Contains(string(b), `"name":"app"`) {
		t.Fatalf("state.json %s", b)
	}
	h.boot()
	h.waitStatus("db", client.StatusRunning)
	app := h.waitStatus("app", client.StatusRunning)
	if app.State.PID == 0 {
		t.Fatalf("app %+v", app.State)
	}
}
