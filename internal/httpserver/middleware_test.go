package httpserver

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sprites-mcp/sprites-mcp/internal/auth"
	"github.com/sprites-mcp/sprites-mcp/internal/config"
)

// reached is the handler behind a middleware under test: it answers 200
// and records the request it was handed.
type reached struct{ r *http.Request }

func (h *reached) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h.r = r
	w.WriteHeader(http.StatusOK)
}

func serve(h http.Handler, r *http.Request) *httptest.ResponseRecorder {
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

func discardRefusals() *refusalLog { return newRefusalLog(slog.New(slog.DiscardHandler)) }

func TestHostOrigin(t *testing.T) {
	for _, tc := range []struct {
		name           string
		loopback       bool
		host, origin   string
		wantStatus     int
		wantBodySaying string
	}{
		{"program on loopback", true, "127.0.0.1:8080", "", 200, ""},
		{"localhost Host", true, "localhost:8080", "", 200, ""},
		{"IPv6 loopback Host", true, "[::1]:8080", "", 200, ""},
		{"DNS rebinding", true, "evil.example.com:8080", "", 403, "DNS rebinding"},
		{"foreign Host off loopback", false, "sprites.example.com", "", 200, ""},
		{"allowed Origin, any case", false, "sprites.example.com", "https://APP.example.com:443", 200, ""},
		{"foreign Origin", false, "sprites.example.com", "https://evil.example.com", 403, "--allowed-origins"},
		{"opaque Origin", true, "127.0.0.1:8080", "null", 403, "not allowed"},
		{"loopback page of this host", true, "127.0.0.1:8080", "http://127.0.0.1:8080", 200, ""},
		{"loopback page of another port", true, "127.0.0.1:8080", "http://127.0.0.1:1", 403, "not allowed"},
	} {
		next := &reached{}
		h := hostOrigin{loopback: tc.loopback, origins: []string{"https://app.example.com"}, refusals: discardRefusals()}.wrap(next)
		r := httptest.NewRequest(http.MethodPost, "/mcp", nil)
		r.Host = tc.host
		if tc.origin != "" {
			r.Header.Set("Origin", tc.origin)
		}
		w := serve(h, r)
		if w.Code != tc.wantStatus || (tc.wantStatus == 200) != (next.r != nil) || !strings.Contains(w.Body.String(), tc.wantBodySaying) {
			t.Errorf("%s: status %d, reached %v, body %s; want %d saying %q", tc.name, w.Code, next.r != nil, w.Body, tc.wantStatus, tc.wantBodySaying)
		}
	}
}

// chunked hides a reader's length, so the body arrives without
// Content-Length and the limit must hold while reading.
type chunked struct{ io.Reader }

// endless is a body that never ends.
type endless struct{}

func (endless) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = 'x'
	}
	return len(p), nil
}

func TestLimitBody(t *testing.T) {
	big := strings.Repeat("x", config.MaxRequestBody+1)
	exact := strings.Repeat("y", config.MaxRequestBody)
	for _, tc := range []struct {
		name   string
		body   io.Reader
		status int
	}{
		{"over the limit, with Content-Length", strings.NewReader(big), 413},
		{"over the limit, chunked", chunked{strings.NewReader(big)}, 413},
		{"at the limit", chunked{strings.NewReader(exact)}, 200},
	} {
		next := &reached{}
		w := serve(limitBody(next), httptest.NewRequest(http.MethodPost, "/mcp", tc.body))
		if w.Code != tc.status {
			t.Errorf("%s: status %d, want %d", tc.name, w.Code, tc.status)
			continue
		}
		if tc.status == 413 {
			if next.r != nil || !strings.Contains(w.Body.String(), "over 1 MiB") {
				t.Errorf("%s: reached the handler, or says %s", tc.name, w.Body)
			}
			continue
		}
		// The handler reads the whole body, and later middlewares see it too.
		got, _ := io.ReadAll(next.r.Body)
		if string(got) != exact || string(bodyOf(next.r)) != exact || next.r.ContentLength != int64(len(exact)) {
			t.Errorf("%s: the handler read %d bytes, bodyOf %d, ContentLength %d", tc.name, len(got), len(bodyOf(next.r)), next.r.ContentLength)
		}
	}
	// A body that never ends is cut at the limit, not read forever.
	done := make(chan int, 1)
	go func() {
		done <- serve(limitBody(&reached{}), httptest.NewRequest(http.MethodPost, "/mcp", chunked{endless{}})).Code
	}()
	select {
	case code := <-done:
		if code != 413 {
			t.Errorf("endless body: status %d, want 413", code)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("endless body: still reading after 20s")
	}

	// A GET has no body to read: it passes untouched.
	next := &reached{}
	if w := serve(limitBody(next), httptest.NewRequest(http.MethodGet, "/mcp", nil)); w.Code != 200 || bodyOf(next.r) != nil {
		t.Errorf("GET: %d", w.Code)
	}
}

// TestTrackedStreamsEndOnCloseAll: a GET stream and a subscriptions/listen
// end when a shutdown calls closeAll, as does one opened after it; an
// ordinary call, even one that mentions subscriptions/listen, does not (a
// shutdown drains it instead).
func TestTrackedStreamsEndOnCloseAll(t *testing.T) {
	streams := newStreamSet(slog.New(slog.DiscardHandler))
	started := make(chan context.Context)
	release := make(chan struct{})
	defer close(release)
	h := chain(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		started <- r.Context()
		select {
		case <-r.Context().Done():
		case <-release:
		}
	}), limitBody, streams.track)
	start := func(method, body string) context.Context {
		t.Helper()
		go serve(h, httptest.NewRequest(method, "/mcp", strings.NewReader(body)))
		select {
		case ctx := <-started:
			return ctx
		case <-time.After(10 * time.Second):
			t.Fatalf("%s %s never reached the handler", method, body)
			return nil
		}
	}
	const (
		listen = `{"jsonrpc":"2.0","id":1,"method":"subscriptions/listen","params":{}}`
		call   = `{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"x","arguments":{"note":"subscriptions/listen"}}}`
	)
	get, lis, other := start(http.MethodGet, ""), start(http.MethodPost, listen), start(http.MethodPost, call)
	streams.closeAll()
	late := start(http.MethodGet, "")
	for name, ctx := range map[string]context.Context{"GET stream": get, "subscriptions/listen": lis, "GET after closeAll": late} {
		select {
		case <-ctx.Done():
		case <-time.After(10 * time.Second):
			t.Errorf("%s still open after closeAll", name)
		}
	}
	if other.Err() != nil {
		t.Error("closeAll ended an ordinary call, which a shutdown must drain instead")
	}
}

func sha256Hex(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

func TestBearer(t *testing.T) {
	p := filepath.Join(t.TempDir(), "auth.json")
	doc := fmt.Sprintf(`{"clients":[{"name":"dev","token_sha256":%q,"sprites":["dev-*"]},{"name":"ops","token_sha256":%q,"sprites":["*"]}]}`,
		sha256Hex("tok-dev"), sha256Hex("tok-ops"))
	if err := os.WriteFile(p, []byte(doc), 0o600); err != nil {
		t.Fatal(err)
	}
	a, err := auth.LoadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	var logs bytes.Buffer
	b := bearer{auth: a, refusals: newRefusalLog(slog.New(slog.NewJSONHandler(&logs, nil)))}

	// The session ID each client would be issued.
	devSession := func() string {
		r := httptest.NewRequest(http.MethodPost, "/mcp", nil)
		r.Header.Set("Authorization", "Bearer tok-dev")
		c, _ := a.Authenticate(r)
		return sessionIDs{}.ResolveSessionIdManager(r.WithContext(auth.WithClient(r.Context(), c))).Generate()
	}()

	for _, tc := range []struct {
		name       string
		method     string
		headers    map[string]string
		status     int
		challenge  string // a WWW-Authenticate prefix, for 401
		wantClient string
	}{
		{"no token", "POST", nil, 401, `Bearer realm="sprites-mcp"`, ""},
		{"wrong token", "POST", map[string]string{"Authorization": "Bearer nope"}, 401, `Bearer realm="sprites-mcp", error="invalid_token"`, ""},
		{"not bearer", "POST", map[string]string{"Authorization": "Basic tok-dev"}, 401, `Bearer realm="sprites-mcp"`, ""},
		{"right token", "POST", map[string]string{"Authorization": "Bearer tok-dev"}, 200, "", "dev"},
		{"own session", "GET", map[string]string{"Authorization": "Bearer tok-dev", "Mcp-Session-Id": devSession}, 200, "", "dev"},
		{"another client's session", "GET", map[string]string{"Authorization": "Bearer tok-ops", "Mcp-Session-Id": devSession}, 404, "", ""},
		{"CORS preflight needs no token", "OPTIONS", map[string]string{"Access-Control-Request-Method": "POST"}, 200, "", ""},
		{"OPTIONS that is no preflight", "OPTIONS", nil, 401, `Bearer realm="sprites-mcp"`, ""},
	} {
		next := &reached{}
		r := httptest.NewRequest(tc.method, "/mcp", nil)
		for k, v := range tc.headers {
			r.Header.Set(k, v)
		}
		w := serve(b.wrap(next), r)
		if w.Code != tc.status {
			t.Errorf("%s: status %d, want %d: %s", tc.name, w.Code, tc.status, w.Body)
			continue
		}
		if ch := w.Header().Get("WWW-Authenticate"); tc.status == 401 && ch != tc.challenge {
			t.Errorf("%s: WWW-Authenticate %q, want %q", tc.name, ch, tc.challenge)
		}
		if tc.status != 200 {
			var body map[string]string
			if next.r != nil || json.Unmarshal(w.Body.Bytes(), &body) != nil || body["error"] == "" {
				t.Errorf("%s: reached the handler, or no JSON error: %s", tc.name, w.Body)
			}
			continue
		}
		c, ok := auth.ClientFrom(next.r.Context())
		if (tc.wantClient != "") != ok || (ok && c.Name != tc.wantClient) {
			t.Errorf("%s: client in context %v %v, want %q", tc.name, c, ok, tc.wantClient)
		}
	}
	if strings.Contains(logs.String(), "tok-") {
		t.Errorf("a token reached the log:\n%s", logs.String())
	}
}
