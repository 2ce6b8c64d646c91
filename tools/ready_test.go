package tools

import (
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/sprites-mcp/sprites-mcp/schema"
)

// TestReady checks ready on the embedded runtime, under both protocol
// revisions: a line that comes after a delay ends the call at once (the
// window is 30s), the service runs on after the stream is cancelled, and
// start and restart wait for it too.
func TestReady(t *testing.T) {
	for _, proto := range protocols {
		t.Run(proto, func(t *testing.T) {
			h := newHarness(t, harnessOpts{protocol: proto})
			// The line comes on stderr, a second after the start.
			script := `echo booting; sleep 1; echo "listening on 8080" >&2; echo serving; exec sleep 60`
			start := time.Now()
			res := h.mustOK("service_create", map[string]any{
				"service_name": "web", "cmd": "sh", "args": []any{"-c", script}, "env": h.env(),
				"ready": `listening on \d+`,
			})
			took := time.Since(start)
			txt := text(res)
			if !regexp.MustCompile(`^web on local: ready after \d+\.\ds \(matched /listening on \\d\+/\) — pid \d+\n`).MatchString(txt) {
				t.Errorf("ready outcome line:\n%s", txt)
			}
			if !strings.Contains(txt, "\nline: listening on 8080\n") {
				t.Errorf("the matching line is not shown:\n%s", txt)
			}
			var act schema.ActionResult
			structured(t, res, &act)
			r := act.Ready
			if r == nil || !r.Matched || r.Line != "listening on 8080" || r.Pattern != `listening on \d+` || r.Seconds < 0.9 {
				t.Fatalf("readiness: %+v", r)
			}
			if !act.Reached || act.Outcome != "ready" || act.Status != "running" || act.PID <= 0 || act.Cut {
				t.Errorf("ready structured: %+v", act)
			}
			// It returned on the line, not at the end of the 30s window.
			if took < 900*time.Millisecond || took > 15*time.Second || r.Seconds > float64(took)/float64(time.Second)+0.1 {
				t.Errorf("create with ready took %s (readiness %.1fs), want about 1s", took, r.Seconds)
			}
			// Cancelling the stream left the service running.
			time.Sleep(300 * time.Millisecond)
			var got schema.ServiceResult
			structured(t, h.mustOK("service_get", map[string]any{"service_name": "web"}), &got)
			if got.Service.Status != "running" || got.Service.PID != act.PID {
				t.Errorf("after ready: %+v, want running with pid %d", got.Service, act.PID)
			}

			// restart waits for the new process's line, not the old one's.
			res = h.mustOK("service_restart", map[string]any{"service_name": "web", "ready": "^listening", "duration": "20s"})
			structured(t, res, &act)
			if act.Outcome != "ready" || act.Ready == nil || act.Ready.Seconds < 0.9 || act.PID == got.Service.PID {
				t.Errorf("restart with ready: %+v (old pid %d)\n%s", act, got.Service.PID, text(res))
			}

			h.mustOK("service_stop", map[string]any{"service_name": "web", "timeout": "2s"})
			res = h.mustOK("service_start", map[string]any{"service_name": "web", "ready": "serving"})
			structured(t, res, &act)
			if act.Outcome != "ready" || act.Ready.Line != "serving" || act.Status != "running" {
				t.Errorf("start with ready: %+v\n%s", act, text(res))
			}
			// Starting it again: already running, said at once; its
			// start-up lines came before this call.
			start = time.Now()
			res = h.mustOK("service_start", map[string]any{"service_name": "web", "ready": "serving"})
			structured(t, res, &act)
			if act.Outcome != "already running" || !act.Reached || !strings.Contains(text(res), "ready: not checked, it was already running") {
				t.Errorf("start a running service with ready: %+v\n%s", act, text(res))
			}
			if took := time.Since(start); took > 10*time.Second {
				t.Errorf("start of a running service with ready took %s", took)
			}
			h.mustOK("service_stop", map[string]any{"service_name": "web", "timeout": "2s"})
		})
	}
}

// TestReadyNeverMatched checks a window that ends with no match is a tool
// error that says the service still runs, its pid and its last lines.
func TestReadyNeverMatched(t *testing.T) {
	for _, proto := range protocols {
		t.Run(proto, func(t *testing.T) {
			h := newHarness(t, harnessOpts{protocol: proto})
			script := `echo starting; echo "still warming up"; exec sleep 60`
			start := time.Now()
			res := h.mustFail("service_create", map[string]any{
				"service_name": "slow", "cmd": "sh", "args": []any{"-c", script}, "env": h.env(),
				"ready": "accepting connections", "duration": "1500ms",
			})
			took := time.Since(start)
			txt := text(res)
			var act schema.ActionResult
			structured(t, res, &act)
			want := regexp.MustCompile(`^slow on local: not ready after 1\.\ds: no output line matched /accepting connections/; still running \(pid (\d+)\)\. `)
			if m := want.FindStringSubmatch(txt); m == nil || m[1] != strconv.Itoa(act.PID) {
				t.Errorf("not-ready outcome line (pid %d):\n%s", act.PID, txt)
			}
			if !strings.Contains(txt, "still warming up") {
				t.Errorf("the last lines are not shown:\n%s", txt)
			}
			if act.Reached || act.Outcome != "not ready" || act.Status != "running" || act.PID <= 0 || act.Cause != "" {
				t.Errorf("not-ready structured: %+v", act)
			}
			if r := act.Ready; r == nil || r.Matched || r.Line != "" || r.Seconds < 1.4 {
				t.Errorf("readiness: %+v", r)
			}
			if took < 1400*time.Millisecond {
				t.Errorf("returned after %s, before the 1.5s window ended", took)
			}
			h.mustOK("service_stop", map[string]any{"service_name": "slow", "timeout": "2s"})
		})
	}
}

// TestReadyDiedFirst checks a service that exits before its line is
// reported as today's failure at once, not at the end of the window.
func TestReadyDiedFirst(t *testing.T) {
	for _, proto := range protocols {
		t.Run(proto, func(t *testing.T) {
			h := newHarness(t, harnessOpts{protocol: proto})
			script := `echo "fatal: no config file" >&2; sleep 0.3; exit 3`
			start := time.Now()
			res := h.mustFail("service_create", map[string]any{
				"service_name": "dies", "cmd": "sh", "args": []any{"-c", script}, "env": h.env(),
				"ready": "listening",
			})
			took := time.Since(start)
			txt := text(res)
			if !strings.HasPrefix(txt, "dies on local: failed at start-up (exit code 3)") || !strings.Contains(txt, "cause: fatal: no config file") ||
				!strings.Contains(txt, "ready: no output line matched /listening/ before that") {
				t.Errorf("died-first text:\n%s", txt)
			}
			var act schema.ActionResult
			structured(t, res, &act)
			if act.Reached || act.Outcome != "failed at start-up" || act.ExitCode == nil || *act.ExitCode != 3 {
				t.Errorf("died-first structured: %+v", act)
			}
			if r := act.Ready; r == nil || r.Matched {
				t.Errorf("readiness: %+v", r)
			}
			if took > 10*time.Second {
				t.Errorf("a service that died at once took %s to report (window 30s)", took)
			}
			h.mustOK("service_stop", map[string]any{"service_name": "dies", "timeout": "1s"})
		})
	}
}

// TestReadyRefusals checks a bad pattern, and ready with no time to wait,
// are argument errors that change nothing.
func TestReadyRefusals(t *testing.T) {
	for _, proto := range protocols {
		t.Run(proto, func(t *testing.T) {
			h := newHarness(t, harnessOpts{protocol: proto})
			res := h.mustFail("service_create", map[string]any{"service_name": "web", "cmd": "sleep", "args": "60", "ready": "listening (on"})
			if txt := text(res); !strings.Contains(txt, `ready "listening (on" is not a valid regular expression (Go RE2 syntax): error parsing regexp: missing closing )`) {
				t.Errorf("bad pattern:\n%s", txt)
			}
			res = h.mustFail("service_create", map[string]any{"service_name": "web", "cmd": "sleep", "args": "60", "ready": "x", "duration": "0"})
			if txt := text(res); !strings.Contains(txt, "duration 0 leaves no time to wait for ready") {
				t.Errorf("ready with duration 0:\n%s", txt)
			}
			res = h.mustFail("service_start", map[string]any{"service_name": "web", "ready": "*"})
			if txt := text(res); !strings.Contains(txt, `ready "*" is not a valid regular expression`) {
				t.Errorf("bad pattern on start:\n%s", txt)
			}
			var list schema.ServiceListResult
			structured(t, h.mustOK("service_list", nil), &list)
			if list.Total != 0 {
				t.Errorf("refused calls created services: %+v", list)
			}
		})
	}
}
