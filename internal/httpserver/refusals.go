package httpserver

import (
	"log/slog"
	"sync"
	"time"

	"github.com/sprites-mcp/sprites-mcp/internal/config"
)

// refusalLog logs the requests the middlewares refuse. Anyone who can
// reach the port decides how many of those there are, so at most one per
// config.RefusalWarnEvery is a Warn (saying how many were refused since the
// last one); the rest are Debug. An operator still learns that refusals happen
// and can see each one with --log-level debug, and a flood costs no disk.
type refusalLog struct {
	log *slog.Logger
	now func() time.Time

	mu         sync.Mutex
	nextWarn   time.Time
	suppressed int // refusals logged at Debug since the last Warn
}

func newRefusalLog(log *slog.Logger) *refusalLog {
	return &refusalLog{log: log, now: time.Now}
}

// refused logs one refusal: msg with attrs.
func (l *refusalLog) refused(msg string, attrs ...any) {
	l.mu.Lock()
	now := l.now()
	warn := !now.Before(l.nextWarn)
	suppressed := l.suppressed
	if warn {
		l.nextWarn = now.Add(config.RefusalWarnEvery)
		l.suppressed = 0
	} else {
		l.suppressed++
	}
	l.mu.Unlock()
	if !warn {
		l.log.Debug(msg, attrs...)
		return
	}
	if suppressed > 0 {
		attrs = append(attrs, "refused_since_last_warning", suppressed)
	}
	l.log.Warn(msg, attrs...)
}
