package tools

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/sprites-mcp/sprites-mcp/schema"
)

// TestLogsSince checks since on the embedded runtime, under both protocol
// revisions, as a duration back from now and as an RFC 3339 time: the
// lines before it are left out, alone and combined with grep, stream and
// lines.
func TestLogsSince(t *testing.T) {
	for _, proto := range protocols {
		t.Run(proto, func(t *testing.T) {
			h := newHarness(t, harnessOpts{protocol: proto})
			// Old lines, three seconds of quiet, new lines.
			script := `echo "old a"; echo "old err" >&2; sleep 3; echo "new a"; echo "new err" >&2; echo "new b"; exec sleep 60`
			h.mustOK("service_create", map[string]any{"service_name": "app", "cmd": "sh", "args": []any{"-c", script}, "env": h.env(), "duration": "0"})
			waitForLine(t, h, "app", "old err")
			time.Sleep(300 * time.Millisecond)
			between := time.Now() // after the old lines, before the new ones
			waitForLine(t, h, "app", "new b")

			logs := func(args map[string]any) (schema.LogsResult, string) {
				t.Helper()
				args["service_name"] = "app"
				res := h.mustOK("service_logs", args)
				var out schema.LogsResult
				structured(t, res, &out)
				return out, text(res)
			}
			// stdout and stderr are read from two pipes, so their lines may
			// interleave either way: compare them sorted.
			texts := func(out schema.LogsResult) string {
				var l []string
				for _, x := range out.Lines {
					l = append(l, x.Text)
				}
				slices.Sort(l)
				return strings.Join(l, "|")
			}
			for _, c := range []struct {
				args map[string]any
				want string
			}{
				// The new lines are under a second old, the old ones three.
				{map[string]any{"since": "2s"}, "new a|new b|new err"},
				{map[string]any{"since": between.UTC().Format(time.RFC3339Nano)}, "new a|new b|new err"},
				{map[string]any{"since": "1h"}, "new a|new b|new err|old a|old err"},
				{map[string]any{"since": "2s", "grep": "err"}, "new err"},
				// A line is matched without its newline, so $ anchors its end.
				{map[string]any{"since": "1h", "grep": "^(new|old) err$"}, "new err|old err"},
				{map[string]any{"since": "2 seconds", "stream": "stdout"}, "new a|new b"},
				{map[string]any{"since": "2s", "lines": 1, "stream": "stdout"}, "new b"},
				{map[string]any{"since": "2s", "lines": 2, "stream": "stdout"}, "new a|new b"},
				{map[string]any{"since": between.UTC().Format(time.RFC3339Nano), "grep": "^new", "stream": "stderr", "lines": 5}, "new err"},
			} {
				out, txt := logs(c.args)
				if got := texts(out); got != c.want {
					t.Errorf("%v: lines %q, want %q\n%s", c.args, got, c.want, txt)
				}
				if out.Since == "" || !strings.Contains(txt, " since "+out.Since) {
					t.Errorf("%v: since %q not said:\n%s", c.args, out.Since, txt)
				}
			}
			// since with lines alone reads only the latest lines.
			if out, _ := logs(map[string]any{"since": "1h", "lines": 2}); len(out.Lines) != 2 || out.Scanned != 2 ||
				!strings.HasPrefix(out.Lines[0].Text, "new") || !strings.HasPrefix(out.Lines[1].Text, "new") {
				t.Errorf("since 1h, lines 2: scanned %d, %+v", out.Scanned, out.Lines)
			}
			out, _ := logs(map[string]any{"since": "2s", "grep": "err"})
			if out.Matched != 1 || out.Scanned != 3 {
				t.Errorf("since with grep: matched %d of %d, want 1 of the 3 new lines", out.Matched, out.Scanned)
			}
			if _, err := time.Parse(time.RFC3339, out.Since); err != nil {
				t.Errorf("since in the result: %v", err)
			}
			// RFC 3339 at whole seconds, long ago: everything.
			if out, _ := logs(map[string]any{"since": "2020-01-01T00:00:00Z"}); texts(out) != "new a|new b|new err|old a|old err" {
				t.Errorf("since 2020: %q", texts(out))
			}
			res := h.mustFail("service_logs", map[string]any{"service_name": "app", "since": "yesterday"})
			if !strings.Contains(text(res), `since "yesterday" is neither a duration back from now (90s, 10m, 2h) nor an RFC 3339 time`) {
				t.Errorf("bad since:\n%s", text(res))
			}
			h.mustOK("service_stop", map[string]any{"service_name": "app", "timeout": "2s"})
		})
	}
}

// waitForLine polls service_logs until the service has written line.
func waitForLine(t *testing.T, h *harness, service, line string) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !strings.Contains(text(h.mustOK("service_logs", map[string]any{"service_name": service})), line) {
		if time.Now().After(deadline) {
			t.Fatalf("%s never wrote %q", service, line)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
