package app

import (
	"io"
	"log/slog"
	"os"
	"time"

	"github.com/lmittmann/tint"
)

// NewLogger writes to w only: stdout belongs to MCP. Text is coloured only
// on a terminal.
func NewLogger(w io.Writer, level slog.Level, format string) *slog.Logger {
	if format == "json" {
		return slog.New(slog.NewJSONHandler(w, &slog.HandlerOptions{Level: level}))
	}
	f, isFile := w.(*os.File)
	return slog.New(tint.NewTextHandler(w, &tint.Options{Level: level, TimeFormat: time.TimeOnly,
		NoColor: !isFile || !isTerminal(f)}))
}
