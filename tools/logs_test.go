package tools

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/mark3labs/mcp-go/mcp"

	"github.com/sprites-mcp/sprites-mcp/schema"
)

var followedRE = regexp.MustCompile(`— followed \d+\.\ds`)

// TestLogsFollow checks service_logs with duration follows new output for
// that long, with progress, and still bounds the tail to lines.
func TestLogsFollow(t *testing.T) {
	for _, proto := range protocols {
		t.Run(proto, func(t *testing.T) {
			h := newHarness(t, harnessOpts{protocol: proto})
			script := `i=0; while true; do echo "beat $i"; i=$((i+1)); sleep 0.05; done`
			h.mustOK("service_create", map[string]any{"service_name": "beat", "cmd": "sh", "args": []any{"-c", script}, "env": h.env(), "duration": "0"})
			start := time.Now()
			res, err := h.callErr("service_logs", map[string]any{"service_name": "beat", "duration": "1500ms", "lines": 5},
				&mcp.Meta{ProgressToken: 7})
			elapsed := time.Since(start)
			if err != nil || res.IsError {
				t.Fatalf("logs follow: %v %s", err, text(res))
			}
			var out schema.LogsResult
			structured(t, res, &out)
			if elapsed < 1400*time.Millisecond || out.FollowedSeconds < 1.4 {
				t.Errorf("followed %.1fs (call took %s), want about 1.5s", out.FollowedSeconds, elapsed)
			}
			// About 30 beats arrive while following; only the last 5 are kept.
			if out.Scanned < 10 || len(out.Lines) != 5 || !strings.HasPrefix(out.Lines[4].Text, "beat ") {
				t.Errorf("follow: scanned %d, lines %+v", out.Scanned, out.Lines)
			}
			// The span is whatever the call took (1.5s idle, more on a
			// loaded machine), written as shortSpan writes seconds.
			if !followedRE.MatchString(text(res)) {
				t.Errorf("follow text:\n%s", text(res))
			}
			if n := len(h.progressNotes()); n < 2 || n > 8 {
				t.Errorf("%d progress notifications while following 1.5s, want 2 to 7", n)
			}
		})
	}
}
