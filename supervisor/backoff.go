package supervisor

import (
	"math/rand/v2"
	"time"
)

// The default restart schedule: 1 s doubling to 30 s, and a run of 60 s
// counts as stable (the next crash starts the schedule again).
const (
	defaultBackoffBase = time.Second
	defaultBackoffCap  = 30 * time.Second
	defaultStableAfter = 60 * time.Second
)

// backoffDelay is the wait before restart number attempt (1-based) of a
// crash streak: base, 2·base, 4·base, ... never more than limit.
func backoffDelay(attempt int, base, limit time.Duration) time.Duration {
	if attempt < 1 {
		attempt = 1
	}
	d := base
	for i := 1; i < attempt && d < limit; i++ {
		d *= 2
	}
	return min(d, limit)
}

// withJitter adds up to 10%, never beyond limit, so that services crashing
// together do not restart in lock step.
func withJitter(d, limit time.Duration) time.Duration {
	if d <= 0 {
		return d
	}
	return min(d+rand.N(d/10+1), limit)
}
