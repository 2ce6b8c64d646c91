package supervisor

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"
)

// A startRun is one start of a service: its needs first (each running, or
// accepting on its http_port), then its own process. The wait for needs
// holds no lock, so a slow need never holds anyone's answer: a stop,
// delete, restart or changed PUT cancels the wait (haltLocked), and a start
// or unchanged PUT joins it (beginStartLocked returns it). Only the launch
// itself runs under the op lock, and only while the start is still the
// service's pending one.
type startRun struct {
	ctx      context.Context // ends when the start is cancelled or the runtime shuts down
	cancel   context.CancelFunc
	waiting  chan struct{} // closed once the start has to wait for a need
	waitOnce sync.Once
	done     chan struct{} // closed at the end; the fields below are set before
	p        *proc         // the run launched (or already live); nil when none
	err      error
	evs      []Event // started or error: what a stream watching this start reports
	// target is what the answer's preflight resolved for a detached start,
	// so that its exec does not look the command up again; nil otherwise.
	// Set before the start's goroutine begins.
	target *execTarget
	// auto marks a start nobody asked for (boot, crash restart): its needs
	// are not started when explicitly stopped, since that stop is sticky.
	// A start a person asks for that joins it clears the mark.
	auto atomic.Bool
}

// startCause says who asked for a start; it decides what happens to the
// crash counters and to a sticky stop.
type startCause int

const (
	// causeUser is a start, restart or PUT: it resets the crash counters
	// and clears a sticky stop.
	causeUser startCause = iota
	// causeUserSame is a PUT that changes nothing: it starts the service
	// if it is not running and clears a sticky stop, but keeps the crash
	// counters — repeating a definition is not a fresh start.
	causeUserSame
	// causeUserNeed is a need of a start a person asked for: starting the
	// dependent means starting it, so it clears its sticky stop too.
	causeUserNeed
	// causeAuto is a boot or crash restart, or a need of one: it never
	// overrides an explicit stop, it is refused instead.
	causeAuto
)

// errNeed marks a start refused because a need could not be started.
var errNeed = errors.New("a needed service failed")

// errNeedStopped refuses an automatic start of a service that was
// explicitly stopped.
var errNeedStopped = errors.New("it was explicitly stopped")

// errStartCancelled ends a start that a stop, delete, restart or new
// definition replaced.
var errStartCancelled = errors.New("the start was cancelled by a stop, delete, restart or new definition")

func newStartRun(parent context.Context) *startRun {
	ctx, cancel := context.WithCancel(parent)
	return &startRun{ctx: ctx, cancel: cancel, waiting: make(chan struct{}), done: make(chan struct{})}
}

// markWaiting records that the start waits for a need that is not ready.
func (st *startRun) markWaiting() { st.waitOnce.Do(func() { close(st.waiting) }) }

func (st *startRun) finish(p *proc, err error, evs ...Event) {
	st.p, st.err, st.evs = p, err, evs
	st.cancel()
	close(st.done)
}

// finishedStart is the start of a service that already runs.
func finishedStart(p *proc) *startRun {
	st := newStartRun(context.Background())
	st.finish(p, nil)
	return st
}

// beginStartLocked starts the service unless it runs already or a start is
// in progress (that start is returned, to be joined). The op lock is held.
// A service without needs is launched here and then; one with needs is
// launched by a goroutine once they are ready. cause says whether the
// crash counters reset and whether a sticky stop is cleared or refuses
// the start (errNeedStopped). Clearing a sticky stop is recorded for the
// state file.
func (s *service) beginStartLocked(cause startCause) *startRun {
	return s.beginStart(cause, false)
}

// beginDetachedStartLocked is beginStartLocked for a caller that does not
// wait for the exec (a PUT, start or restart with duration 0, which the
// API answers at once): a service without needs is launched by a
// goroutine too, once the caller lets go of the op lock, so the answer
// does not wait for a fork and an exec, and a client creating many
// services in a row overlaps its calls with the execs. What an exec would
// refuse up front (preflight) still fails the start here and now.
func (s *service) beginDetachedStartLocked(cause startCause) *startRun {
	return s.beginStart(cause, true)
}

func (s *service) beginStart(cause startCause, detached bool) *startRun {
	s.mu.Lock()
	if cause == causeAuto && s.stopped {
		s.mu.Unlock()
		st := newStartRun(context.Background())
		st.finish(nil, errNeedStopped)
		return st
	}
	if cause == causeUser {
		s.restarts, s.streak = 0, 0
	}
	persist := s.stopped
	s.stopped = false
	cur, pending := s.cur, s.pending
	join := pending != nil
	if cur == nil && !join {
		s.cancelRestartLocked()
		s.status, s.errText = StatusStarting, ""
		pending = newStartRun(s.rt.ctx)
		pending.auto.Store(cause == causeAuto)
		s.pending = pending
	} else if join && cause != causeAuto {
		pending.auto.Store(false)
	}
	def := s.def
	s.mu.Unlock()
	if persist {
		s.rt.saver.changed(s.name)
	}
	var refused error
	if detached && cur == nil && !join {
		var target execTarget
		target, refused = preflight(def, s.rt.home)
		pending.target = &target
	}
	switch {
	case cur != nil:
		return finishedStart(cur)
	case join:
	case refused != nil:
		s.failStart(pending, fmt.Errorf("start service %q: %w", s.name, refused))
	case len(def.Needs) == 0 && !detached:
		s.launchLocked(pending, def)
	case !s.rt.trackStart():
		s.failStart(pending, errors.New("the runtime is shutting down"))
	default:
		go func() {
			defer s.rt.starts.Done()
			s.awaitNeeds(pending, def)
		}()
	}
	return pending
}

// awaitNeeds brings up the needs of start st, then launches the service
// under its op lock, unless the start was cancelled meanwhile.
func (s *service) awaitNeeds(st *startRun, def definition) {
	for _, n := range def.Needs {
		cause := causeUserNeed
		if st.auto.Load() {
			cause = causeAuto
		}
		if err := s.rt.ensureRunning(st.ctx, n, st.markWaiting, cause); err != nil {
			if st.ctx.Err() != nil {
				s.endCancelled(st)
				return
			}
			if errors.Is(err, errNeedStopped) {
				s.failStart(st, fmt.Errorf("%w: need %q is stopped; start %q, then %q", errNeed, n, n, s.name))
				return
			}
			s.failStart(st, fmt.Errorf("%w: need %q: %w", errNeed, n, err))
			return
		}
	}
	if s.lock(st.ctx) != nil {
		s.endCancelled(st)
		return
	}
	defer s.unlock()
	s.launchLocked(st, def)
}

// launchLocked starts the process of start st, if st is still the
// service's pending start. The op lock is held.
func (s *service) launchLocked(st *startRun, def definition) {
	s.mu.Lock()
	ours := s.pending == st && st.ctx.Err() == nil
	s.mu.Unlock()
	if !ours {
		s.endCancelled(st)
		return
	}
	p, err := s.rt.spawn(s, def, st.target)
	if err != nil {
		s.failStart(st, err)
		return
	}
	s.mu.Lock()
	s.pending = nil
	s.mu.Unlock()
	s.rt.saver.changed(s.name)
	if def.HTTPPort != nil {
		go func() { _ = s.waitPort(s.rt.ctx, p, *def.HTTPPort, nil) }()
	}
	st.finish(p, nil, Event{Type: evStarted, Timestamp: p.started.UnixMilli()})
}

// failStart ends start st with err; the service reads failed unless the
// start was replaced meanwhile (its replacement owns the status then).
func (s *service) failStart(st *startRun, err error) {
	s.mu.Lock()
	ours := s.pending == st
	if ours {
		s.pending = nil
		if s.cur == nil {
			s.status, s.errText = StatusFailed, err.Error()
		}
	}
	s.mu.Unlock()
	if !ours {
		st.finish(nil, errStartCancelled)
		return
	}
	st.finish(nil, err, Event{Type: evError, Data: err.Error(), Timestamp: nowMs()})
}

// endCancelled ends a cancelled start. Whoever cancelled it (a stop, a
// delete, a new start, the shutdown) sets the status.
func (s *service) endCancelled(st *startRun) {
	s.mu.Lock()
	if s.pending == st {
		s.pending = nil
	}
	s.mu.Unlock()
	st.finish(nil, errStartCancelled)
}

// trackStart counts a start goroutine that Shutdown must wait for; it
// refuses once the runtime is closing.
func (r *Runtime) trackStart() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closing.Load() {
		return false
	}
	r.starts.Add(1)
	return true
}

// ensureRunning starts need n (and its needs) unless it runs, and returns
// once it runs (and accepts on its http_port, if it has one). No lock of n
// is held while it waits: others can stop, start or join n meanwhile.
// waiting is called when n is not ready at once. cause is how the
// dependent's start came about (causeUserNeed or causeAuto).
func (r *Runtime) ensureRunning(ctx context.Context, n string, waiting func(), cause startCause) error {
	s := r.lookup(n)
	if s == nil {
		return fmt.Errorf("need %q is not defined", n)
	}
	if !s.tryLock() {
		waiting()
		if err := s.lock(ctx); err != nil {
			return err
		}
	}
	// A delete may have removed n before we got its lock: a process
	// started for it now would belong to no service.
	if s.isDeleted() {
		s.unlock()
		return fmt.Errorf("need %q is not defined", n)
	}
	st := s.beginStartLocked(cause)
	s.mu.Lock()
	port := s.def.HTTPPort
	s.mu.Unlock()
	s.unlock()
	w := st.waiting
wait:
	for {
		select {
		case <-st.done:
			break wait
		case <-w:
			w = nil
			waiting()
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	if st.err != nil {
		return st.err
	}
	if port == nil {
		return nil
	}
	return s.waitPort(ctx, st.p, *port, waiting)
}

// awaitStart waits for start st within the watch window d. It reports
// false when the window ended while st waits for a need (the start then
// carries on in the background), or when the client left. A start that is
// not waiting for a need is waited for, however short the window (what is
// left is an exec, which is bounded), except with d = 0: the API answers
// that at once, and the start carries on (beginDetachedStartLocked).
func awaitStart(ctx context.Context, st *startRun, d time.Duration) bool {
	if d == 0 {
		select {
		case <-st.done:
			return true
		default:
			return false
		}
	}
	t := time.NewTimer(d)
	defer t.Stop()
	waiting, over := st.waiting, false
	for {
		select {
		case <-st.done:
			return true
		case <-waiting:
			waiting = nil
		case <-t.C:
			over = true
		case <-ctx.Done():
			return false
		}
		if over && waiting == nil {
			select {
			case <-st.done:
				return true
			default:
				return false
			}
		}
	}
}
