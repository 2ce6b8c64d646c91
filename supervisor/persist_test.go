//go:build linux

package supervisor

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/sprites-mcp/sprites-mcp/client"
)

// helperEnv makes the test binary host a runtime (supervisor.Run) instead
// of running tests: a real separate process the tests can SIGKILL.
// helperNoPdeathEnv=1 switches Pdeathsig off in it: it then runs what
// macOS runs. helperNoStdioEnv=1 closes its stdin and stdout first, so
// that the descriptors the runtime opens next take 0 and 1.
const (
	helperEnv         = "SUPERVISOR_TEST_HELPER_STATE"
	helperNoPdeathEnv = "SUPERVISOR_TEST_HELPER_NO_PDEATHSIG"
	helperNoStdioEnv  = "SUPERVISOR_TEST_HELPER_NO_STDIO"
)

func TestMain(m *testing.M) {
	if dir := os.Getenv(helperEnv); dir != "" {
		if os.Getenv(helperNoStdioEnv) == "1" {
			syscall.Close(0)
			syscall.Close(1)
		}
		ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
		defer stop()
		cfg := Config{StateDir: dir, Logger: quietLogger()}
		if os.Getenv(helperNoPdeathEnv) == "1" {
			cfg.tweak = func(t *tuning) { t.parentDeath = false }
		}
		writeProfiles := startProfiles()
		err := Run(ctx, cfg)
		writeProfiles()
		if err != nil {
			os.Stderr.WriteString(err.Error() + "\n")
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// hostProc is a child process hosting a runtime.
type hostProc = exec.Cmd

// spawnHost runs a runtime in a child process (its own process group) and
// waits for its socket. extraEnv is added to its environment.
func spawnHost(dir string, extraEnv ...string) (*hostProc, error) {
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(append(os.Environ(), helperEnv+"="+dir), extraEnv...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	sock := filepath.Join(dir, "api.sock")
	for end := time.Now().Add(15 * time.Second); dialSocket(context.Background(), sock) != nil; {
		if time.Now().After(end) {
			_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
			_ = cmd.Wait()
			return nil, errors.New("the host's socket did not answer within 15s")
		}
		time.Sleep(10 * time.Millisecond)
	}
	return cmd, nil
}

// startHost is spawnHost for a test, killed at cleanup.
func startHost(t *testing.T, dir string, extraEnv ...string) *exec.Cmd {
	t.Helper()
	cmd, err := spawnHost(dir, extraEnv...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		_ = cmd.Wait()
	})
	return cmd
}

func TestPersistenceAcrossRestart(t *testing.T) {
	h := startHarness(t)
	r := h.req("sleep", "3600")
	r.Env["KEEP"] = "1"
	r.Dir = "/"
	h.put("keep", r, 0)
	dep := h.req("sleep", "3600")
	dep.Needs = []string{"keep"}
	h.put("dep", dep, 0)
	h.put("off", h.req("sleep", "3600"), 0)
	h.stopSvc("off", time.Second)
	oldPID := h.get("keep").State.PID

	h.shutdown()
	if len(markedProcesses(h.mark)) != 0 {
		t.Fatal("shutdown left processes")
	}
	b, err := os.ReadFile(filepath.Join(h.dir, "state.json"))
	if err != nil || !strings.Contains(string(b), `"KEEP":"1"`) {
		t.Fatalf("state.json: %s %v", b, err)
	}
	h.boot()
	s := h.waitStatus("keep", client.StatusRunning)
	if s.State.PID == oldPID || s.Env["KEEP"] != "1" || s.Dir != "/" {
		t.Fatalf("after reboot %+v", s)
	}
	if d := h.waitStatus("dep", client.StatusRunning); len(d.Needs) != 1 || d.Needs[0] != "keep" {
		t.Fatalf("dep %+v", d)
	}
	if o := h.get("off"); o.State.Status != client.StatusStopped {
		t.Fatalf("an explicit stop did not stick: %+v", o.State)
	}
}

// TestLeftoversKilledAfterRuntimeCrash: when a runtime and its watchdog
// are both killed, the next boot ends what they left. With Pdeathsig
// (Linux) the leader died with the runtime and only what it forked is left;
// without it (macOS) the leader is left too, and is found by its recorded
// start time.
func TestLeftoversKilledAfterRuntimeCrash(t *testing.T) {
	for _, pdeath := range []bool{true, false} {
		t.Run(fmt.Sprintf("pdeathsig=%v", pdeath), func(t *testing.T) { leftoversAfterCrash(t, pdeath) })
	}
}

func leftoversAfterCrash(t *testing.T, pdeath bool) {
	dir := tempStateDir(t)
	mark := newMark()
	t.Cleanup(func() { assertNoProcesses(t, mark) })
	var env []string
	if !pdeath {
		env = append(env, helperNoPdeathEnv+"=1")
	}
	host := startHost(t, dir, env...)
	c := newClient(t, filepath.Join(dir, "api.sock"), client.PathSprites)
	// The leader execs sleep; a grandchild sleep stays in the group.
	req := client.ServiceRequest{Cmd: "sh", Args: []string{"-c", "sleep 3600 & exec sleep 3600"},
		Env: map[string]string{markEnv: mark}}
	st, err := c.Put(context.Background(), "local", "orphan", req, 0)
	events(t, st, err)
	var s *client.Service
	waitFor(t, "the run", 15*time.Second, func() bool {
		s, err = c.Get(context.Background(), "local", "orphan")
		return err == nil && s.State.PID != 0
	})
	leader := s.State.PID
	waitFor(t, "two processes", 5*time.Second, func() bool { return len(markedProcesses(mark)) == 2 })

	// Simulated crash of the host and its watchdog (as `kill -9` of every
	// sprites-mcp would): the host is frozen first, so that it cannot
	// replace the watchdog, which dies first, so that it cannot act.
	wd := waitWatchdogOf(t, host.Process.Pid, 0)
	if err := host.Process.Signal(syscall.SIGSTOP); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Kill(wd, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	if err := host.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = host.Wait()
	want := 2 // the leader and the grandchild
	if pdeath {
		waitFor(t, "the leader to die with the runtime", 5*time.Second, func() bool { return gone(leader) })
		want = 1
	}
	left := markedProcesses(mark)
	if len(left) != want {
		t.Fatalf("after the crash: %v, want %d processes", left, want)
	}
	for _, pid := range left {
		if st, _ := readProcStat(pid); st.pgrp != leader {
			t.Fatalf("process %d in group %d, want %d", pid, st.pgrp, leader)
		}
	}

	rt, err := New(Config{StateDir: dir, Logger: quietLogger()})
	if err != nil {
		t.Fatal(err)
	}
	defer rt.Shutdown(context.Background())
	if err := rt.Boot(context.Background()); err != nil {
		t.Fatal(err)
	}
	if groupAlive(leader) {
		t.Fatal("the leftover group survived the boot")
	}
	for _, pid := range left {
		if !gone(pid) {
			t.Fatalf("process %d survived the boot", pid)
		}
	}
	// And the service runs again, as a new group.
	if v := rt.lookup("orphan").view(); v.State.Status != StatusRunning || v.State.PID == leader {
		t.Fatalf("after boot %+v", v.State)
	}
}

func TestAttachAndTakeover(t *testing.T) {
	dir := tempStateDir(t)
	mark := newMark()
	t.Cleanup(func() { assertNoProcesses(t, mark) })
	ctx := context.Background()
	cfg := Config{StateDir: dir, Logger: quietLogger()}
	first, err := Embed(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer first.Close(ctx)
	if !first.Owner() {
		t.Fatal("first embed is not the owner")
	}
	second, err := Embed(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer second.Close(ctx)
	if second.Owner() || second.SocketPath() != first.SocketPath() {
		t.Fatalf("second: owner %v socket %s", second.Owner(), second.SocketPath())
	}
	// The attached one reaches the owner's services through the socket.
	c := newClient(t, second.SocketPath(), client.PathSprites)
	req := client.ServiceRequest{Cmd: "sleep", Args: []string{"3600"}, Env: map[string]string{markEnv: mark}}
	st, err := c.Put(ctx, "local", "shared", req, 0)
	events(t, st, err)
	s, _ := c.Get(ctx, "local", "shared")
	oldPID := s.State.PID
	// A runtime that is already owned refuses a second owner.
	if _, err := New(cfg); !errors.Is(err, ErrLocked) {
		t.Fatalf("second New: %v", err)
	}
	if err := Run(ctx, cfg); !errors.Is(err, ErrLocked) {
		t.Fatalf("Run on an owned dir: %v", err)
	}

	// The owner goes away: its services stop, the attached one takes over
	// and boots them again.
	if err := first.Close(ctx); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the takeover", 15*time.Second, func() bool { return second.Owner() })
	waitFor(t, "the service to come back", 15*time.Second, func() bool {
		s, err := c.Get(ctx, "local", "shared")
		return err == nil && s.State.Status == client.StatusRunning && s.State.PID != oldPID
	})
	if err := second.Close(ctx); err != nil {
		t.Fatal(err)
	}
}

func TestTakeoverAfterOwnerProcessKilled(t *testing.T) {
	dir := tempStateDir(t)
	mark := newMark()
	t.Cleanup(func() { assertNoProcesses(t, mark) })
	host := startHost(t, dir)
	ctx := context.Background()
	e, err := Embed(ctx, Config{StateDir: dir, Logger: quietLogger()})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close(ctx)
	if e.Owner() {
		t.Fatal("owner while the host runs")
	}
	c := newClient(t, e.SocketPath(), client.PathSprites)
	req := client.ServiceRequest{Cmd: "sleep", Args: []string{"3600"}, Env: map[string]string{markEnv: mark}}
	st, err := c.Put(ctx, "local", "svc", req, 0)
	events(t, st, err)
	_ = host.Process.Signal(syscall.SIGKILL)
	waitFor(t, "the takeover", 15*time.Second, func() bool { return e.Owner() })
	waitFor(t, "the service to run under the new owner", 15*time.Second, func() bool {
		s, err := c.Get(ctx, "local", "svc")
		return err == nil && s.State.Status == client.StatusRunning
	})
	if n := len(markedProcesses(mark)); n != 1 {
		t.Fatalf("%d processes of the service", n)
	}
}

func TestSocketPathTooLong(t *testing.T) {
	dir := filepath.Join(tempStateDir(t), strings.Repeat("d", 100))
	_, err := New(Config{StateDir: dir})
	if err == nil || !strings.Contains(err.Error(), "at most 107") {
		t.Fatalf("err %v", err)
	}
}

func TestServeAndRunLifecycle(t *testing.T) {
	dir := tempStateDir(t)
	mark := newMark()
	t.Cleanup(func() { assertNoProcesses(t, mark) })
	ctx, cancel := context.WithCancel(context.Background())
	ran := make(chan error, 1)
	go func() { ran <- Run(ctx, Config{StateDir: dir, Logger: quietLogger()}) }()
	sock := filepath.Join(dir, "api.sock")
	waitFor(t, "the socket", 10*time.Second, func() bool { return dialSocket(context.Background(), sock) == nil })
	c := newClient(t, sock, client.PathSocket)
	req := client.ServiceRequest{Cmd: "sleep", Args: []string{"3600"}, Env: map[string]string{markEnv: mark}}
	st, err := c.Put(context.Background(), "", "svc", req, 0)
	events(t, st, err)
	cancel()
	select {
	case err := <-ran:
		if err != nil {
			t.Fatalf("Run: %v", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("Run did not return after its context ended")
	}
	if _, err := os.Stat(sock); !os.IsNotExist(err) {
		t.Errorf("socket left behind: %v", err)
	}
	if n := len(markedProcesses(mark)); n != 0 {
		t.Errorf("%d processes survived Run", n)
	}
	// The lock is free again, and the service, never explicitly stopped,
	// comes back with the next owner.
	rt, err := New(Config{StateDir: dir, Logger: quietLogger()})
	if err != nil {
		t.Fatal(err)
	}
	sctx, scancel := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- rt.Serve(sctx) }()
	if err := rt.Boot(context.Background()); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the socket", 10*time.Second, func() bool { return dialSocket(context.Background(), sock) == nil })
	s, err := c.Get(context.Background(), "", "svc")
	if err != nil || s.State.Status != client.StatusRunning {
		t.Fatalf("after reboot: %+v %v", s, err)
	}
	scancel()
	if err := <-served; err != nil {
		t.Errorf("Serve: %v", err)
	}
	if err := rt.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
}

// TestStateFileFormat pins the keys of state.json: a file written by an
// earlier version must still load, and one written now must read the same.
func TestStateFileFormat(t *testing.T) {
	port := 8080
	saved := savedService{Name: "web", Stopped: true, Proc: &procRecord{PID: 7, PGID: 7, StartTime: 42},
		definition: definition{Cmd: "sh", Args: []string{"-c", "x"}, Env: map[string]string{"A": "1"},
			Dir: "/srv", Needs: []string{"db"}, HTTPPort: &port}}
	b, err := json.Marshal(saved)
	if err != nil {
		t.Fatal(err)
	}
	const want = `{"name":"web","cmd":"sh","args":["-c","x"],"env":{"A":"1"},"dir":"/srv","needs":["db"],` +
		`"http_port":8080,"stopped":true,"proc":{"pid":7,"pgid":7,"start_time":42}}`
	if string(b) != want {
		t.Fatalf("state.json entry\n got %s\nwant %s", b, want)
	}
	var back savedService
	if err := json.Unmarshal([]byte(want), &back); err != nil || back.Cmd != "sh" || back.Needs[0] != "db" ||
		*back.HTTPPort != 8080 || !back.Stopped || back.Proc.StartTime != 42 {
		t.Fatalf("read back %+v, %v", back, err)
	}
}
