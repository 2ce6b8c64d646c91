package tools

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
)

// TestAuthorize checks every tool that names a sprite asks Deps.Authorize
// with the sprite it resolved (the argument, else the default) before
// anything reaches the backend, and that a refusal is a tool error carrying
// the hook's message; list_sprites names no sprite and is not asked.
func TestAuthorize(t *testing.T) {
	var (
		mu       sync.Mutex
		asked    []string
		requests atomic.Int64 // requests that reached the backend
	)
	refusal := func(sprite string) string { return fmt.Sprintf("sprite %q is outside this client's scope", sprite) }
	h := newHarness(t, harnessOpts{
		authorize: func(ctx context.Context, sprite string) error {
			if ctx == nil {
				t.Error("Authorize got a nil context")
			}
			mu.Lock()
			asked = append(asked, sprite)
			mu.Unlock()
			if sprite == "local" {
				return fmt.Errorf("%s", refusal(sprite))
			}
			return nil
		},
		through: func(sock string) http.Handler {
			p := proxyTo(sock, nil)
			return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				requests.Add(1)
				p.ServeHTTP(w, r)
			})
		},
	})
	lastAsked := func() []string {
		mu.Lock()
		defer mu.Unlock()
		out := slices.Clone(asked)
		asked = nil
		return out
	}
	calls := map[string]map[string]any{
		"service_list":    {},
		"service_get":     {"service_name": "web"},
		"service_create":  {"service_name": "web", "cmd": "sleep 60", "duration": "0"},
		"service_start":   {"service_name": "web", "duration": "0"},
		"service_stop":    {"service_name": "web"},
		"service_restart": {"service_name": "web", "duration": "0"},
		"service_logs":    {"service_name": "web"},
		"service_delete":  {"service_name": "web"},
		"service_signal":  {"service_name": "web", "signal": "HUP"},
	}
	for _, d := range designHints {
		args, ok := calls[d.name]
		if d.name == "list_sprites" {
			continue
		}
		if !ok {
			t.Fatalf("no call for %s in the table", d.name)
		}
		// The default sprite, refused: nothing reaches the backend.
		res := h.mustFail(d.name, args)
		if text(res) != refusal("local") {
			t.Errorf("%s refused: got %q, want the hook's message", d.name, text(res))
		}
		if got := lastAsked(); !slices.Equal(got, []string{"local"}) {
			t.Errorf("%s asked Authorize about %v, want [local] (the default sprite)", d.name, got)
		}
		if n := requests.Load(); n != 0 {
			t.Fatalf("%s: %d requests reached the backend after a refusal", d.name, n)
		}
		// A named sprite, allowed: the hook gets it (trimmed) and the call
		// goes on to the backend, which has no such sprite.
		named := map[string]any{"sprite": " other "}
		for k, v := range args {
			named[k] = v
		}
		res = h.call(d.name, named)
		if strings.Contains(text(res), "outside") {
			t.Errorf("%s on an allowed sprite was refused:\n%s", d.name, text(res))
		}
		if got := lastAsked(); !slices.Equal(got, []string{"other"}) {
			t.Errorf("%s asked Authorize about %v, want [other]", d.name, got)
		}
		if requests.Swap(0) == 0 {
			t.Errorf("%s on an allowed sprite did not reach the backend", d.name)
		}
	}
	// Bad arguments are refused before the hook is asked.
	h.mustFail("service_get", map[string]any{"service_name": "a/b"})
	if got := lastAsked(); len(got) != 0 {
		t.Errorf("Authorize asked %v for a call with bad arguments", got)
	}
	// list_sprites names no sprite: not asked, and it answers.
	h.mustOK("list_sprites", nil)
	if got := lastAsked(); len(got) != 0 {
		t.Errorf("list_sprites asked Authorize about %v", got)
	}
}
