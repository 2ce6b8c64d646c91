package supervisor

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"time"
)

func (s *service) logFiles() *LogFiles { return &LogFiles{Combined: s.out.path} }

// validateGraphLocked checks def for service name against the others: its
// needs exist, it closes no cycle, its http_port is free. r.mu is held.
func (r *Runtime) validateGraphLocked(name string, def definition) error {
	for _, n := range def.Needs {
		if o, ok := r.services[n]; !ok || o.isDeleting() {
			return errorf(http.StatusBadRequest, "service %q needs %q, which is not defined; create %q first", name, n, n)
		}
	}
	needsOf := func(n string) []string {
		if n == name {
			return def.Needs
		}
		if s := r.services[n]; s != nil {
			s.mu.Lock()
			defer s.mu.Unlock()
			return s.def.Needs
		}
		return nil
	}
	// A new cycle passes through name. A service not defined yet is needed
	// by none (a need must be defined, and a needed service cannot be
	// deleted), so only a redefinition can close one.
	if _, defined := r.services[name]; defined {
		if cyc := findCycle(name, needsOf); cyc != nil {
			return errorf(http.StatusBadRequest, "dependency cycle: %s; remove one of these needs", strings.Join(cyc, " → "))
		}
	}
	if def.HTTPPort != nil {
		for _, o := range r.services {
			if o.name == name {
				continue
			}
			o.mu.Lock()
			holds := o.def.HTTPPort != nil && *o.def.HTTPPort == *def.HTTPPort
			o.mu.Unlock()
			if holds {
				return errorf(http.StatusConflict, "http_port %d is already held by service %q; only one service may hold it", *def.HTTPPort, o.name)
			}
		}
	}
	return nil
}

// define creates or updates service name and returns it with its op lock
// held. changed reports an update that alters what runs; saved is then the
// number of its record in the state journal, written in the critical
// section that checked the definition against the others (saver.go).
func (r *Runtime) define(ctx context.Context, name string, def definition) (s *service, changed bool, saved uint64, err error) {
	for {
		r.mu.Lock()
		if r.closing.Load() {
			r.mu.Unlock()
			return nil, false, 0, errorf(http.StatusServiceUnavailable, "the runtime is shutting down")
		}
		s = r.services[name]
		if s == nil {
			if err := r.validateGraphLocked(name, def); err != nil {
				r.mu.Unlock()
				return nil, false, 0, err
			}
			s = r.newService(name, def)
			s.op <- struct{}{} // a new service: the lock is free
			r.services[name] = s
			saved = r.saver.changedLocked(name)
			r.mu.Unlock()
			return s, true, saved, nil
		}
		r.mu.Unlock()
		if err := s.lock(ctx); err != nil {
			return nil, false, 0, err
		}
		r.mu.Lock()
		if s.deleted { // deleted while we waited: define it afresh
			r.mu.Unlock()
			s.unlock()
			continue
		}
		if err := r.validateGraphLocked(name, def); err != nil {
			r.mu.Unlock()
			s.unlock()
			return nil, false, 0, err
		}
		s.mu.Lock()
		changed = !s.def.equal(def)
		s.def = def
		s.defGen++
		s.mu.Unlock()
		if changed {
			saved = r.saver.changedLocked(name)
		}
		r.mu.Unlock()
		return s, changed, saved, nil
	}
}

// remove stops and deletes a service; its log file stays. A service other
// services need cannot be deleted.
func (r *Runtime) remove(ctx context.Context, s *service) error {
	if err := s.lockLive(ctx); err != nil {
		return err
	}
	defer s.unlock()
	r.mu.Lock()
	var dependents []string
	for _, o := range r.services {
		o.mu.Lock()
		if slices.Contains(o.def.Needs, s.name) {
			dependents = append(dependents, o.name)
		}
		o.mu.Unlock()
	}
	// Marked in the same critical section as the check: a PUT that comes
	// after it cannot add a need on s while the halt below runs unlocked.
	if len(dependents) == 0 {
		s.mu.Lock()
		s.deleting = true
		s.mu.Unlock()
	}
	r.mu.Unlock()
	if len(dependents) > 0 {
		slices.Sort(dependents)
		return errorf(http.StatusConflict, "service %q is needed by %s; delete those or drop the need first", s.name, strings.Join(dependents, ", "))
	}
	if _, err := s.haltLocked(r.tune.stopGrace, nil, false); err != nil {
		s.mu.Lock()
		s.deleting = false // it stays defined: others may need it again
		s.mu.Unlock()
		return fmt.Errorf("delete service %q: %w", s.name, err)
	}
	r.mu.Lock()
	s.mu.Lock()
	s.deleted = true
	s.cancelRestartLocked()
	s.mu.Unlock()
	delete(r.services, s.name)
	saved := r.saver.changedLocked(s.name)
	r.mu.Unlock()
	s.out.close()
	if err := r.saver.wait(ctx, saved); err != nil {
		return fmt.Errorf("delete service %q: save state: %w", s.name, err)
	}
	r.log.Info("deleted service", "service", s.name)
	return nil
}

// watch streams what run p does for d: its output, and its exit, which
// ends the stream early (the service died inside the window).
func watch(ctx context.Context, st *ndjson, sub *subscription, p *proc, d time.Duration) {
	if d <= 0 {
		return
	}
	t := time.NewTimer(d)
	defer t.Stop()
	for {
		select {
		case <-sub.notify:
			for _, ev := range sub.take() {
				if ev.Type == evExit {
					if ev.run == p {
						st.send(ev.Event)
						return
					}
					continue
				}
				st.send(ev.Event)
			}
			if st.err != nil {
				return
			}
		case <-t.C:
			for _, ev := range sub.take() {
				if ev.Type != evExit {
					st.send(ev.Event)
				}
			}
			return
		case <-ctx.Done():
			return
		}
	}
}

func (r *Runtime) handlePut(w http.ResponseWriter, req *http.Request) {
	name := req.PathValue("svc")
	if err := validateName(name); err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	d, err := window(req, "duration", 5*time.Second)
	if err != nil {
		writeErr(w, err)
		return
	}
	var body ServiceRequest
	dec := json.NewDecoder(io.LimitReader(req.Body, maxBody))
	if err := dec.Decode(&body); err != nil {
		writeError(w, http.StatusBadRequest, "invalid service definition: "+err.Error())
		return
	}
	def, err := definitionFrom(name, body)
	if err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	ctx := req.Context()
	s, changed, saved, err := r.define(ctx, name, def)
	if err != nil {
		writeErr(w, err)
		return
	}
	st := newNDJSON(w)
	cause := causeUserSame
	if changed {
		cause = causeUser
		if s.active() {
			// The definition changed under a live run, a pending restart
			// or a start waiting for needs: replace it.
			_, _ = s.haltLocked(r.tune.stopGrace, nil, false)
		}
	}
	r.startAndWatch(ctx, s, st, d, saved, cause)
	st.complete(s.logFiles())
}

// startAndWatch starts s and streams what it does until the watch window
// d ends. It is called with the op lock held and releases it at once: the
// start waits for needs without it, and a long window never blocks other
// operations.
//
// The answer never outlasts the window by more than an exec and a state
// write: when the window ends while the start still waits for a need, the
// stream completes with the service starting, and the start carries on in
// the background (a stop, delete, restart or new definition cancels it).
//
// With d = 0 the answer does not wait for the exec either: the API says
// "return at once", and the start carries on detached (the process
// follows within an exec's time; what an exec refuses up front is still
// answered, preflight).
//
// The answer waits until the state on disk holds the change (saved, when
// not zero: the definition of a PUT), the desired state and, once it is
// launched within the answer, the new run's process group, so a crash of
// the runtime right after cannot lose them (saver.go: a journal line
// each, written before the answer; the watchdog knows every group before
// it is reported).
func (r *Runtime) startAndWatch(ctx context.Context, s *service, st *ndjson, d time.Duration, saved uint64, cause startCause) {
	end := time.Now().Add(d)
	sub := s.out.hub.subscribe()
	defer sub.close()
	var start *startRun
	if d == 0 {
		start = s.beginDetachedStartLocked(cause)
	} else {
		start = s.beginStartLocked(cause)
	}
	s.unlock()
	launched := awaitStart(ctx, start, d)
	if !time.Now().Before(end) {
		st.hold() // nothing more to watch: the rest goes out in one write
	}
	if launched {
		for _, ev := range start.evs {
			st.send(ev)
		}
	}
	// Every change of this call is recorded by now (the definition, a
	// sticky stop cleared by beginStart, the group of a run launched
	// within the answer, launchLocked): waiting for the latest waits for
	// them all, without a line of its own.
	saved = max(saved, r.saver.latest())
	if saved != 0 {
		if serr := r.saver.wait(ctx, saved); serr != nil {
			st.send(Event{Type: evError, Data: "save state: " + serr.Error(), Timestamp: nowMs()})
		}
	}
	if launched && start.err == nil {
		watch(ctx, st, sub, start.p, time.Until(end))
	}
}

// lockedWithWindow is the common start of start and restart: the service
// of the path, its watch window (duration, default 5s), and its op lock.
// It answers the error itself and returns nil when there is nothing to do.
func (r *Runtime) lockedWithWindow(w http.ResponseWriter, req *http.Request) (*service, time.Duration) {
	s := r.service(w, req)
	if s == nil {
		return nil, 0
	}
	d, err := window(req, "duration", 5*time.Second)
	if err != nil {
		writeErr(w, err)
		return nil, 0
	}
	if err := s.lockLive(req.Context()); err != nil {
		writeErr(w, err)
		return nil, 0
	}
	return s, d
}

func (r *Runtime) handleStart(w http.ResponseWriter, req *http.Request) {
	s, d := r.lockedWithWindow(w, req)
	if s == nil {
		return
	}
	st := newNDJSON(w)
	r.startAndWatch(req.Context(), s, st, d, 0, causeUser)
	st.complete(s.logFiles())
}

func (r *Runtime) handleStop(w http.ResponseWriter, req *http.Request) {
	s := r.service(w, req)
	if s == nil {
		return
	}
	grace, err := window(req, "timeout", r.tune.stopGrace)
	if err != nil {
		writeErr(w, err)
		return
	}
	if !s.active() {
		writeError(w, http.StatusConflict, fmt.Sprintf("service %q is not running (status %s)", s.name, s.view().State.Status))
		return
	}
	// A start waiting for its needs holds no lock: this stop cancels it.
	if err := s.lockLive(req.Context()); err != nil {
		writeErr(w, err)
		return
	}
	defer s.unlock()
	if !s.active() {
		writeError(w, http.StatusConflict, fmt.Sprintf("service %q is not running (it was stopped by another request)", s.name))
		return
	}
	st := newNDJSON(w)
	emit := func(ev Event) {
		if ev.Type == evStopped {
			st.hold() // the end follows at once: one write for both
		}
		st.send(ev)
	}
	if _, err := s.haltLocked(grace, emit, true); err != nil {
		st.send(Event{Type: evError, Data: err.Error(), Timestamp: nowMs()})
	}
	st.complete(s.logFiles())
}

func (r *Runtime) handleRestart(w http.ResponseWriter, req *http.Request) {
	s, d := r.lockedWithWindow(w, req)
	if s == nil {
		return
	}
	ctx := req.Context()
	st := newNDJSON(w)
	if _, err := s.haltLocked(r.tune.stopGrace, st.send, false); err != nil {
		s.unlock()
		st.send(Event{Type: evError, Data: err.Error(), Timestamp: nowMs()})
	} else {
		r.startAndWatch(ctx, s, st, d, 0, causeUser)
	}
	st.complete(s.logFiles())
}
