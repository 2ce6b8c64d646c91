package client

import (
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// fakeAPI is a real HTTP server that speaks the Services API wire format
// from the fixtures in testdata, in either path style, and records every
// request it gets. Tests change what a route answers with on.
type fakeAPI struct {
	t      testing.TB
	srv    *httptest.Server
	style  PathStyle
	base   string // what to pass to New
	mu     sync.Mutex
	reqs   []recorded
	routes map[string]http.HandlerFunc
}

// recorded is one request as the server saw it.
type recorded struct {
	Method  string
	RawPath string // escaped, as sent
	Route   string // list, get, put, delete, start, stop, restart, signal, logs, sprites
	Sprite  string // unescaped; empty on the socket style
	Service string // unescaped
	Query   url.Values
	Header  http.Header
	Body    string
}

// newFakeAPI starts a server on 127.0.0.1 (PathSprites) or on a unix
// socket in a short temp dir (PathSocket), with the documented answers.
func newFakeAPI(t testing.TB, style PathStyle) *fakeAPI {
	t.Helper()
	f := &fakeAPI{t: t, style: style, routes: map[string]http.HandlerFunc{}}
	f.srv = httptest.NewUnstartedServer(http.HandlerFunc(f.serve))
	if style == PathSocket {
		// Socket paths are limited to about 100 bytes: t.TempDir is too long.
		dir, err := os.MkdirTemp("", "sk")
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { os.RemoveAll(dir) })
		sock := filepath.Join(dir, "api.sock")
		ln, err := net.Listen("unix", sock)
		if err != nil {
			t.Fatal(err)
		}
		f.srv.Listener.Close()
		f.srv.Listener = ln
		f.base = "unix://" + sock
	}
	f.srv.Start()
	t.Cleanup(f.srv.Close)
	if style == PathSprites {
		f.base = f.srv.URL
	}
	f.defaults()
	return f
}

// client returns a client of this server with fast retries.
func (f *fakeAPI) client(opts ...Option) *Client {
	f.t.Helper()
	all := append([]Option{WithToken("org/1/2/secret"), WithRetry(3, 5*time.Millisecond)}, opts...)
	c, err := New(f.base, all...)
	if err != nil {
		f.t.Fatal(err)
	}
	return c
}

// on replaces what a route answers.
func (f *fakeAPI) on(route string, h http.HandlerFunc) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.routes[route] = h
}

// requests returns a copy of what the server received so far.
func (f *fakeAPI) requests() []recorded {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]recorded(nil), f.reqs...)
}

// last returns the last request, failing the test if there was none.
func (f *fakeAPI) last() recorded {
	f.t.Helper()
	r := f.requests()
	if len(r) == 0 {
		f.t.Fatal("the server received no request")
	}
	return r[len(r)-1]
}

// defaults installs the documented answer of every route.
func (f *fakeAPI) defaults() {
	f.routes["list"] = fixture(f.t, http.StatusOK, "application/json", "list_array.json")
	f.routes["get"] = fixture(f.t, http.StatusOK, "application/json", "get_minimal.json")
	f.routes["put"] = fixture(f.t, http.StatusOK, "application/x-ndjson", "create_stream.ndjson")
	f.routes["delete"] = status(http.StatusNoContent)
	f.routes["start"] = fixture(f.t, http.StatusOK, "application/x-ndjson", "create_stream.ndjson")
	f.routes["stop"] = fixture(f.t, http.StatusOK, "application/x-ndjson", "stop.ndjson")
	f.routes["restart"] = fixture(f.t, http.StatusOK, "application/x-ndjson", "restart.ndjson")
	f.routes["signal"] = status(http.StatusNoContent)
	f.routes["logs"] = fixture(f.t, http.StatusOK, "application/x-ndjson", "logs.ndjson")
	f.routes["sprites"] = fixture(f.t, http.StatusOK, "application/json", "sprites_page.json")
}

// serve routes by the escaped path, the way the real API does, so the
// test sees exactly which segments the client sent.
func (f *fakeAPI) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	rec := recorded{Method: r.Method, RawPath: r.URL.EscapedPath(), Query: r.URL.Query(),
		Header: r.Header.Clone(), Body: string(body)}
	route, ok := f.route(r.Method, rec.RawPath, &rec)
	rec.Route = route
	f.mu.Lock()
	f.reqs = append(f.reqs, rec)
	h := f.routes[route]
	f.mu.Unlock()
	w.Header().Set("Sprite-Version", "test-1.0")
	if !ok || h == nil {
		http.NotFound(w, r) // the Go router's plain "404 page not found"
		return
	}
	h(w, r)
}

// route names the endpoint of method and escaped path, filling in the
// sprite and service names it carries.
func (f *fakeAPI) route(method, raw string, rec *recorded) (string, bool) {
	segs := strings.Split(strings.TrimPrefix(raw, "/"), "/")
	for i, s := range segs {
		u, err := url.PathUnescape(s)
		if err != nil {
			return "", false
		}
		segs[i] = u
	}
	if f.style == PathSprites {
		if len(segs) == 2 && segs[0] == "v1" && segs[1] == "sprites" && method == http.MethodGet {
			return "sprites", true
		}
		if len(segs) < 4 || segs[0] != "v1" || segs[1] != "sprites" || segs[3] != "services" {
			return "", false
		}
		rec.Sprite = segs[2]
		segs = segs[3:]
	} else {
		if len(segs) < 2 || segs[0] != "v1" || segs[1] != "services" {
			return "", false
		}
		segs = segs[1:]
	}
	// segs is now services[/svc[/action]].
	switch {
	case len(segs) == 1 && method == http.MethodGet:
		return "list", true
	case len(segs) == 2 && segs[1] == "signal" && method == http.MethodPost:
		return "signal", true
	case len(segs) == 2:
		rec.Service = segs[1]
		switch method {
		case http.MethodGet:
			return "get", true
		case http.MethodPut:
			return "put", true
		case http.MethodDelete:
			return "delete", true
		}
	case len(segs) == 3:
		rec.Service = segs[1]
		switch {
		case segs[2] == "logs" && method == http.MethodGet:
			return "logs", true
		case method == http.MethodPost && (segs[2] == "start" || segs[2] == "stop" || segs[2] == "restart"):
			return segs[2], true
		}
	}
	return "", false
}

// readFixture returns a file of testdata.
func readFixture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// fixture answers with a testdata file.
func fixture(t testing.TB, code int, contentType, name string) http.HandlerFunc {
	body := readFixture(t, name)
	return reply(code, contentType, string(body))
}

// reply answers with a fixed body.
func reply(code int, contentType, body string) http.HandlerFunc {
	return func(w http.ResponseWriter, _ *http.Request) {
		if contentType != "" {
			w.Header().Set("Content-Type", contentType)
		}
		w.WriteHeader(code)
		io.WriteString(w, body)
	}
}

// status answers with an empty body.
func status(code int) http.HandlerFunc {
	return func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(code) }
}

// sequence answers each call with the next handler, the last one forever.
func sequence(hs ...http.HandlerFunc) http.HandlerFunc {
	var mu sync.Mutex
	n := 0
	return func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		h := hs[min(n, len(hs)-1)]
		n++
		mu.Unlock()
		h(w, r)
	}
}

// collect reads a whole stream and closes it.
func collect(t testing.TB, st *Stream) ([]Event, error) {
	t.Helper()
	defer st.Close()
	var evs []Event
	for ev := range st.All() {
		evs = append(evs, ev)
	}
	return evs, st.Err()
}

// bothStyles runs a test against the public path style over TCP and the
// socket path style over a unix socket.
func bothStyles(t *testing.T, test func(t *testing.T, f *fakeAPI)) {
	for _, style := range []PathStyle{PathSprites, PathSocket} {
		name := map[PathStyle]string{PathSprites: "sprites", PathSocket: "socket"}[style]
		t.Run(name, func(t *testing.T) { test(t, newFakeAPI(t, style)) })
	}
}

// wantPath is the escaped path the client must send for sprite dev.
func (f *fakeAPI) wantPath(rest string) string {
	if f.style == PathSprites {
		return "/v1/sprites/dev/services" + rest
	}
	return "/v1/services" + rest
}
