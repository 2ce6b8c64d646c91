package client

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestList(t *testing.T) {
	bothStyles(t, func(t *testing.T, f *fakeAPI) {
		svcs, err := f.client().List(context.Background(), "dev")
		if err != nil {
			t.Fatal(err)
		}
		r := f.last()
		if r.Method != http.MethodGet || r.RawPath != f.wantPath("") {
			t.Errorf("request = %s %s; want GET %s", r.Method, r.RawPath, f.wantPath(""))
		}
		if got := r.Header.Get("Authorization"); got != "Bearer org/1/2/secret" {
			t.Errorf("Authorization = %q; want the bearer token", got)
		}
		if got := r.Header.Get("User-Agent"); got != "sprites-mcp" {
			t.Errorf("User-Agent = %q", got)
		}
		if len(svcs) != 2 {
			t.Fatalf("%d services; want 2", len(svcs))
		}
		web, worker := svcs[0], svcs[1]
		if web.Name != "web" || web.HTTPPort == nil || *web.HTTPPort != 8080 || web.State.Status != StatusRunning || web.State.PID != 1234 {
			t.Errorf("web = %+v", web)
		}
		if web.Needs == nil || len(web.Needs) != 0 {
			t.Errorf("web.Needs = %#v; want an empty, non-nil list", web.Needs)
		}
		if !web.State.NextRestartAt.IsZero() {
			t.Errorf("web next_restart_at = %v; the zero time on the wire means none", web.State.NextRestartAt)
		}
		if want := time.Date(2026, 6, 2, 17, 11, 17, 821394512, time.UTC); !web.State.StartedAt.Equal(want) {
			t.Errorf("web started_at = %v; want %v", web.State.StartedAt, want)
		}
		if worker.Env["QUEUE"] != "jobs" || worker.Dir != "/home/sprite/app" || !reflect.DeepEqual(worker.Needs, []string{"web"}) {
			t.Errorf("worker definition = %+v", worker)
		}
		if worker.State.Status != StatusFailed || worker.State.Error != "exited with code 1" || worker.State.RestartCount != 3 || worker.State.NextRestartAt.IsZero() {
			t.Errorf("worker state = %+v", worker.State)
		}
	})
}

func TestListVariants(t *testing.T) {
	f := newFakeAPI(t, PathSprites)
	c := f.client()
	bare, err := c.List(context.Background(), "dev")
	if err != nil {
		t.Fatal(err)
	}
	f.on("list", fixture(t, 200, "application/json", "list_wrapped.json"))
	wrapped, err := c.List(context.Background(), "dev")
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(bare, wrapped) {
		t.Errorf("{\"services\":[...]} decodes differently from the bare array:\n%+v\n%+v", wrapped, bare)
	}
	for _, body := range []string{"[]", "null", `{"services":null}`} {
		f.on("list", reply(200, "application/json", body))
		svcs, err := c.List(context.Background(), "dev")
		if err != nil || svcs == nil || len(svcs) != 0 {
			t.Errorf("list answering %s = %#v, %v; want an empty non-nil list", body, svcs, err)
		}
	}
	f.on("list", reply(200, "application/json", `{"services": [`))
	if _, err := c.List(context.Background(), "dev"); err == nil || !strings.Contains(err.Error(), "list services: decode answer") {
		t.Errorf("broken JSON gave %v; want a decode error naming the operation", err)
	}
}

func TestGet(t *testing.T) {
	bothStyles(t, func(t *testing.T, f *fakeAPI) {
		c := f.client()
		s, err := c.Get(context.Background(), "dev", "web")
		if err != nil {
			t.Fatal(err)
		}
		if r := f.last(); r.Method != http.MethodGet || r.RawPath != f.wantPath("/web") || r.Service != "web" {
			t.Errorf("request = %+v", r)
		}
		// get_minimal: needs null, http_port absent, env and dir absent,
		// unknown fields at both levels.
		if s.Name != "web" || s.Cmd != "python3" || !reflect.DeepEqual(s.Args, []string{"-m", "http.server", "8080"}) {
			t.Errorf("definition = %+v", s)
		}
		if s.Needs == nil || len(s.Needs) != 0 || s.HTTPPort != nil || s.Env != nil || s.Dir != "" {
			t.Errorf("tolerant fields = needs %#v port %v env %v dir %q", s.Needs, s.HTTPPort, s.Env, s.Dir)
		}
		if !s.State.NextRestartAt.IsZero() || s.State.PID != 1234 {
			t.Errorf("state = %+v", s.State)
		}

		f.on("get", fixture(t, 200, "application/json", "get_full.json"))
		s, err = c.Get(context.Background(), "dev", "api")
		if err != nil {
			t.Fatal(err)
		}
		if s.HTTPPort != nil || s.Env["NODE_ENV"] != "production" || s.Dir != "/home/sprite/api" || s.State.Status != StatusStopped || !s.State.StartedAt.IsZero() {
			t.Errorf("get_full = %+v", s)
		}

		// An answer without a name takes the one asked for; bad times are zero.
		f.on("get", reply(200, "application/json", `{"cmd":"x","state":{"status":"running","started_at":"","next_restart_at":null}}`))
		s, err = c.Get(context.Background(), "dev", "nameless")
		if err != nil || s.Name != "nameless" || !s.State.StartedAt.IsZero() {
			t.Errorf("nameless answer = %+v, %v", s, err)
		}
	})
}

func TestPutStreams(t *testing.T) {
	bothStyles(t, func(t *testing.T, f *fakeAPI) {
		port := 8080
		req := ServiceRequest{Cmd: "python3", Args: []string{"-m", "http.server"}, Env: map[string]string{"A": "1"},
			Dir: "/srv", Needs: []string{"db"}, HTTPPort: &port}
		st, err := f.client().Put(context.Background(), "dev", "web", req, 5*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		evs, err := collect(t, st)
		if err != nil {
			t.Fatal(err)
		}
		r := f.last()
		if r.Method != http.MethodPut || r.RawPath != f.wantPath("/web") || r.Query.Get("duration") != "5s" {
			t.Errorf("request = %s %s ?%v", r.Method, r.RawPath, r.Query)
		}
		if ct := r.Header.Get("Content-Type"); ct != "application/json" {
			t.Errorf("Content-Type = %q", ct)
		}
		var body map[string]any
		if err := json.Unmarshal([]byte(r.Body), &body); err != nil {
			t.Fatalf("body %q: %v", r.Body, err)
		}
		want := map[string]any{"cmd": "python3", "args": []any{"-m", "http.server"}, "env": map[string]any{"A": "1"},
			"dir": "/srv", "needs": []any{"db"}, "http_port": 8080.0}
		if !reflect.DeepEqual(body, want) {
			t.Errorf("PUT body = %v; want %v (and no name)", body, want)
		}
		types := make([]EventType, len(evs))
		for i, ev := range evs {
			types[i] = ev.Type
		}
		if !reflect.DeepEqual(types, []EventType{EventStarted, EventStdout, EventStderr, EventComplete}) {
			t.Errorf("event types = %v", types)
		}
		if !st.Complete() || evs[3].LogFiles.Primary() != "/.sprite/logs/services/web.log" || st.Service != nil {
			t.Errorf("complete = %v, log files %+v, service %v", st.Complete(), evs[3].LogFiles, st.Service)
		}
	})
}

func TestPutWatchZeroAndMissingCmd(t *testing.T) {
	f := newFakeAPI(t, PathSprites)
	c := f.client()
	st, err := c.Put(context.Background(), "dev", "web", ServiceRequest{Cmd: "sleep", Args: []string{"1"}}, 0)
	if err != nil {
		t.Fatal(err)
	}
	st.Close()
	if got := f.last().Query.Get("duration"); got != "0" {
		t.Errorf("duration = %q; want 0 (return at once)", got)
	}
	n := len(f.requests())
	if _, err := c.Put(context.Background(), "dev", "web", ServiceRequest{Cmd: "  "}, 0); err == nil || !strings.Contains(err.Error(), "cmd is required") {
		t.Errorf("empty cmd gave %v", err)
	}
	if len(f.requests()) != n {
		t.Error("a request was sent for an empty cmd")
	}
}

// A runtime may answer create with the Service as one JSON object, on one
// line or pretty-printed, whatever its Content-Type says.
func TestPutAnsweringObject(t *testing.T) {
	f := newFakeAPI(t, PathSprites)
	c := f.client()
	for _, tc := range []struct{ file, ct, status string }{
		{"create_object.json", "application/json", "starting"},
		{"create_object_pretty.json", "application/json", "running"},
		{"create_object.json", "text/plain", "starting"},
	} {
		f.on("put", fixture(t, 200, tc.ct, tc.file))
		st, err := c.Put(context.Background(), "dev", "web", ServiceRequest{Cmd: "python3"}, time.Second)
		if err != nil {
			t.Fatal(err)
		}
		evs, err := collect(t, st)
		if err != nil || len(evs) != 0 {
			t.Errorf("%s: %d events, err %v; want none", tc.file, len(evs), err)
		}
		if st.Service == nil || st.Service.Name != "web" || string(st.Service.State.Status) != tc.status || st.Service.Needs == nil {
			t.Errorf("%s (%s): Service = %+v", tc.file, tc.ct, st.Service)
		}
	}
	// An NDJSON stream labelled application/json is still a stream.
	f.on("put", fixture(t, 200, "application/json", "create_stream.ndjson"))
	st, err := c.Put(context.Background(), "dev", "web", ServiceRequest{Cmd: "python3"}, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	evs, err := collect(t, st)
	if err != nil || len(evs) != 4 || st.Service != nil {
		t.Errorf("NDJSON as application/json: %d events, service %v, err %v; want 4 events", len(evs), st.Service, err)
	}
}

func TestPutNameRequiredRetry(t *testing.T) {
	f := newFakeAPI(t, PathSprites)
	f.on("put", sequence(reply(400, "text/plain", "service name required\n"),
		fixture(t, 200, "application/x-ndjson", "create_stream.ndjson")))
	st, err := f.client().Put(context.Background(), "dev", "web", ServiceRequest{Cmd: "python3"}, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	st.Close()
	reqs := f.requests()
	if len(reqs) != 2 {
		t.Fatalf("%d requests; want the refused one and one retry", len(reqs))
	}
	if strings.Contains(reqs[0].Body, `"name"`) {
		t.Errorf("first body %s carries a name; the URL carries it", reqs[0].Body)
	}
	if !strings.Contains(reqs[1].Body, `"name":"web"`) || !strings.Contains(reqs[1].Body, `"cmd":"python3"`) {
		t.Errorf("retry body %s; want the name added to the request", reqs[1].Body)
	}

	// Refused again: only one retry, and the error is the API's.
	g := newFakeAPI(t, PathSprites)
	g.on("put", reply(400, "text/plain", "service name required"))
	_, err = g.client().Put(context.Background(), "dev", "web", ServiceRequest{Cmd: "python3"}, time.Second)
	if !errors.Is(err, ErrBadRequest) || len(g.requests()) != 2 {
		t.Errorf("err %v after %d requests; want a bad request after 2", err, len(g.requests()))
	}
	// Any other 400 is not retried.
	g.on("put", fixture(t, 400, "application/json", "error_list.json"))
	n := len(g.requests())
	_, err = g.client().Put(context.Background(), "dev", "web", ServiceRequest{Cmd: "python3"}, time.Second)
	if !errors.Is(err, ErrBadRequest) || len(g.requests()) != n+1 {
		t.Errorf("other 400: err %v after %d requests; want 1", err, len(g.requests())-n)
	}
}

func TestDelete(t *testing.T) {
	bothStyles(t, func(t *testing.T, f *fakeAPI) {
		c := f.client()
		for _, code := range []int{http.StatusNoContent, http.StatusOK} {
			f.on("delete", status(code))
			if err := c.Delete(context.Background(), "dev", "web"); err != nil {
				t.Errorf("delete answered %d: %v", code, err)
			}
			if r := f.last(); r.Method != http.MethodDelete || r.RawPath != f.wantPath("/web") {
				t.Errorf("request = %s %s", r.Method, r.RawPath)
			}
		}
	})
}

func TestActions(t *testing.T) {
	bothStyles(t, func(t *testing.T, f *fakeAPI) {
		c := f.client()
		ctx := context.Background()
		cases := []struct {
			name, param, value string
			call               func() (*Stream, error)
			first              EventType
		}{
			{"start", "duration", "2s", func() (*Stream, error) { return c.Start(ctx, "dev", "web", 2*time.Second) }, EventStarted},
			{"stop", "timeout", "10s", func() (*Stream, error) { return c.Stop(ctx, "dev", "web", 10*time.Second) }, EventStopping},
			{"restart", "duration", "1m0s", func() (*Stream, error) { return c.Restart(ctx, "dev", "web", time.Minute) }, EventStopping},
		}
		for _, tc := range cases {
			st, err := tc.call()
			if err != nil {
				t.Fatalf("%s: %v", tc.name, err)
			}
			evs, err := collect(t, st)
			if err != nil || len(evs) == 0 || evs[0].Type != tc.first || !st.Complete() || st.Note != "" {
				t.Errorf("%s: events %+v, err %v, note %q", tc.name, evs, err, st.Note)
			}
			r := f.last()
			if r.Method != http.MethodPost || r.RawPath != f.wantPath("/web/"+tc.name) || r.Query.Get(tc.param) != tc.value {
				t.Errorf("%s request = %s %s ?%v; want %s=%s", tc.name, r.Method, r.RawPath, r.Query, tc.param, tc.value)
			}
		}
		stopped, _ := collect(t, must(cases[1].call()))
		if stopped[1].Type != EventStopped || stopped[1].ExitCode == nil || *stopped[1].ExitCode != 143 {
			t.Errorf("stopped event = %+v; want exit code 143", stopped[1])
		}
	})
}

func must(st *Stream, err error) *Stream {
	if err != nil {
		panic(err)
	}
	return st
}

func TestRestartFallsBackToStopStart(t *testing.T) {
	bothStyles(t, func(t *testing.T, f *fakeAPI) {
		f.on("restart", nil) // unknown route: the plain "404 page not found"
		st, err := f.client().Restart(context.Background(), "dev", "web", 3*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		evs, err := collect(t, st)
		if err != nil || len(evs) != 4 || evs[0].Type != EventStarted {
			t.Errorf("events %+v, err %v; want the start stream", evs, err)
		}
		if !strings.Contains(st.Note, "stopped, then started") {
			t.Errorf("Note = %q; the fallback must say so", st.Note)
		}
		var routes []string
		for _, r := range f.requests() {
			routes = append(routes, r.Route)
		}
		if !reflect.DeepEqual(routes, []string{"restart", "stop", "start"}) {
			t.Errorf("routes = %q; want the missing restart, then stop, then start", routes)
		}
		if q := f.last().Query.Get("duration"); q != "3s" {
			t.Errorf("start duration = %q; want the restart's 3s", q)
		}
	})
}

func TestRestartFallbackEdges(t *testing.T) {
	// A stop that answers 409 (not running) still leads to a start.
	f := newFakeAPI(t, PathSprites)
	f.on("restart", nil)
	f.on("stop", fixture(t, 409, "application/json", "error_conflict.json"))
	st, err := f.client().Restart(context.Background(), "dev", "web", time.Second)
	if err != nil {
		t.Fatal(err)
	}
	st.Close()
	if f.last().Route != "start" || st.Note == "" {
		t.Errorf("after a 409 stop the last call was %q, note %q; want start", f.last().Route, st.Note)
	}

	// A JSON 404 means the service is missing: no fallback.
	g := newFakeAPI(t, PathSprites)
	g.on("restart", fixture(t, 404, "application/json", "error_json.json"))
	_, err = g.client().Restart(context.Background(), "dev", "web", time.Second)
	if !IsNotFound(err) || IsRouteNotFound(err) || len(g.requests()) != 1 {
		t.Errorf("missing service: err %v after %d requests; want not found after 1", err, len(g.requests()))
	}

	// A failing stop is reported and nothing is started.
	h := newFakeAPI(t, PathSprites)
	h.on("restart", nil)
	h.on("stop", fixture(t, 404, "application/json", "error_json.json"))
	_, err = h.client().Restart(context.Background(), "dev", "web", time.Second)
	if !IsNotFound(err) || !strings.Contains(err.Error(), "stop then start") || h.last().Route != "stop" {
		t.Errorf("failing stop: %v (last route %q)", err, h.last().Route)
	}
}

func TestSignal(t *testing.T) {
	bothStyles(t, func(t *testing.T, f *fakeAPI) {
		c := f.client()
		for in, want := range map[string]string{"sigterm": "TERM", "SIGKILL": "KILL", " hup ": "HUP", "USR1": "USR1"} {
			if err := c.Signal(context.Background(), "dev", "web", in); err != nil {
				t.Fatal(err)
			}
			r := f.last()
			if r.Method != http.MethodPost || r.RawPath != f.wantPath("/signal") {
				t.Errorf("request = %s %s", r.Method, r.RawPath)
			}
			var body map[string]string
			json.Unmarshal([]byte(r.Body), &body)
			if !reflect.DeepEqual(body, map[string]string{"name": "web", "signal": want}) {
				t.Errorf("signal %q sent body %s; want name web, signal %s", in, r.Body, want)
			}
		}
		f.on("signal", status(http.StatusOK))
		if err := c.Signal(context.Background(), "dev", "web", "TERM"); err != nil {
			t.Errorf("200 answer: %v", err)
		}
		n := len(f.requests())
		if err := c.Signal(context.Background(), "dev", "web", "SIG"); err == nil {
			t.Error("an empty signal name was accepted")
		}
		if len(f.requests()) != n {
			t.Error("an empty signal was sent")
		}
	})
}

func TestLogs(t *testing.T) {
	bothStyles(t, func(t *testing.T, f *fakeAPI) {
		c := f.client()
		st, err := c.Logs(context.Background(), "dev", "web", LogsOptions{Lines: 100})
		if err != nil {
			t.Fatal(err)
		}
		evs, err := collect(t, st)
		if err != nil || len(evs) != 4 || evs[1].Type != EventStderr {
			t.Errorf("events %+v, err %v", evs, err)
		}
		r := f.last()
		if r.Method != http.MethodGet || r.RawPath != f.wantPath("/web/logs") || r.Query.Get("lines") != "100" || r.Query.Has("duration") {
			t.Errorf("request = %s %s ?%v; want lines=100 and no follow", r.Method, r.RawPath, r.Query)
		}
		f.on("logs", fixture(t, 200, "text/plain", "logs_plain.txt"))
		st, err = c.Logs(context.Background(), "dev", "web", LogsOptions{Follow: 30 * time.Second})
		if err != nil {
			t.Fatal(err)
		}
		evs, err = collect(t, st)
		if err != nil || len(evs) != 4 || !evs[0].Raw {
			t.Errorf("plain text logs: %+v, %v", evs, err)
		}
		if q := f.last().Query; q.Get("duration") != "30s" || q.Has("lines") {
			t.Errorf("follow query = %v; want duration=30s and no lines", q)
		}
	})
}

func TestListSprites(t *testing.T) {
	f := newFakeAPI(t, PathSprites)
	page, err := f.client().ListSprites(context.Background(), ListSpritesOptions{Prefix: "mcp-", MaxResults: 500, ContinuationToken: "tok-1"})
	if err != nil {
		t.Fatal(err)
	}
	r := f.last()
	if r.Method != http.MethodGet || r.RawPath != "/v1/sprites" {
		t.Errorf("request = %s %s", r.Method, r.RawPath)
	}
	if r.Query.Get("prefix") != "mcp-" || r.Query.Get("max_results") != "50" || r.Query.Get("continuation_token") != "tok-1" {
		t.Errorf("query = %v; want prefix, max_results capped at 50, continuation_token", r.Query)
	}
	if len(page.Sprites) != 2 || page.Sprites[0].Name != "mcp-dev" || page.Sprites[1].Status != "cold" || !page.HasMore || page.NextContinuationToken != "tok-2" {
		t.Errorf("page = %+v", page)
	}
	f.on("sprites", reply(200, "application/json", `{"has_more":false}`))
	page, err = f.client().ListSprites(context.Background(), ListSpritesOptions{})
	if err != nil || page.Sprites == nil || len(f.last().Query) != 0 {
		t.Errorf("empty page = %+v, %v, query %v", page, err, f.last().Query)
	}
}

// Names at the edges of the rule arrive intact, on every route.
func TestValidNamesArriveIntact(t *testing.T) {
	f := newFakeAPI(t, PathSprites)
	c := f.client()
	sprite, service := "Dev_box.1-a", "9web.v2_x-"+strings.Repeat("y", MaxNameLength-10)
	if _, err := c.Get(context.Background(), sprite, service); err != nil {
		t.Fatal(err)
	}
	r := f.last()
	if r.Sprite != sprite || r.Service != service || strings.Count(r.RawPath, "/") != 5 {
		t.Errorf("server saw sprite %q service %q at %q; want %q %q", r.Sprite, r.Service, r.RawPath, sprite, service)
	}
	st, err := c.Start(context.Background(), sprite, service, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	st.Close()
	if r := f.last(); r.Route != "start" || r.Service != service {
		t.Errorf("start reached %q for %q", r.Route, r.Service)
	}
}

func TestRefusesBadNames(t *testing.T) {
	f := newFakeAPI(t, PathSprites)
	c := f.client()
	bad := []string{"", "a/b", "..", "a..b", "tab\there", "nul\x00", strings.Repeat("x", 64), "bad\xffutf8",
		// Names that would need escaping in a URL, or read as options.
		"dev box", "box#1", "q?", "web%2F", "x;y=1", "é", "-x", ".hidden", "_x"}
	for _, name := range bad {
		if _, err := c.Get(context.Background(), "dev", name); !errors.Is(err, ErrInvalidName) {
			t.Errorf("service name %q: %v; want ErrInvalidName", name, err)
		}
		if _, err := c.List(context.Background(), name); !errors.Is(err, ErrInvalidName) {
			t.Errorf("sprite name %q: %v; want ErrInvalidName", name, err)
		}
	}
	if _, err := c.Start(context.Background(), "dev", "signal", 0); !errors.Is(err, ErrInvalidName) || !strings.Contains(err.Error(), "signal route") {
		t.Errorf("service named signal: %v", err)
	}
	if err := ValidateName("service", strings.Repeat("x", MaxNameLength)); err != nil {
		t.Errorf("a %d-character name was refused: %v", MaxNameLength, err)
	}
	if n := len(f.requests()); n != 0 {
		t.Errorf("%d requests were sent for bad names", n)
	}
	// On the socket the sprite name is not part of the path: any will do.
	s := newFakeAPI(t, PathSocket)
	if _, err := s.client().List(context.Background(), ""); err != nil {
		t.Errorf("socket list without a sprite name: %v", err)
	}
}

func TestClientOptions(t *testing.T) {
	f := newFakeAPI(t, PathSprites)
	c, err := New(f.base, WithUserAgent("agent/1.2"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.List(context.Background(), "dev"); err != nil {
		t.Fatal(err)
	}
	r := f.last()
	if r.Header.Get("User-Agent") != "agent/1.2" || r.Header.Get("Authorization") != "" {
		t.Errorf("headers = %v; want the user agent and no Authorization without a token", r.Header)
	}
	if c.PathStyle() != PathSprites {
		t.Errorf("http base chose style %v", c.PathStyle())
	}

	// A base URL with a path prefix keeps it.
	paths := make(chan string, 1)
	pre := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		paths <- r.URL.EscapedPath()
		w.Write([]byte(`[]`))
	}))
	defer pre.Close()
	pc, _ := New(pre.URL + "/runtime/")
	if _, err := pc.List(context.Background(), "dev"); err != nil {
		t.Fatal(err)
	}
	if got := <-paths; got != "/runtime/v1/sprites/dev/services" {
		t.Errorf("prefixed base reached %q", got)
	}

	for _, base := range []string{"ftp://x", "http://", "unix://", "::"} {
		if _, err := New(base); err == nil {
			t.Errorf("New(%q) accepted a bad base", base)
		}
	}
	if c, err := New(""); err != nil || c.base.Host != "api.sprites.dev" {
		t.Errorf("New(\"\") = %v, %v; want the public API", c, err)
	}
	if c, _ := New("unix:///tmp/x.sock"); c.PathStyle() != PathSocket {
		t.Error("a unix base did not choose the socket path style")
	}
	if c, _ := New("unix:///tmp/x.sock", WithPathStyle(PathSprites)); c.PathStyle() != PathSprites {
		t.Error("WithPathStyle did not override the unix default")
	}
}

func TestFromEnv(t *testing.T) {
	env := func(m map[string]string) func(string) string { return func(k string) string { return m[k] } }
	if got := TokenFromEnv(env(map[string]string{"SPRITES_TOKEN": "a", "SPRITE_TOKEN": "b"})); got != "a" {
		t.Errorf("token = %q; SPRITES_TOKEN wins", got)
	}
	if got := TokenFromEnv(env(map[string]string{"SPRITE_TOKEN": " b\n"})); got != "b" {
		t.Errorf("token = %q; want SPRITE_TOKEN trimmed", got)
	}
	if got := BaseURLFromEnv(env(nil)); got != DefaultBaseURL {
		t.Errorf("base = %q", got)
	}
	if got := BaseURLFromEnv(env(map[string]string{"SPRITES_API_URL": "http://127.0.0.1:9"})); got != "http://127.0.0.1:9" {
		t.Errorf("base = %q", got)
	}
}

// A JSON object that is neither an event nor a Service is not mistaken for
// a Service: it stays in the stream, as raw output.
func TestPutAnsweringOtherObject(t *testing.T) {
	f := newFakeAPI(t, PathSprites)
	f.on("put", reply(200, "application/json", `{"warning":"odd"}`+"\n"))
	st, err := f.client().Put(context.Background(), "dev", "web", ServiceRequest{Cmd: "x"}, 0)
	if err != nil {
		t.Fatal(err)
	}
	evs, err := collect(t, st)
	if err != nil || st.Service != nil || len(evs) != 1 || !evs[0].Raw || evs[0].Data != `{"warning":"odd"}` {
		t.Errorf("events %+v, service %v, err %v", evs, st.Service, err)
	}
}

// A create stream labelled application/json is delivered as it comes: the
// client must not wait for the body to end to tell it from a Service.
func TestPutStreamIsLive(t *testing.T) {
	f := newFakeAPI(t, PathSprites)
	release := make(chan struct{})
	f.on("put", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"type":"started","timestamp":1}` + "\n"))
		w.(http.Flusher).Flush()
		select {
		case <-release:
		case <-r.Context().Done():
		}
		w.Write([]byte(`{"type":"complete"}` + "\n"))
	})
	got := make(chan Event, 1)
	go func() {
		st, err := f.client().Put(context.Background(), "dev", "web", ServiceRequest{Cmd: "x"}, 5*time.Second)
		if err != nil {
			t.Error(err)
			close(got)
			return
		}
		defer st.Close()
		if st.Next() {
			got <- st.Event()
		}
		close(got)
		<-release
		for st.Next() {
		}
	}()
	select {
	case ev := <-got:
		if ev.Type != EventStarted {
			t.Errorf("first event = %+v", ev)
		}
	case <-time.After(5 * time.Second):
		t.Error("the first event did not arrive while the stream stayed open")
	}
	close(release)
}
