//go:build linux

package supervisor

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/sprites-mcp/sprites-mcp/client"
)

func TestPutStartsAndStreamsOutput(t *testing.T) {
	h := startHarness(t)
	evs := h.put("web", h.sh("echo hello; echo oops >&2; exec sleep 3600"), time.Second)
	if evs[0].Type != client.EventStarted {
		t.Fatalf("first event %q, want started: %v", evs[0].Type, types(evs))
	}
	if got := dataOf(evs, client.EventStdout); got != "hello\n" {
		t.Errorf("stdout %q", got)
	}
	if got := dataOf(evs, client.EventStderr); got != "oops\n" {
		t.Errorf("stderr %q", got)
	}
	last := evs[len(evs)-1]
	if last.Type != client.EventComplete || last.LogFiles.Primary() == "" {
		t.Fatalf("last event %+v", last)
	}
	s := h.get("web")
	if s.State.Status != client.StatusRunning || s.State.PID == 0 || s.State.StartedAt.IsZero() {
		t.Fatalf("state %+v", s.State)
	}
	if !s.State.NextRestartAt.IsZero() || s.Needs == nil {
		t.Errorf("next_restart_at %v, needs %v", s.State.NextRestartAt, s.Needs)
	}
	log, err := os.ReadFile(last.LogFiles.Combined)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"[stdout] hello\n", "[stderr] oops\n"} {
		if !strings.Contains(string(log), want) {
			t.Errorf("log file lacks %q:\n%s", want, log)
		}
	}
	// Each log line starts with an RFC 3339 timestamp.
	first := strings.SplitN(string(log), " ", 2)[0]
	if _, err := time.Parse(time.RFC3339Nano, first); err != nil {
		t.Errorf("log line timestamp %q: %v", first, err)
	}
	list, err := h.c.List(context.Background(), "local")
	if err != nil || len(list) != 1 || list[0].Name != "web" {
		t.Fatalf("list %+v %v", list, err)
	}
	stop := h.stopSvc("web", 5*time.Second)
	if got := types(stop); len(got) != 3 || got[0] != client.EventStopping || got[1] != client.EventStopped {
		t.Fatalf("stop events %v", got)
	}
	if c := stop[1].ExitCode; c == nil || *c != 143 {
		t.Errorf("stopped exit code %v, want 143", c)
	}
	if s := h.get("web"); s.State.Status != client.StatusStopped || s.State.PID != 0 {
		t.Errorf("after stop %+v", s.State)
	}
}

func TestSocketPathStyleAndUnknownSprite(t *testing.T) {
	h := startHarness(t)
	h.put("a", h.req("sleep", "3600"), 0)
	sc := newClient(t, h.rt.SocketPath(), client.PathSocket)
	s, err := sc.Get(context.Background(), "", "a")
	if err != nil || s.State.Status != client.StatusRunning {
		t.Fatalf("socket style get: %+v %v", s, err)
	}
	_, err = h.c.Get(context.Background(), "other", "a")
	var ae *client.APIError
	if !errors.As(err, &ae) || ae.StatusCode != 404 || !strings.Contains(ae.Message, `sprite "other" not found`) || ae.Code != "not_found" {
		t.Fatalf("unknown sprite: %v", err)
	}
	if _, err := h.c.Get(context.Background(), "local", "nope"); !client.IsNotFound(err) {
		t.Fatalf("unknown service: %v", err)
	}
	page, err := h.c.ListSprites(context.Background(), client.ListSpritesOptions{})
	if err != nil || len(page.Sprites) != 1 || page.Sprites[0].Name != "local" {
		t.Fatalf("list sprites %+v %v", page, err)
	}
	fi, err := os.Stat(h.rt.SocketPath())
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("socket mode %v %v", fi.Mode(), err)
	}
	di, _ := os.Stat(h.dir)
	if di.Mode().Perm() != 0o700 {
		t.Fatalf("state dir mode %v", di.Mode())
	}
}

func TestValidationRefusesAndChangesNothing(t *testing.T) {
	h := startHarness(t)
	port := 20000 + os.Getpid()%20000
	h.put("a", h.req("sleep", "3600"), 0)
	p := h.req("sleep", "3600")
	p.HTTPPort = &port // never listens: nothing needs it
	h.put("p", p, 0)
	b := h.req("sleep", "3600")
	b.Needs = []string{"a"}
	h.put("b", b, 0)
	sock := h.rt.SocketPath()

	cases := []struct {
		name, path, body string
		code             int
		want             string
	}{
		{"unknown need", "/v1/sprites/local/services/c", `{"cmd":"sleep","needs":["ghost"]}`, 400, `needs "ghost", which is not defined`},
		{"cycle", "/v1/sprites/local/services/a", `{"cmd":"sleep","needs":["b"]}`, 400, "a → b → a"},
		{"self cycle", "/v1/sprites/local/services/c", `{"cmd":"sleep","needs":["c"]}`, 400, "c → c"},
		{"second http_port", "/v1/sprites/local/services/c", `{"cmd":"sleep","http_port":` + strconv.Itoa(port) + `}`, 409, `already held by service "p"`},
		{"no cmd", "/v1/sprites/local/services/c", `{"args":["x"]}`, 400, "cmd is required"},
		{"bad json", "/v1/sprites/local/services/c", `{"cmd":`, 400, "invalid service definition"},
		{"bad name", "/v1/sprites/local/services/-x", `{"cmd":"sleep"}`, 400, "service name \"-x\" starts with '-'"},
		{"signal name", "/v1/sprites/local/services/signal", `{"cmd":"sleep"}`, 400, "signal route"},
		{"bad duration", "/v1/sprites/local/services/c?duration=soon", `{"cmd":"sleep"}`, 400, "not a duration"},
	}
	for _, tc := range cases {
		code, body := rawDo(t, sock, "PUT", tc.path, tc.body)
		var e apiError
		if json.Unmarshal([]byte(body), &e) != nil || e.Error == "" || e.Message == "" {
			t.Errorf("%s: error body is not {error,message}: %s", tc.name, body)
		}
		if code != tc.code || !strings.Contains(e.Message, tc.want) {
			t.Errorf("%s: %d %s; want %d containing %q", tc.name, code, body, tc.code, tc.want)
		}
	}
	if s := h.get("a"); len(s.Needs) != 0 {
		t.Errorf("refused update changed a: needs %v", s.Needs)
	}
	if _, err := h.c.Get(context.Background(), "local", "c"); !client.IsNotFound(err) {
		t.Errorf("refused create left c defined: %v", err)
	}
	// a is needed by b: deleting it would break b.
	if err := h.c.Delete(context.Background(), "local", "a"); !client.IsConflict(err) || !strings.Contains(err.Error(), `needed by b`) {
		t.Errorf("delete of a need: %v", err)
	}
	h.stopSvc("b", 5*time.Second)
	if _, err := h.c.Stop(context.Background(), "local", "b", time.Second); !client.IsConflict(err) {
		t.Errorf("stop of stopped: %v", err)
	}
	if err := h.c.Signal(context.Background(), "local", "b", "TERM"); !client.IsConflict(err) {
		t.Errorf("signal of stopped: %v", err)
	}
	if err := h.c.Signal(context.Background(), "local", "a", "BOGUS"); err == nil || !strings.Contains(err.Error(), "unknown signal") {
		t.Errorf("bad signal: %v", err)
	}
	code, body := rawDo(t, sock, "GET", "/v1/nothing", "")
	if code != 404 || !strings.Contains(body, "404 page not found") {
		t.Errorf("unknown route: %d %s", code, body)
	}
}

func TestEnvDirAndSecrets(t *testing.T) {
	t.Setenv("SPRITES_TOKEN", "secret-1")
	t.Setenv("SPRITE_TOKEN", "secret-2")
	t.Setenv("SPRITES_MCP_AUTH_TOKEN", "secret-3")
	t.Setenv("SUPERVISOR_INHERITED", "yes")
	h := startHarness(t)
	dir := t.TempDir()
	r := h.sh(`echo "tok=${SPRITES_TOKEN:-none}${SPRITE_TOKEN:-none}${SPRITES_MCP_AUTH_TOKEN:-none} foo=$FOO inh=$SUPERVISOR_INHERITED pwd=$(pwd)"; exec sleep 3600`)
	r.Env["FOO"] = "bar baz"
	r.Dir = dir
	evs := h.put("envy", r, time.Second)
	want := "tok=nonenonenone foo=bar baz inh=yes pwd=" + dir + "\n"
	if got := dataOf(evs, client.EventStdout); got != want {
		t.Fatalf("output %q, want %q", got, want)
	}
	home, _ := os.UserHomeDir()
	evs = h.put("homey", h.sh(`pwd; exec sleep 3600`), time.Second)
	if got := dataOf(evs, client.EventStdout); got != home+"\n" {
		t.Fatalf("default dir %q, want %q", got, home)
	}
}

func TestBadCommandAndDirectoryAreErrorEvents(t *testing.T) {
	h := startHarness(t)
	evs := h.put("nocmd", h.req("/no/such/binary"), time.Second)
	e := find(evs, client.EventError)
	if e == nil || !strings.Contains(e.Data, "no such file") || find(evs, client.EventStarted) != nil {
		t.Fatalf("events %+v", evs)
	}
	if s := h.get("nocmd"); s.State.Status != client.StatusFailed || !strings.Contains(s.State.Error, "no such file") {
		t.Fatalf("state %+v", s.State)
	}
	r := h.req("sleep", "1")
	r.Dir = "/no/such/dir"
	evs = h.put("nodir", r, time.Second)
	if e := find(evs, client.EventError); e == nil || !strings.Contains(e.Data, "/no/such/dir") {
		t.Fatalf("events %+v", evs)
	}
}

// TestDurationZeroAnswersAtOnce: with duration 0 the API answers without
// waiting for the exec (the start carries on and the service runs soon
// after), yet what an exec would refuse up front is still in the answer
// as an error, and the service reads failed.
func TestDurationZeroAnswersAtOnce(t *testing.T) {
	h := startHarness(t)
	evs := h.put("quick", h.req("sleep", "3600"), 0)
	if find(evs, client.EventError) != nil || find(evs, client.EventExit) != nil {
		t.Fatalf("events %+v", evs)
	}
	if s := h.get("quick"); s.State.Status != client.StatusRunning || s.State.PID == 0 {
		t.Fatalf("after the answer: %+v", s.State)
	}

	plain := filepath.Join(t.TempDir(), "plain")
	if err := os.WriteFile(plain, []byte("not a program"), 0o644); err != nil {
		t.Fatal(err)
	}
	withDir := func(r client.ServiceRequest, dir string) client.ServiceRequest { r.Dir = dir; return r }
	for _, tc := range []struct {
		name, want string
		req        client.ServiceRequest
	}{
		{"nopath", "no such file", h.req("/no/such/binary")},
		{"nolookup", "executable file not found", h.req("no-such-command-anywhere")},
		{"noexec", "permission denied", h.req(plain)},
		{"relative", "no such file", withDir(h.req("./missing"), t.TempDir())},
		{"nodir", "/no/such/dir", withDir(h.req("sleep", "1"), "/no/such/dir")},
	} {
		evs := h.put(tc.name, tc.req, 0)
		if e := find(evs, client.EventError); e == nil || !strings.Contains(e.Data, tc.want) {
			t.Errorf("%s: events %+v, want an error with %q", tc.name, evs, tc.want)
		}
		if s := h.get(tc.name); s.State.Status != client.StatusFailed || !strings.Contains(s.State.Error, tc.want) {
			t.Errorf("%s: state %+v", tc.name, s.State)
		}
	}
}

func TestExitInsideWindowEndsStream(t *testing.T) {
	h := startHarness(t)
	begin := time.Now()
	evs := h.put("dies", h.sh("echo bye; exit 7"), 10*time.Second)
	if time.Since(begin) > 5*time.Second {
		t.Errorf("stream lasted %s after the exit", time.Since(begin))
	}
	e := find(evs, client.EventExit)
	if e == nil || e.ExitCode == nil || *e.ExitCode != 7 {
		t.Fatalf("events %+v", evs)
	}
	if dataOf(evs, client.EventStdout) != "bye\n" {
		t.Errorf("output before exit lost: %+v", evs)
	}
	h.stopSvc("dies", time.Second) // cancels the pending restart
}

func TestDeleteKeepsLogAndRestartReplacesRun(t *testing.T) {
	h := startHarness(t)
	h.put("d", h.sh("echo run; exec sleep 3600"), time.Second)
	pid := h.get("d").State.PID
	st, err := h.c.Restart(context.Background(), "local", "d", time.Second)
	evs := events(t, st, err)
	want := []client.EventType{client.EventStopping, client.EventStopped, client.EventStarted}
	if got := types(evs); len(got) < 3 || got[0] != want[0] || got[1] != want[1] || got[2] != want[2] {
		t.Fatalf("restart events %v", got)
	}
	if p := h.get("d").State.PID; p == pid || p == 0 {
		t.Fatalf("pid %d after restart, was %d", p, pid)
	}
	logPath := evs[len(evs)-1].LogFiles.Combined
	if err := h.c.Delete(context.Background(), "local", "d"); err != nil {
		t.Fatal(err)
	}
	if _, err := h.c.Get(context.Background(), "local", "d"); !client.IsNotFound(err) {
		t.Fatalf("get after delete: %v", err)
	}
	if b, err := os.ReadFile(logPath); err != nil || strings.Count(string(b), "[stdout] run") != 2 {
		t.Fatalf("log after delete: %q %v", b, err)
	}
	// The log of a deleted service stays readable.
	st, err = h.c.Logs(context.Background(), "local", "d", client.LogsOptions{})
	if got := dataOf(events(t, st, err), client.EventStdout); got != "run\nrun\n" {
		t.Fatalf("logs after delete %q", got)
	}
}
