// Package backoff is the one schedule of waits between tries used in this
// repository: capped exponential with a floor and random jitter. The
// client waits by it between retries of a read, the supervisor between
// restarts of a crashed service. It uses the standard library only.
package backoff

import (
	"math/rand/v2"
	"time"
)

// Policy is a schedule of waits: attempt 1 waits Floor, each further one
// twice the one before, never more than Cap, and Jitter spreads each wait
// over [step, step·(1+Jitter)], still never past Cap, so that callers who
// failed together do not try again in lock step.
//
// The two users differ only in their figures: the client retries against
// a proxy that many clients may hit at once, so it spreads wide (Jitter 1:
// between one step and the next); the supervisor reports the time of the
// next restart and promises at least the step, so it adds a little
// (Jitter 0.1).
type Policy struct {
	Floor  time.Duration // the first wait, and the least any wait is
	Cap    time.Duration // the longest wait
	Jitter float64       // the random part, a fraction of the step; 0 for none
}

// Step is the wait before try attempt+1 without jitter: Floor doubled
// attempt-1 times, at most Cap. Attempts below 1 count as 1.
func (p Policy) Step(attempt int) time.Duration {
	d := p.Floor
	for i := 1; i < attempt && d < p.Cap; i++ {
		if d > p.Cap/2 {
			return p.Cap // doubling would pass the cap (or overflow)
		}
		d *= 2
	}
	return max(min(d, p.Cap), 0)
}

// Delay is Step with the jitter added: from Step(attempt) to
// Step(attempt)·(1+Jitter), at most Cap.
func (p Policy) Delay(attempt int) time.Duration {
	d := p.Step(attempt)
	if spread := time.Duration(float64(d) * p.Jitter); spread > 0 {
		d += rand.N(spread + 1)
	}
	return min(d, p.Cap)
}
