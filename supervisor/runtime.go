package supervisor

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Config configures a Runtime.
type Config struct {
	StateDir string       // required; created 0700 if missing
	Sprite   string       // the one Sprite served; "" means "local"
	Logger   *slog.Logger // nil means slog.Default()

	// tweak, for tests only, adjusts the timings and switches before the
	// runtime starts anything (for a runtime a test cannot reach, such as
	// one in a child process).
	tweak func(*tuning)
}

// ErrLocked is returned (wrapped) by New when another runtime owns the
// state directory.
var ErrLocked = errors.New("state directory is owned by another running sprites-mcp")

// tuning holds the timings; tests shorten them, the defaults are the
// documented behaviour.
type tuning struct {
	backoffBase  time.Duration // first restart delay of a crash streak
	backoffCap   time.Duration // longest restart delay
	stableAfter  time.Duration // a run this long resets the streak
	crashGrace   time.Duration // TERM → KILL for what a crashed leader left behind
	readyTimeout time.Duration // how long a need with http_port gets to accept connections
	stopGrace    time.Duration // default stop timeout (API default 10s)
	logMaxMB     int           // rotate a log file at this size
	// parentDeath uses Pdeathsig where the OS has it (Linux). Off, Linux
	// runs what macOS runs: the watchdog alone ends the services of a
	// killed runtime. Tests switch it off to run that path here.
	parentDeath bool
}

func defaultTuning() tuning {
	return tuning{
		backoffBase:  defaultBackoffBase,
		backoffCap:   defaultBackoffCap,
		stableAfter:  defaultStableAfter,
		crashGrace:   2 * time.Second,
		readyTimeout: 30 * time.Second,
		stopGrace:    10 * time.Second,
		logMaxMB:     10,
		parentDeath:  true,
	}
}

// Runtime is the embedded local runtime: the services of one Sprite, their
// processes, and the HTTP API that drives them.
type Runtime struct {
	log       *slog.Logger
	sprite    string
	dir       string
	logDir    string
	sockPath  string
	statePath string
	home      string
	tune      tuning
	handler   http.Handler
	lock      *os.File
	saver     *saver
	watch     *lifeline // the watchdog that ends our services if we are killed
	leftovers []procRecord

	// ctx ends at Shutdown: pending restarts and waits for needs end with it.
	ctx    context.Context
	cancel context.CancelFunc
	done   chan struct{} // closed at Shutdown; owner watchers see it

	// closing is set once, at Shutdown; atomic so that it can be read under
	// a service's lock (the lock order is r.mu before s.mu, never after).
	closing atomic.Bool

	mu       sync.Mutex
	services map[string]*service
	servers  []*http.Server
	sockMine bool // we created the socket file and remove it at Shutdown

	// spawnGate lets Shutdown wait out spawns in flight: spawners hold it
	// shared while they check closing and start a process.
	spawnGate sync.RWMutex
	runs      sync.WaitGroup // live runs; no Add once closing is set
	starts    sync.WaitGroup // start goroutines waiting for needs; Add under mu while not closing
	shutOnce  sync.Once
	shutErr   error
}

// New opens the state directory (taking the lock file), loads state.json,
// and returns a runtime that has started nothing yet. A second New on a
// locked directory fails with an error wrapping ErrLocked.
func New(cfg Config) (*Runtime, error) {
	if cfg.StateDir == "" {
		return nil, errors.New("supervisor: state directory is required (--state-dir)")
	}
	dir, err := filepath.Abs(cfg.StateDir)
	if err != nil {
		return nil, fmt.Errorf("supervisor: state directory %q: %w", cfg.StateDir, err)
	}
	sock := filepath.Join(dir, "api.sock")
	if len(sock) > maxSocketPath {
		return nil, fmt.Errorf("supervisor: socket path %q is %d bytes; unix sockets on this system allow at most %d: choose a shorter --state-dir", sock, len(sock), maxSocketPath)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("supervisor: create state directory: %w", err)
	}
	// The directory guards the socket: it must not be reachable by others.
	if err := os.Chmod(dir, 0o700); err != nil {
		return nil, fmt.Errorf("supervisor: restrict state directory: %w", err)
	}
	logDir := filepath.Join(dir, "logs", "services")
	if err := os.MkdirAll(logDir, 0o700); err != nil {
		return nil, fmt.Errorf("supervisor: create log directory: %w", err)
	}
	lock, err := lockDir(filepath.Join(dir, "lock"))
	if err != nil {
		return nil, fmt.Errorf("supervisor: %w", err)
	}
	rt := &Runtime{
		log: cfg.Logger, sprite: cfg.Sprite, dir: dir, logDir: logDir, sockPath: sock,
		statePath: filepath.Join(dir, "state.json"), tune: defaultTuning(), lock: lock,
		services: map[string]*service{}, done: make(chan struct{}),
	}
	if rt.log == nil {
		rt.log = slog.Default()
	}
	if cfg.tweak != nil {
		cfg.tweak(&rt.tune)
	}
	rt.watch = newLifeline(dir, filepath.Join(dir, "logs", "watchdog.log"), rt.log)
	if rt.sprite == "" {
		rt.sprite = "local"
	}
	if rt.home, err = os.UserHomeDir(); err != nil {
		rt.home = "/"
	}
	st, lastChange, err := loadPersisted(rt.statePath, rt.log)
	if err != nil {
		lock.Close()
		return nil, fmt.Errorf("supervisor: %w", err)
	}
	for _, ss := range st.Services {
		if validateName(ss.Name) != nil {
			rt.log.Warn("skipping saved service with an invalid name", "service", ss.Name)
			continue
		}
		s := rt.newService(ss.Name, ss.definition)
		s.stopped = ss.Stopped
		rt.services[ss.Name] = s
		if ss.Proc != nil {
			rt.leftovers = append(rt.leftovers, *ss.Proc)
		}
	}
	rt.ctx, rt.cancel = context.WithCancel(context.Background())
	rt.saver = newSaver(rt.statePath, st.JournalSeq, lastChange, rt.log, &rt.mu, rt.snapshotLocked, rt.savedOfLocked)
	rt.handler = rt.routes()
	return rt, nil
}

// SocketPath is where Serve listens.
func (r *Runtime) SocketPath() string { return r.sockPath }

// Handler is the full Services API, both path styles.
func (r *Runtime) Handler() http.Handler { return r.handler }

func (r *Runtime) newService(name string, def definition) *service {
	return &service{rt: r, name: name, def: def, status: StatusStopped, op: make(chan struct{}, 1),
		out: newOutput(filepath.Join(r.logDir, name+".log"), r.tune.logMaxMB, r.log)}
}

func (r *Runtime) lookup(name string) *service {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.services[name]
}

func (r *Runtime) isClosing() bool { return r.closing.Load() }

// all returns the services sorted by name.
func (r *Runtime) all() []*service {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([]*service, 0, len(r.services))
	for _, s := range r.services {
		out = append(out, s)
	}
	slices.SortFunc(out, func(a, b *service) int {
		if a.name < b.name {
			return -1
		}
		if a.name > b.name {
			return 1
		}
		return 0
	})
	return out
}

// snapshotLocked is what state.json holds now. r.mu is held: the services
// and their needs are seen at one instant, a graph that existed.
func (r *Runtime) snapshotLocked() stateFile {
	st := stateFile{Version: stateVersion, Services: make([]savedService, 0, len(r.services))}
	for _, s := range r.services {
		s.mu.Lock()
		if !s.deleted {
			st.Services = append(st.Services, savedService{Name: s.name, definition: s.def,
				Stopped: s.stopped, Proc: s.rec})
		}
		s.mu.Unlock()
	}
	slices.SortFunc(st.Services, func(a, b savedService) int { return strings.Compare(a.Name, b.Name) })
	return st
}

// savedOfLocked is what state.json holds of service name now, nil when
// there is no such service. r.mu is held.
func (r *Runtime) savedOfLocked(name string) *savedService {
	s := r.services[name]
	if s == nil {
		return nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.deleted {
		return nil
	}
	return &savedService{Name: s.name, definition: s.def, Stopped: s.stopped, Proc: s.rec}
}

// Boot kills what a previous run left behind, then starts every service
// not explicitly stopped, needs first. It returns once each has been
// started or has failed.
func (r *Runtime) Boot(ctx context.Context) error {
	if r.isClosing() {
		return errors.New("supervisor: boot after shutdown")
	}
	killLeftovers(r.leftovers, r.log)
	r.leftovers = nil
	var names []string
	for _, s := range r.all() {
		s.mu.Lock()
		if !s.stopped {
			names = append(names, s.name)
		}
		s.mu.Unlock()
	}
	order := topoOrder(names, func(n string) []string {
		if s := r.lookup(n); s != nil {
			s.mu.Lock()
			defer s.mu.Unlock()
			return s.def.Needs
		}
		return nil
	})
	// Each start brings up its needs first and waits for them, so the
	// starts can all run at once and still respect the order.
	var wg sync.WaitGroup
	for _, n := range order {
		s := r.lookup(n)
		if s == nil {
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := s.lockLive(ctx); err != nil {
				return
			}
			s.mu.Lock()
			skip := s.stopped || s.cur != nil
			s.mu.Unlock()
			if skip {
				s.unlock()
				return
			}
			st := s.beginStartLocked(causeAuto)
			s.unlock()
			select {
			case <-st.done:
			case <-ctx.Done():
			}
		}()
	}
	wg.Wait()
	r.log.Info("runtime booted", "services", len(order), "state_dir", r.dir)
	return ctx.Err()
}

// Shutdown stops every service (group SIGTERM, then SIGKILL after the
// grace, at most until ctx ends), waits for them, releases the lock and
// removes the socket. Desired state stays as it was: services not
// explicitly stopped come back at the next Boot.
func (r *Runtime) Shutdown(ctx context.Context) error {
	r.shutOnce.Do(func() { r.shutErr = r.shutdown(ctx) })
	return r.shutErr
}

func (r *Runtime) shutdown(ctx context.Context) error {
	r.mu.Lock()
	r.closing.Store(true)
	servers := r.servers
	r.servers = nil
	r.mu.Unlock()
	close(r.done)
	r.cancel()
	// Wait out spawns in flight; from now on none begins.
	r.spawnGate.Lock()
	//lint:ignore SA2001 the empty critical section is the point: it waits for every spawner's read lock
	r.spawnGate.Unlock()
	for _, srv := range servers {
		srv.Close()
	}
	grace := r.tune.stopGrace
	if dl, ok := ctx.Deadline(); ok {
		grace = min(grace, max(time.Until(dl)/2, 100*time.Millisecond))
	}
	var wg sync.WaitGroup
	var errMu sync.Mutex
	var errs []error
	for _, s := range r.all() {
		s.mu.Lock()
		s.cancelRestartLocked()
		p := s.cur
		s.mu.Unlock()
		if p == nil {
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := terminate(p, grace); err != nil {
				errMu.Lock()
				errs = append(errs, fmt.Errorf("stop service %q: %w", s.name, err))
				errMu.Unlock()
			}
		}()
	}
	wg.Wait()
	// Starts waiting for needs end with r.ctx, cancelled above. The wait
	// is bounded by ctx: a run the kernel cannot reap must not keep the
	// lock and the socket forever.
	waited := make(chan struct{})
	go func() {
		r.starts.Wait()
		r.runs.Wait()
		close(waited)
	}()
	select {
	case <-waited:
	case <-ctx.Done():
		err := fmt.Errorf("shutdown gave up waiting for services to end: %w; check for processes left behind", ctx.Err())
		r.log.Error("shutdown timed out", "error", err)
		errs = append(errs, err)
	}
	// Every group is gone (or we gave up on it): the watchdog exits, or
	// ends what is left.
	r.watch.close()
	if err := r.saver.close(); err != nil {
		errs = append(errs, fmt.Errorf("save state: %w", err))
	}
	for _, s := range r.all() {
		s.out.close()
	}
	r.mu.Lock()
	mine := r.sockMine
	r.mu.Unlock()
	if mine {
		os.Remove(r.sockPath)
	}
	r.lock.Close()
	r.log.Info("runtime stopped", "state_dir", r.dir)
	return errors.Join(errs...)
}
