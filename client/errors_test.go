package client

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"
)

// Every error status becomes an *APIError with the right sentinel and a
// message that says what was wrong with what.
func TestErrorStatuses(t *testing.T) {
	cases := []struct {
		name     string
		handler  http.HandlerFunc
		sentinel error
		want     string // the whole message, for the sprites path style
	}{
		{"404 json", fixture(t, 404, "application/json", "error_json.json"), ErrNotFound,
			`get service: service "web" not found on sprite "dev" (not_found: service web not found)`},
		{"404 route", fixture(t, 404, "text/plain", "error_plain.txt"), ErrNotFound,
			`get service: the API has no route for this (the runtime may be older than this client) (404 page not found)`},
		{"409", fixture(t, 409, "application/json", "error_conflict.json"), ErrConflict,
			`get service: service "web" on sprite "dev": conflict with its current state (conflict: another service already holds http_port 8080)`},
		{"401", reply(401, "application/json", `{"error":"unauthorized"}`), ErrUnauthorized,
			`get service: service "web" on sprite "dev": unauthorized (check SPRITES_TOKEN) (unauthorized)`},
		{"403", reply(403, "text/plain", "token may only reach sprites named mcp-*\n"), ErrUnauthorized,
			`get service: service "web" on sprite "dev": forbidden for this token (token may only reach sprites named mcp-*)`},
		{"400 list", fixture(t, 400, "application/json", "error_list.json"), ErrBadRequest,
			`get service: service "web" on sprite "dev": bad request (signal must be one of TERM, HUP, INT, KILL, QUIT, USR1, USR2; name is required)`},
		{"500 text", reply(500, "text/plain", "  boom  \n"), ErrServer,
			`get service: service "web" on sprite "dev": server error HTTP 500 (a waking Sprite can cause this; try again) (boom)`},
		{"418", reply(418, "", ""), nil,
			`get service: service "web" on sprite "dev": HTTP 418`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newFakeAPI(t, PathSprites)
			f.on("get", tc.handler)
			_, err := f.client().Get(context.Background(), "dev", "web")
			var ae *APIError
			if !errors.As(err, &ae) {
				t.Fatalf("err = %v (%T); want *APIError", err, err)
			}
			if tc.sentinel != nil && !errors.Is(err, tc.sentinel) {
				t.Errorf("errors.Is(%v, %v) is false", err, tc.sentinel)
			}
			if err.Error() != tc.want {
				t.Errorf("message\n got  %s\n want %s", err, tc.want)
			}
			if ae.Op != "get service" || ae.Sprite != "dev" || ae.Service != "web" || ae.StatusCode == 0 {
				t.Errorf("fields = %+v", ae)
			}
		})
	}
}

func TestErrorHelpers(t *testing.T) {
	f := newFakeAPI(t, PathSocket)
	c := f.client()
	f.on("get", fixture(t, 404, "application/json", "error_json.json"))
	_, err := c.Get(context.Background(), "", "web")
	if !IsNotFound(err) || IsRouteNotFound(err) || IsConflict(err) {
		t.Errorf("json 404: helpers disagree: %v", err)
	}
	if want := `get service: service "web" not found (not_found: service web not found)`; err.Error() != want {
		t.Errorf("socket message = %q; want %q", err, want)
	}
	f.on("get", fixture(t, 404, "text/plain", "error_plain.txt"))
	if _, err := c.Get(context.Background(), "", "web"); !IsRouteNotFound(err) || !IsNotFound(err) {
		t.Errorf("plain 404: %v; want a route not found", err)
	}
	f.on("stop", fixture(t, 409, "application/json", "error_conflict.json"))
	if _, err := c.Stop(context.Background(), "", "web", time.Second); !IsConflict(err) {
		t.Errorf("409: %v", err)
	}
	f.on("list", reply(401, "", ""))
	if _, err := c.List(context.Background(), ""); !IsUnauthorized(err) || !strings.Contains(err.Error(), "list services: sprites: unauthorized") {
		t.Errorf("401: %v", err)
	}
	g := newFakeAPI(t, PathSprites)
	g.on("list", fixture(t, 404, "application/json", "error_json.json"))
	if _, err := g.client().List(context.Background(), "nope"); !IsNotFound(err) || !strings.HasPrefix(err.Error(), `list services: sprite "nope" not found`) {
		t.Errorf("sprite 404: %v", err)
	}
}

func TestRateLimitError(t *testing.T) {
	f := newFakeAPI(t, PathSprites)
	// One try only, to look at the error itself.
	c := f.client(WithRetry(1, 0))
	f.on("get", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", "7")
		fixture(t, 429, "application/json", "error_429.json")(w, r)
	})
	_, err := c.Get(context.Background(), "dev", "web")
	var ae *APIError
	if !errors.As(err, &ae) || !IsRateLimited(err) || ae.RetryAfter != 7*time.Second {
		t.Fatalf("err = %v; want rate limited with the header's 7s", err)
	}
	if !strings.Contains(err.Error(), "rate limited, retry after 7s (rate_limited: too many requests)") {
		t.Errorf("message = %q", err)
	}
	// Without the header, the body's retry_after_seconds counts.
	f.on("get", fixture(t, 429, "application/json", "error_429.json"))
	_, err = c.Get(context.Background(), "dev", "web")
	if !errors.As(err, &ae) || ae.RetryAfter != 2*time.Second {
		t.Errorf("RetryAfter = %v; want the body's 2s", ae.RetryAfter)
	}
}

func TestErrorBodyIsBounded(t *testing.T) {
	f := newFakeAPI(t, PathSprites)
	f.on("get", reply(500, "text/plain", strings.Repeat("é", 100<<10)))
	_, err := f.client(WithRetry(1, 0)).Get(context.Background(), "dev", "web")
	var ae *APIError
	if !errors.As(err, &ae) {
		t.Fatal(err)
	}
	if len(ae.Body) > 520 || !strings.HasSuffix(ae.Body, "…") || strings.ContainsRune(ae.Body, '\uFFFD') {
		t.Errorf("body kept %d bytes (%q…); want at most ~512, cut on a rune", len(ae.Body), ae.Body[:20])
	}
}

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2026, 6, 2, 17, 0, 0, 0, time.UTC)
	for in, want := range map[string]time.Duration{
		"":                              0,
		"3":                             3 * time.Second,
		"0.5":                           500 * time.Millisecond,
		"-1":                            0,
		"soon":                          0,
		"Tue, 02 Jun 2026 17:00:30 GMT": 30 * time.Second,
		"Tue, 02 Jun 2026 16:00:00 GMT": 0,
	} {
		if got := parseRetryAfter(in, now); got != want {
			t.Errorf("parseRetryAfter(%q) = %v; want %v", in, got, want)
		}
	}
}

// A 409 that says the service is not running is also ErrNotRunning (for a
// stop: already stopped); any other 409 is only a conflict.
func TestErrNotRunning(t *testing.T) {
	for _, tc := range []struct {
		body string
		want bool
	}{
		{`service "web" is not running (status stopped)`, true},
		{`{"error":"conflict","message":"service not running"}`, true},
		{`{"error":"conflict","message":"another service already holds http_port 8080"}`, false},
	} {
		e := newAPIError("stop service", "dev", "web", &http.Response{StatusCode: 409, Header: http.Header{}}, []byte(tc.body))
		if !IsConflict(e) || IsNotRunning(e) != tc.want || errors.Is(e, ErrNotRunning) != tc.want {
			t.Errorf("%s: conflict %v, not running %v; want true, %v", tc.body, IsConflict(e), IsNotRunning(e), tc.want)
		}
	}
	e := newAPIError("stop service", "dev", "web", &http.Response{StatusCode: 404, Header: http.Header{}}, []byte("service not running"))
	if IsNotRunning(e) {
		t.Error("a 404 matched ErrNotRunning")
	}
}
