package httpserver

import (
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/mark3labs/mcp-go/server"
)

// TestPageBehindHostOriginChecks: the page (the dashboard) serves every
// path but /mcp and /healthz, behind the same Host and Origin checks as
// /mcp; without a page those paths are not found.
func TestPageBehindHostOriginChecks(t *testing.T) {
	log := slog.New(slog.DiscardHandler)
	l := &Listener{log: log}
	for _, tc := range []struct {
		name, method, path, host, origin string
		status                           int
		reachesPage                      bool
	}{
		{"the page", "GET", "/", "127.0.0.1:8080", "", 200, true},
		{"its API", "GET", "/api/events", "localhost:8080", "", 200, true},
		{"a login from the page", "POST", "/login", "127.0.0.1:8080", "http://127.0.0.1:8080", 200, true},
		{"DNS rebinding", "GET", "/", "evil.example.com:8080", "", 403, false},
		{"a login from a foreign page", "POST", "/login", "127.0.0.1:8080", "https://evil.example.com", 403, false},
		{"an action from an opaque origin", "POST", "/api/action", "127.0.0.1:8080", "null", 403, false},
		{"healthz is not the page", "GET", "/healthz", "127.0.0.1:8080", "", 200, false},
	} {
		page := &reached{}
		h := l.handler(server.NewMCPServer("t", "0"), true, newStreamSet(log), "v", "k", page)
		r := httptest.NewRequest(tc.method, tc.path, nil)
		r.Host = tc.host
		if tc.origin != "" {
			r.Header.Set("Origin", tc.origin)
		}
		w := serve(h, r)
		if w.Code != tc.status || (page.r != nil) != tc.reachesPage {
			t.Errorf("%s: status %d, page reached %v; want %d, %v", tc.name, w.Code, page.r != nil, tc.status, tc.reachesPage)
		}
	}
	h := l.handler(server.NewMCPServer("t", "0"), true, newStreamSet(log), "v", "k", nil)
	r := httptest.NewRequest(http.MethodGet, "/", nil)
	r.Host = "127.0.0.1:8080"
	if w := serve(h, r); w.Code != http.StatusNotFound {
		t.Errorf("GET / without a page: %d, want 404", w.Code)
	}
}
