package supervisor

import (
	"time"

	"github.com/sprites-mcp/sprites-mcp/internal/backoff"
)

// The default restart schedule: 1 s doubling to 30 s, and a run of 60 s
// counts as stable (the next crash starts the schedule again).
const (
	defaultBackoffBase = time.Second
	defaultBackoffCap  = 30 * time.Second
	defaultStableAfter = 60 * time.Second
)

// restartJitter spreads restarts up to 10% past their step, never beyond
// the cap, so that services crashing together do not restart in lock step,
// while a restart still never comes before its step.
const restartJitter = 0.1

// restartPolicy is the crash-restart schedule of t.
func (t tuning) restartPolicy() backoff.Policy {
	return backoff.Policy{Floor: t.backoffBase, Cap: t.backoffCap, Jitter: restartJitter}
}
