//go:build linux

package supervisor

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/sprites-mcp/sprites-mcp/client"
)

// markEnv tags every process a test starts, grandchildren included (they
// inherit it), so cleanup can prove none is left.
const markEnv = "SUPERVISOR_TEST_MARK"

func quietLogger() *slog.Logger {
	return slog.New(slog.NewTextHandler(io.Discard, nil))
}

type harness struct {
	t    *testing.T
	dir  string
	rt   *Runtime
	c    *client.Client
	mark string
	stop context.CancelFunc
}

// tempStateDir is short: unix socket paths are limited to 107 bytes.
func tempStateDir(t *testing.T) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "sv")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	return dir
}

func newMark() string {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// fastTuning keeps tests from waiting for the real backoff.
func fastTuning(rt *Runtime) {
	rt.tune.backoffBase = 50 * time.Millisecond
	rt.tune.backoffCap = 400 * time.Millisecond
	rt.tune.crashGrace = 500 * time.Millisecond
	rt.tune.readyTimeout = 10 * time.Second
}

// startHarness runs a runtime on a fresh state dir, served on its socket,
// with a client in the public path style.
func startHarness(t *testing.T) *harness {
	t.Helper()
	h := &harness{t: t, dir: tempStateDir(t), mark: newMark()}
	h.boot()
	t.Cleanup(func() { h.shutdown(); assertNoProcesses(t, h.mark) })
	return h
}

func (h *harness) boot() {
	h.t.Helper()
	rt, err := New(Config{StateDir: h.dir, Logger: quietLogger()})
	if err != nil {
		h.t.Fatal(err)
	}
	fastTuning(rt)
	ln, err := rt.listen()
	if err != nil {
		h.t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	go rt.serveOn(ctx, ln)
	if err := rt.Boot(ctx); err != nil {
		h.t.Fatal(err)
	}
	h.rt, h.stop = rt, cancel
	h.c = newClient(h.t, rt.SocketPath(), client.PathSprites)
}

func (h *harness) shutdown() {
	if h.rt == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := h.rt.Shutdown(ctx); err != nil {
		h.t.Errorf("shutdown: %v", err)
	}
	h.stop()
	h.rt = nil
}

func newClient(t *testing.T, sock string, style client.PathStyle) *client.Client {
	t.Helper()
	c, err := client.New("unix://"+sock, client.WithPathStyle(style), client.WithLogger(quietLogger()))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// req builds a definition tagged with the test's mark.
func (h *harness) req(cmd string, args ...string) client.ServiceRequest {
	return client.ServiceRequest{Cmd: cmd, Args: args, Env: map[string]string{markEnv: h.mark}}
}

func (h *harness) sh(script string) client.ServiceRequest { return h.req("sh", "-c", script) }

// events reads a whole stream.
func events(t *testing.T, st *client.Stream, err error) []client.Event {
	t.Helper()
	if err != nil {
		t.Fatalf("stream: %v", err)
	}
	defer st.Close()
	var evs []client.Event
	for st.Next() {
		evs = append(evs, st.Event())
	}
	if err := st.Err(); err != nil {
		t.Fatalf("stream: %v", err)
	}
	if !st.Complete() {
		t.Fatalf("stream ended without complete: %+v", evs)
	}
	return evs
}

// put creates (or replaces) service name, watched for watch. With watch 0
// the API answers before the exec; put then waits for the run of a service
// without needs (launchedSoon), as the tests written when the answer came
// after it expect. TestDurationZeroAnswersAtOnce checks the answer itself.
func (h *harness) put(name string, r client.ServiceRequest, watch time.Duration) []client.Event {
	h.t.Helper()
	st, err := h.c.Put(context.Background(), "local", name, r, watch)
	evs := events(h.t, st, err)
	if watch == 0 && len(r.Needs) == 0 && find(evs, client.EventError) == nil {
		h.launchedSoon(name)
	}
	return evs
}

// launchedSoon waits until a start of service name, which has no needs,
// has exec'd or failed: it has a pid, or it no longer reads starting.
func (h *harness) launchedSoon(name string) {
	h.t.Helper()
	waitFor(h.t, name+" to be exec'd", 15*time.Second, func() bool {
		s := h.get(name)
		return s.State.PID != 0 || s.State.Status != client.StatusStarting
	})
}

// start starts service name, watched for watch; with watch 0, as put.
func (h *harness) start(name string, watch time.Duration) []client.Event {
	h.t.Helper()
	st, err := h.c.Start(context.Background(), "local", name, watch)
	evs := events(h.t, st, err)
	if watch == 0 && len(h.get(name).Needs) == 0 && find(evs, client.EventError) == nil {
		h.launchedSoon(name)
	}
	return evs
}

func (h *harness) stopSvc(name string, timeout time.Duration) []client.Event {
	h.t.Helper()
	st, err := h.c.Stop(context.Background(), "local", name, timeout)
	return events(h.t, st, err)
}

func (h *harness) get(name string) *client.Service {
	h.t.Helper()
	s, err := h.c.Get(context.Background(), "local", name)
	if err != nil {
		h.t.Fatal(err)
	}
	return s
}

// waitFor polls cond (a test observing the runtime from outside has no
// event to wait on) until it holds or the generous deadline passes.
func waitFor(t *testing.T, what string, d time.Duration, cond func() bool) {
	t.Helper()
	end := time.Now().Add(d)
	for !cond() {
		if time.Now().After(end) {
			t.Fatalf("timed out after %s waiting for %s", d, what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func (h *harness) waitStatus(name string, want client.Status) *client.Service {
	h.t.Helper()
	var s *client.Service
	waitFor(h.t, fmt.Sprintf("%s to be %s", name, want), 15*time.Second, func() bool {
		s = h.get(name)
		return s.State.Status == want
	})
	return s
}

func types(evs []client.Event) []client.EventType {
	var out []client.EventType
	for _, e := range evs {
		out = append(out, e.Type)
	}
	return out
}

func dataOf(evs []client.Event, typ client.EventType) string {
	var b strings.Builder
	for _, e := range evs {
		if e.Type == typ {
			b.WriteString(e.Data)
		}
	}
	return b.String()
}

func find(evs []client.Event, typ client.EventType) *client.Event {
	for i := range evs {
		if evs[i].Type == typ {
			return &evs[i]
		}
	}
	return nil
}

// markedProcesses lists live processes whose environment carries mark.
func markedProcesses(mark string) []int {
	want := []byte(markEnv + "=" + mark + "\x00")
	names, _ := filepath.Glob("/proc/[0-9]*")
	var pids []int
	for _, n := range names {
		pid, err := strconv.Atoi(filepath.Base(n))
		if err != nil {
			continue
		}
		env, err := os.ReadFile(n + "/environ")
		if err != nil || !bytes.Contains(append(env, 0), want) {
			continue
		}
		if st, err := readProcStat(pid); err == nil && st.state != 'Z' {
			pids = append(pids, pid)
		}
	}
	return pids
}

// assertNoProcesses fails if any process of the test is alive; it kills
// them (by process group) so one failure does not leak into other tests.
func assertNoProcesses(t *testing.T, mark string) {
	t.Helper()
	var left []int
	for i := 0; i < 100; i++ { // exits are asynchronous: allow 1 s
		if left = markedProcesses(mark); len(left) == 0 {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	var what []string
	for _, pid := range left {
		if st, err := readProcStat(pid); err == nil {
			cmd, _ := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pid))
			what = append(what, fmt.Sprintf("%d (%q, state %c, ppid %d, pgrp %d, tag %q)", pid,
				strings.ReplaceAll(strings.TrimRight(string(cmd), "\x00"), "\x00", " "), st.state, st.ppid, st.pgrp, readRunTag(pid)))
			_ = signalGroup(st.pgrp, 9)
		}
	}
	t.Errorf("processes of the test left behind: %v", what)
}

// rawLines sends a request on the socket and returns the body's lines
// unparsed, to check the wire itself.
func rawLines(t *testing.T, sock, method, path string) []string {
	t.Helper()
	hc := &http.Client{Transport: &http.Transport{DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
		return (&net.Dialer{}).DialContext(ctx, "unix", sock)
	}}}
	req, _ := http.NewRequest(method, "http://local"+path, nil)
	resp, err := hc.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var lines []string
	br := bufio.NewReader(resp.Body)
	for {
		line, err := br.ReadString('\n')
		if line != "" {
			lines = append(lines, line)
		}
		if err != nil {
			break
		}
	}
	return lines
}

// rawDo sends a request with a body and returns status and body.
func rawDo(t *testing.T, sock, method, path, body string) (int, string) {
	t.Helper()
	hc := &http.Client{Transport: &http.Transport{DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
		return (&net.Dialer{}).DialContext(ctx, "unix", sock)
	}}}
	req, _ := http.NewRequest(method, "http://local"+path, strings.NewReader(body))
	resp, err := hc.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}
