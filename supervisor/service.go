package supervisor

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"sync"
	"time"
)

// service is one supervised service. Its op lock serialises the operations
// that change what runs (start, stop, restart, update, delete): they never
// interleave. mu guards the fields below it and is only held briefly.
type service struct {
	rt   *Runtime
	name string
	out  *output
	op   chan struct{} // a one-slot semaphore: the op lock

	mu          sync.Mutex
	def         definition // immutable; replaced whole on update
	defGen      uint64     // counts the replacements of def (viewJSON)
	stopped     bool       // sticky explicit stop (persisted)
	deleted     bool
	deleting    bool // a delete is stopping it: new needs on it are refused
	status      Status
	errText     string
	restarts    int       // crash restarts since the last explicit start
	streak      int       // crashes since the last stable run: drives the backoff
	nextRestart time.Time // zero when none is scheduled
	cur         *proc     // the live run, nil when none
	rec         *procRecord
	timer       *time.Timer
	timerGen    uint64    // bumped to void a timer that already fired
	pending     *startRun // the start in progress (waiting for needs), nil when none

	cache viewCache // the last view as JSON (viewjson.go)
}

func (s *service) lock(ctx context.Context) error {
	select {
	case s.op <- struct{}{}:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("wait for another operation on service %q: %w", s.name, ctx.Err())
	}
}

// tryLock takes the op lock if it is free.
func (s *service) tryLock() bool {
	select {
	case s.op <- struct{}{}:
		return true
	default:
		return false
	}
}

func (s *service) unlock() { <-s.op }

func (s *service) isDeleted() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.deleted
}

func (s *service) isDeleting() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.deleting
}

// lockLive takes the op lock of a service found by an earlier lookup, and
// refuses it (404) if a delete removed it while we waited: a process
// started for it then would belong to no service, and Shutdown would wait
// for it forever.
func (s *service) lockLive(ctx context.Context) error {
	if err := s.lock(ctx); err != nil {
		return err
	}
	if s.isDeleted() {
		s.unlock()
		return errorf(http.StatusNotFound, "service %q not found; it was deleted meanwhile", s.name)
	}
	return nil
}

// view is the service as list and get show it.
func (s *service) view() Service {
	v, _ := s.viewGen()
	return v
}

// viewGen is view with the generation of the definition it shows.
func (s *service) viewGen() (Service, uint64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	d := s.def
	needs := d.Needs
	if needs == nil {
		needs = []string{}
	}
	st := State{Name: s.name, Status: s.status, Error: s.errText, RestartCount: s.restarts,
		NextRestartAt: s.nextRestart.UTC()}
	if s.cur != nil {
		st.PID = s.cur.pid
		st.StartedAt = s.cur.started.UTC()
	}
	return Service{Name: s.name, Cmd: d.Cmd, Args: d.Args, Env: d.Env, Dir: d.Dir, Needs: needs,
		HTTPPort: d.HTTPPort, State: st}, s.defGen
}

// active reports whether there is anything to stop: a run, a pending
// restart or a start in progress.
func (s *service) active() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.cur != nil || s.timer != nil || s.pending != nil
}

// cancelRestartLocked voids a pending crash restart. s.mu is held.
func (s *service) cancelRestartLocked() {
	if s.timer != nil {
		s.timer.Stop()
		s.timer = nil
	}
	s.timerGen++
	s.nextRestart = time.Time{}
}

// spawn starts a run unless the runtime is shutting down. target is what
// a preflight resolved already, or nil.
func (r *Runtime) spawn(s *service, def definition, target *execTarget) (*proc, error) {
	r.spawnGate.RLock()
	defer r.spawnGate.RUnlock()
	if r.isClosing() {
		return nil, errors.New("the runtime is shutting down")
	}
	r.runs.Add(1)
	p, err := spawn(spawnSpec{def: def, target: target, home: r.home, out: s.out, crashGrace: r.tune.crashGrace,
		parentDeath: r.tune.parentDeath, watch: r.watch,
		onExit: func(p *proc) { s.onExit(p); r.runs.Done() }})
	if err != nil {
		r.runs.Done()
		return nil, fmt.Errorf("start service %q: %w", s.name, err)
	}
	// Installed while the gate is held: Shutdown, once past the gate, sees
	// every run it must stop.
	// The status is set here too, before the run can report its exit: a
	// process that dies at once must not be shown running afterwards.
	s.mu.Lock()
	s.cur = p
	rec := p.record()
	s.rec = &rec
	s.status, s.errText = StatusRunning, ""
	if def.HTTPPort != nil {
		s.status = StatusStarting // until it accepts connections
	}
	s.mu.Unlock()
	close(p.installed)
	return p, nil
}

// waitPort waits until run p accepts TCP connections on 127.0.0.1:port,
// then marks the service running. Connecting is the only readiness signal
// a generic process gives, so this polls, within a limit: first after 1 ms,
// then less and less often, up to every 20 ms, so that a server that is
// ready at once holds its dependents for a millisecond, not for a whole
// polling period (ten of them in a chain ten deep).
// waiting, if set, is called when the first attempt fails.
func (s *service) waitPort(ctx context.Context, p *proc, port int, waiting func()) error {
	addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
	limit := time.NewTimer(s.rt.tune.readyTimeout)
	defer limit.Stop()
	pause := time.Millisecond
	tick := time.NewTimer(pause)
	defer tick.Stop()
	for {
		c, err := net.DialTimeout("tcp", addr, 200*time.Millisecond)
		if err == nil {
			c.Close()
			s.mu.Lock()
			if s.cur == p && s.status == StatusStarting {
				s.status = StatusRunning
			}
			s.mu.Unlock()
			return nil
		}
		if waiting != nil {
			waiting()
			waiting = nil
		}
		select {
		case <-p.done:
			return fmt.Errorf("service %q %s before accepting connections on port %d", s.name, p.exitDesc, port)
		case <-limit.C:
			err := fmt.Errorf("service %q is not accepting connections on port %d after %s", s.name, port, s.rt.tune.readyTimeout)
			s.mu.Lock()
			if s.cur == p {
				s.errText = err.Error()
			}
			s.mu.Unlock()
			return err
		case <-ctx.Done():
			return ctx.Err()
		case <-tick.C:
			pause = min(2*pause, 20*time.Millisecond)
			tick.Reset(pause)
		}
	}
}

// onExit records the end of run p: a requested stop, or a crash that
// schedules a restart with backoff.
func (s *service) onExit(p *proc) {
	code := p.exitCode
	s.mu.Lock()
	if s.cur != p {
		s.mu.Unlock()
		return
	}
	s.cur, s.rec = nil, nil
	closing := s.rt.isClosing()
	switch {
	case p.stopRequested.Load() || closing || s.deleted:
		s.status, s.errText = StatusStopped, ""
	default:
		t := s.rt.tune
		if time.Since(p.started) >= t.stableAfter {
			s.streak = 0
		}
		s.streak++
		s.restarts++
		delay := t.restartPolicy().Delay(s.streak)
		s.status, s.errText = StatusFailed, p.exitDesc
		s.nextRestart = time.Now().Add(delay)
		s.timerGen++
		gen := s.timerGen
		s.timer = time.AfterFunc(delay, func() { s.restartAfterCrash(gen) })
		s.rt.log.Warn("service crashed", "service", s.name, "error", p.exitDesc,
			"restart_count", s.restarts, "restart_in", delay.Round(time.Millisecond))
	}
	s.mu.Unlock()
	s.out.hub.publish(hubEvent{Event: Event{Type: evExit, ExitCode: &code, Timestamp: nowMs()}, run: p})
	if !closing {
		s.rt.saver.changed(s.name)
	}
}

// restartAfterCrash is the pending restart: it runs unless a stop, a start
// or a delete came first (gen then no longer matches).
func (s *service) restartAfterCrash(gen uint64) {
	if s.lock(s.rt.ctx) != nil {
		return
	}
	defer s.unlock()
	s.mu.Lock()
	if gen != s.timerGen {
		s.mu.Unlock() // voided: a stop, start or delete came first
		return
	}
	// This timer has fired: whether it restarts or declines, nothing is
	// pending any more (a stale timer would keep active() true forever).
	s.timer, s.nextRestart = nil, time.Time{}
	ok := !s.stopped && !s.deleted && s.cur == nil
	s.mu.Unlock()
	if ok {
		s.beginStartLocked(causeAuto)
	}
}

// haltLocked ends the current run (TERM, KILL after grace) and cancels a
// pending restart and a start waiting for its needs; sticky makes it an
// explicit stop that survives restarts of the runtime. The op lock is held.
// It returns the run's exit code, or nil when nothing was running.
func (s *service) haltLocked(grace time.Duration, emit func(Event), sticky bool) (*int, error) {
	s.mu.Lock()
	// Only waiting (a restart timer, or a start waiting for its needs):
	// the stream still reports the stop.
	waiting := s.cur == nil && (s.timer != nil || s.pending != nil)
	s.cancelRestartLocked()
	if st := s.pending; st != nil {
		st.cancel()
		s.pending = nil
	}
	persist := sticky && !s.stopped
	if sticky {
		s.stopped = true
	}
	p := s.cur
	if p == nil {
		s.status = StatusStopped
	} else {
		s.status = StatusStopping
		// Marked while s.mu is held: a run that exits from now on is a
		// requested stop, not a crash to restart, even before terminate.
		p.stopRequested.Store(true)
	}
	s.mu.Unlock()
	var saved uint64
	if persist {
		saved = s.rt.saver.changed(s.name)
	}
	if p == nil {
		err := s.waitSaved(saved)
		if emit != nil && waiting {
			emit(Event{Type: evStopping, Timestamp: nowMs()})
			emit(Event{Type: evStopped, Timestamp: nowMs()})
		}
		return nil, err
	}
	if emit != nil {
		emit(Event{Type: evStopping, Timestamp: nowMs()})
	}
	err := terminate(p, grace)
	code := p.exitCode
	if emit != nil && err == nil {
		emit(Event{Type: evStopped, ExitCode: &code, Timestamp: nowMs()})
	}
	return &code, errors.Join(err, s.waitSaved(saved))
}

func (s *service) waitSaved(n uint64) error {
	if n == 0 {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	return s.rt.saver.wait(ctx, n)
}
