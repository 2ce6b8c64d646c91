package resources

// Watchers reports how many sprite watchers run.
func (r *Resources) Watchers() int { return r.subs.watching() }

// OnPoll sets a function called after each poll a watcher has acted on.
func (r *Resources) OnPoll(f func(sprite string)) { r.polled.Store(&f) }

// Prepared counts read outcomes waiting for their handler.
func (r *Resources) Prepared() int {
	n := 0
	r.prepared.Range(func(_, _ any) bool { n++; return true })
	return n
}
