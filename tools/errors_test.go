package tools

import (
	"encoding/json"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/mark3labs/mcp-go/mcp"

	"github.com/sprites-mcp/sprites-mcp/schema"
)

// TestArgumentErrors checks that bad arguments are tool errors that say
// what was wrong and what is accepted, under both protocol revisions.
func TestArgumentErrors(t *testing.T) {
	cases := []struct {
		tool string
		args map[string]any
		want []string // substrings of the error text
	}{
		{"service_get", map[string]any{"service_nam": "web"}, []string{`unknown argument "service_nam"; did you mean "service_name"?`, "service_name is required", "accepted arguments: sprite, service_name (required)"}},
		{"service_get", map[string]any{"name": "web"}, []string{`unknown argument "name"; did you mean "service_name"?`}},
		{"service_logs", map[string]any{"service_name": "web", "lines": 5000}, []string{"lines 5000 is out of range; use 1 to 2000 (default 100)"}},
		{"service_logs", map[string]any{"service_name": "web", "lines": true}, []string{"lines must be a whole number; got true"}},
		{"service_logs", map[string]any{"service_name": "web", "lines": 2.5}, []string{"lines must be a whole number; got 2.5"}},
		{"service_logs", map[string]any{"service_name": "web", "stream": "stdin"}, []string{`stream "stdin" is not accepted; use one of stdout, stderr, both`}},
		{"service_logs", map[string]any{"service_name": "web", "grep": "a(b"}, []string{`grep "a(b" is not a valid regular expression`}},
		{"service_logs", map[string]any{"service_name": "web", "duration": "10m"}, []string{"duration 10m0s is out of range; use 0 to 5m"}},
		{"service_start", map[string]any{"service_name": "web", "duration": "soon"}, []string{`duration "soon" is not a duration: use a number with a unit such as 500ms, 5s or 2m`}},
		{"service_start", map[string]any{"service_name": "a/b"}, []string{`service name "a/b" contains '/'`}},
		{"service_start", map[string]any{"service_name": "signal"}, []string{"collides with the signal route"}},
		{"service_stop", map[string]any{"service_name": "web", "timeout": "-1s"}, []string{"timeout -1s is out of range; use 0 to 5m"}},
		{"service_signal", map[string]any{"service_name": "web", "signal": "SIGWINCH"}, []string{`signal "SIGWINCH" is not accepted; use one of TERM, HUP, INT, KILL, QUIT, USR1, USR2`}},
		{"service_signal", map[string]any{"service_name": "web"}, []string{"signal is required"}},
		{"service_create", map[string]any{"service_name": "web"}, []string{"cmd is required"}},
		{"service_create", map[string]any{"service_name": "web", "cmd": "x", "env": map[string]any{"A": map[string]any{"b": 1}}}, []string{`env value of "A" must be a string`}},
		{"service_create", map[string]any{"service_name": "web", "cmd": "x", "http_port": 70000}, []string{"http_port 70000 is out of range; use 1 to 65535"}},
		{"service_create", map[string]any{"service_name": "web", "cmd": "x", "needs": []any{"ok", "../x"}}, []string{`needs: service name "../x"`}},
		{"service_list", map[string]any{"sprite": "bad name/"}, []string{`sprite name "bad name/" contains '/'`}},
		{"list_sprites", map[string]any{"prefix": "a", "limit": 3}, []string{`unknown argument "limit"`, "accepted arguments: prefix"}},
	}
	for _, proto := range protocols {
		t.Run(proto, func(t *testing.T) {
			h := newHarness(t, harnessOpts{protocol: proto})
			for _, c := range cases {
				res := h.mustFail(c.tool, c.args)
				for _, w := range c.want {
					if !strings.Contains(text(res), w) {
						t.Errorf("%s(%v): error lacks %q:\n%s", c.tool, c.args, w, text(res))
					}
				}
				if !strings.HasPrefix(text(res), "invalid arguments for "+c.tool) {
					t.Errorf("%s(%v): error does not start with the tool name:\n%s", c.tool, c.args, text(res))
				}
			}
		})
	}
}

// TestLenientArguments checks the slips agents commonly make are accepted:
// "42" for 42, a lone string for a list, SIGTERM for TERM, a bare number of
// seconds for a duration, "K=V" strings for env, a whole command line in cmd.
func TestLenientArguments(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	h.mustOK("service_create", map[string]any{
		"service_name": "db", "cmd": "sleep 60", "env": []any{markEnv + "=" + h.mark}, "duration": 0.2,
	})
	res := h.mustOK("service_create", map[string]any{
		"service_name": "web", "cmd": `sh -c 'echo "ready on port 8080"; exec sleep 60'`,
		"needs": "db", "http_port": "18080", "env": markEnv + "=" + h.mark, "duration": "1 second",
	})
	var act schema.ActionResult
	structured(t, res, &act)
	if act.Service == nil || len(act.Service.Needs) != 1 || act.Service.Needs[0] != "db" || act.Service.HTTPPort != 18080 {
		t.Errorf("needs/http_port not applied: %+v", act.Service)
	}
	if !strings.Contains(text(res), "ready on port 8080") {
		t.Errorf("the split command line did not run as meant:\n%s", text(res))
	}
	res = h.mustOK("service_get", map[string]any{"service_name": "web"})
	var got schema.ServiceResult
	structured(t, res, &got)
	if got.Service.Cmd != "sh" || len(got.Service.Args) != 2 || got.Service.Args[1] != `echo "ready on port 8080"; exec sleep 60` {
		t.Errorf("command line split: cmd %q args %q", got.Service.Cmd, got.Service.Args)
	}
	h.mustOK("service_logs", map[string]any{"service_name": "web", "lines": "42", "stream": "ALL"})
	res = h.mustOK("service_signal", map[string]any{"service_name": "db", "signal": "sigusr1"})
	if !strings.Contains(text(res), "sent USR1") {
		t.Errorf("signal name not normalised:\n%s", text(res))
	}
	h.mustOK("service_stop", map[string]any{"service_name": "web", "timeout": "2"})
}

// TestOutcomes covers the results whose outcome is not the happy one.
func TestOutcomes(t *testing.T) {
	for _, proto := range protocols {
		t.Run(proto, func(t *testing.T) {
			h := newHarness(t, harnessOpts{protocol: proto})

			// A crash at start-up: isError, exit code, and the cause line.
			res := h.mustFail("service_create", map[string]any{
				"service_name": "api", "cmd": "sh", "env": h.env(), "duration": "3s",
				"args": []any{"-c", "echo booting; echo 'Error: listen EADDRINUSE: address already in use :::8080' >&2; exit 3"},
			})
			txt := text(res)
			if !regexp.MustCompile(`^api on local: failed at start-up \(exit code 3\)`).MatchString(txt) {
				t.Errorf("crash outcome line:\n%s", txt)
			}
			if !strings.Contains(txt, "\ncause: Error: listen EADDRINUSE: address already in use :::8080\n") {
				t.Errorf("crash result lacks the cause line:\n%s", txt)
			}
			var act schema.ActionResult
			structured(t, res, &act)
			if act.Reached || act.ExitCode == nil || *act.ExitCode != 3 || !strings.Contains(act.Cause, "EADDRINUSE") {
				t.Errorf("crash structured: %+v", act)
			}

			// Stopping the crash loop: a success, and no restart is pending.
			res = h.mustOK("service_stop", map[string]any{"service_name": "api"})
			var stopped schema.ActionResult
			structured(t, res, &stopped)
			if !stopped.Reached || stopped.Service == nil || stopped.Service.NextRestartAt != "" || stopped.Service.PID != 0 {
				t.Errorf("stop of a crash loop: %+v\n%s", stopped, text(res))
			}

			// A program that does not exist: the runtime's error, isError.
			res = h.mustFail("service_create", map[string]any{
				"service_name": "ghost", "cmd": "/nonexistent/program", "env": h.env(), "duration": "1s",
			})
			if !strings.HasPrefix(text(res), "ghost on local: failed") || !strings.Contains(text(res), "/nonexistent/program") {
				t.Errorf("bad cmd:\n%s", text(res))
			}

			// An unknown service: the closest existing name.
			h.mustOK("service_create", map[string]any{"service_name": "web", "cmd": "sleep", "args": "60", "env": h.env(), "duration": "0"})
			for _, tool := range []string{"service_get", "service_start", "service_stop", "service_restart", "service_logs", "service_signal"} {
				args := map[string]any{"service_name": "wbe"}
				if tool == "service_signal" {
					args["signal"] = "HUP"
				}
				res = h.mustFail(tool, args)
				if want := `no service "wbe" on local; did you mean "web"? it has api, ghost, web`; text(res) != want {
					t.Errorf("%s on an unknown service: got %q, want %q", tool, text(res), want)
				}
			}
			res = h.mustFail("service_get", map[string]any{"service_name": "zzzzzzzz"})
			if !strings.Contains(text(res), `no service "zzzzzzzz" on local; it has api, ghost, web`) {
				t.Errorf("unknown service without a close one:\n%s", text(res))
			}

			// An unknown sprite.
			res = h.mustFail("service_list", map[string]any{"sprite": "locl"})
			if !strings.Contains(text(res), `no sprite "locl"; did you mean "local"?`) {
				t.Errorf("unknown sprite:\n%s", text(res))
			}

			// Signal to a stopped service: a tool error that says why.
			h.mustOK("service_stop", map[string]any{"service_name": "web"})
			res = h.mustFail("service_signal", map[string]any{"service_name": "web", "signal": "HUP"})
			if !strings.Contains(text(res), "web on local is stopped, so no HUP was sent") {
				t.Errorf("signal to a stopped service:\n%s", text(res))
			}

			// Deleting a service another one needs: refused, saying which.
			h.mustOK("service_create", map[string]any{"service_name": "top", "cmd": "sleep", "args": "60", "needs": "web", "env": h.env(), "duration": "0"})
			res = h.mustFail("service_delete", map[string]any{"service_name": "web"})
			if !strings.HasPrefix(text(res), "web on local was not deleted: ") || !strings.Contains(text(res), "needed by top") {
				t.Errorf("delete of a needed service:\n%s", text(res))
			}

			// A second holder of an http_port: the runtime's 409 with its
			// reason, and advice that fits a port conflict.
			h.mustOK("service_create", map[string]any{"service_name": "p1", "cmd": "sleep", "args": "60", "http_port": 18123, "env": h.env(), "duration": "0"})
			res = h.mustFail("service_create", map[string]any{"service_name": "p2", "cmd": "sleep", "args": "60", "http_port": 18123, "env": h.env(), "duration": "0"})
			if !strings.Contains(text(res), `already held by service "p1"`) || !strings.Contains(text(res), "choose another http_port") {
				t.Errorf("http_port conflict:\n%s", text(res))
			}

			// An unknown need: the runtime's 400, passed on with a hint.
			res = h.mustFail("service_create", map[string]any{"service_name": "app", "cmd": "sleep", "args": "1", "needs": "nosuch"})
			if !strings.Contains(text(res), "nosuch") {
				t.Errorf("unknown need:\n%s", text(res))
			}
		})
	}
}

// TestProgress checks that a call with a progress token gets throttled
// progress notifications carrying the latest output line.
func TestProgress(t *testing.T) {
	for _, proto := range protocols {
		t.Run(proto, func(t *testing.T) {
			h := newHarness(t, harnessOpts{protocol: proto})
			start := time.Now()
			res, err := h.callErr("service_create", map[string]any{
				"service_name": "chatty", "cmd": "sh", "env": h.env(), "duration": "2s",
				"args": []any{"-c", "i=0; while [ $i -lt 400 ]; do echo tick $i; i=$((i+1)); sleep 0.005; done; exec sleep 60"},
			}, &mcp.Meta{ProgressToken: "tok-1"})
			elapsed := time.Since(start)
			if err != nil || res.IsError {
				t.Fatalf("create: %v %s", err, text(res))
			}
			notes := h.progressNotes()
			if len(notes) < 2 {
				t.Fatalf("got %d progress notifications in %s, want several", len(notes), elapsed)
			}
			// At most 4 a second, plus the first one.
			if max := int(elapsed.Seconds()*4) + 1; len(notes) > max {
				t.Errorf("got %d progress notifications in %s: more than 4 a second", len(notes), elapsed)
			}
			last := 0.0
			for _, n := range notes {
				// Decode as a client on the wire would (in process, the
				// values arrive as Go values).
				var p struct {
					Token    string  `json:"progressToken"`
					Progress float64 `json:"progress"`
					Message  string  `json:"message"`
				}
				b, _ := json.Marshal(n.Params.AdditionalFields)
				if err := json.Unmarshal(b, &p); err != nil {
					t.Fatalf("progress params %s: %v", b, err)
				}
				if p.Token != "tok-1" {
					t.Errorf("progress token %q", p.Token)
				}
				if p.Progress <= last {
					t.Errorf("progress did not increase: %v after %v", p.Progress, last)
				}
				last = p.Progress
				if !strings.HasPrefix(p.Message, "tick ") {
					t.Errorf("progress message %q is not an output line", p.Message)
				}
			}
			// Without a token: none.
			before := len(h.progressNotes())
			h.mustOK("service_restart", map[string]any{"service_name": "chatty", "duration": "1s"})
			if after := len(h.progressNotes()); after != before {
				t.Errorf("%d progress notifications without a progress token", after-before)
			}
		})
	}
}
