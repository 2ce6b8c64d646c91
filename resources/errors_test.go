package resources_test

import (
	"strings"
	"testing"
)

// TestReadErrors: a missing sprite or service, or a malformed URI, is a
// not-found error whose message says what exists; never empty contents.
func TestReadErrors(t *testing.T) {
	h := newHarness(t)
	h.create("web", sleeper())
	h.create("worker", sleeper())

	cases := []struct {
		uri  string
		want []string // all in the message
	}{
		{"sprites://local/services/wbe", []string{`no service "wbe" on local`, `did you mean "web"?`, "web, worker"}},
		{"sprites://local/services/nothing-like-it", []string{`no service "nothing-like-it" on local`, "web, worker"}},
		{"sprites://local/services/wbe/logs", []string{`no service "wbe" on local`, `did you mean "web"?`}},
		{"sprites://local/services/wbe/logs?lines=5", []string{`no service "wbe" on local`}},
		{"sprites://elsewhere/services", []string{`no sprite "elsewhere"`, `this server serves sprite "local"`}},
		{"sprites://elsewhere/services/web", []string{`no sprite "elsewhere"`, `sprites://local/services`}},
		{"sprites://local/servicez", []string{"malformed resource URI", "expected sprites://{sprite}/services"}},
		{"sprites://local/services/", []string{"malformed resource URI", `service name ""`}},
		{"sprites://local/services/web/extra", []string{"malformed resource URI", "unexpected path"}},
		{"sprites://local/services/web?lines=5", []string{"malformed resource URI", "only the logs resource takes a query"}},
		{"sprites://local/services/web/logs?lines=9999", []string{"lines must be a whole number from 1 to 2000"}},
		{"sprites://lo cal/services", []string{"malformed resource URI", `sprite name "lo cal"`}},
		{"sprites://local/services/signal", []string{"malformed resource URI", `service name "signal"`}},
	}
	for _, p := range protocols {
		t.Run(p.Name, func(t *testing.T) {
			c := h.connect(p.Opts, p.Name)
			for _, tc := range cases {
				err := readErr(t, c, tc.uri)
				wantNotFound(t, c, err)
				for _, w := range tc.want {
					if !strings.Contains(err.Error(), w) {
						t.Errorf("read %s: error %q lacks %q", tc.uri, err, w)
					}
				}
			}
			// A URI of another scheme is simply not ours.
			wantNotFound(t, c, readErr(t, c, "file:///etc/passwd"))
		})
	}
}

// TestReadErrorOnEmptySprite: with no services at all, the message says so
// and how to make one.
func TestReadErrorOnEmptySprite(t *testing.T) {
	h := newHarness(t)
	for _, p := range protocols {
		t.Run(p.Name, func(t *testing.T) {
			c := h.connect(p.Opts, p.Name)
			err := readErr(t, c, "sprites://local/services/web")
			wantNotFound(t, c, err)
			if !strings.Contains(err.Error(), "it has no services yet") {
				t.Errorf("error %q does not say the sprite is empty", err)
			}
			// The list of an empty sprite is not an error: it is empty.
			text, _ := readText(t, c, "sprites://local/services")
			if !strings.Contains(text, `"count":0`) || !strings.Contains(text, `"services":[]`) {
				t.Errorf("empty list reads %s", text)
			}
		})
	}
}
