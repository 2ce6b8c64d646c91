package httpserver

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/sprites-mcp/sprites-mcp/internal/config"
)

// TestRefusalLogWarnsOncePerPeriod: within a period only the first refusal
// is a warning; the next warning says how many came in between.
func TestRefusalLogWarnsOncePerPeriod(t *testing.T) {
	var buf bytes.Buffer
	l := newRefusalLog(slog.New(slog.NewJSONHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug})))
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	l.now = func() time.Time { return now }
	for range 5 {
		l.refused("http: unauthenticated request", "reason", "invalid bearer token")
	}
	logs := buf.String()
	if w, d := countLogAt(logs, "WARN", "http: unauthenticated request"), countLogAt(logs, "DEBUG", "http: unauthenticated request"); w != 1 || d != 4 {
		t.Errorf("5 refusals in one period: %d warnings, %d debug lines; want 1 and 4\n%s", w, d, logs)
	}
	now = now.Add(config.RefusalWarnEvery)
	buf.Reset()
	l.refused("http: unauthenticated request", "reason", "invalid bearer token")
	if countLogAt(buf.String(), "WARN", "http: unauthenticated request") != 1 || !strings.Contains(buf.String(), `"refused_since_last_warning":4`) {
		t.Errorf("first refusal of the next period:\n%s", buf.String())
	}
}

// countLogAt counts the lines of a JSON log whose message is msg at level.
func countLogAt(logs, level, msg string) int {
	n := 0
	for _, line := range strings.Split(logs, "\n") {
		var m struct {
			Level string `json:"level"`
			Msg   string `json:"msg"`
		}
		if json.Unmarshal([]byte(line), &m) == nil && m.Msg == msg && m.Level == level {
			n++
		}
	}
	return n
}
