package resources

import "time"

// Watchers reports how many sprite watchers run.
func (r *Resources) Watchers() int { return r.subs.watching() }

// OnPoll sets a function called after each poll a watcher has acted on.
func (r *Resources) OnPoll(f func(sprite string)) {
	r.OnPollStarted(func(sprite string, _ time.Time) { f(sprite) })
}

// OnPollStarted is OnPoll with the time the poll started.
func (r *Resources) OnPollStarted(f func(sprite string, started time.Time)) { r.polled.Store(&f) }

// Prepared counts read outcomes waiting for their handler.
func (r *Resources) Prepared() int {
	n := 0
	r.prepared.Range(func(_, _ any) bool { n++; return true })
	return n
}
