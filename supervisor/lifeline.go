//go:build linux || darwin

package supervisor

import (
	"log/slog"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// lifeline is the runtime's side of the watchdog (watchdog.go): it starts
// the watchdog when the first service starts, tells it each group, and
// starts another one, told every live group, if it dies or stops
// listening. Its methods are safe on a nil *lifeline (no watchdog).
type lifeline struct {
	dir     string // the state directory, shown in ps
	logPath string // the watchdog's stderr, appended
	log     *slog.Logger

	mu      sync.Mutex
	groups  map[int]procRecord // live groups: what the watchdog must know
	w       *os.File           // write end of the lifeline; nil while no watchdog runs
	cmd     *exec.Cmd
	exited  chan struct{} // closed when cmd is reaped
	restart *time.Timer   // a pending start after the watchdog died
	// quickDeaths counts watchdogs in a row that died young; past
	// maxQuickDeaths only the next service start tries again.
	quickDeaths int
	closed      bool
}

const (
	// watchdogRestartDelay spaces the starts of a watchdog that keeps dying.
	watchdogRestartDelay = time.Second
	// A watchdog that dies within youngDeath of its start died young.
	youngDeath     = time.Minute
	maxQuickDeaths = 5
	// lifelineWriteTimeout bounds a write to a watchdog that stopped reading.
	lifelineWriteTimeout = 2 * time.Second
	// watchdogLogMax is the size past which the watchdog's log starts over.
	watchdogLogMax = 1 << 20
)

func newLifeline(dir, logPath string, log *slog.Logger) *lifeline {
	return &lifeline{dir: dir, logPath: logPath, log: log, groups: map[int]procRecord{}}
}

// add tells the watchdog of a new group, starting the watchdog if none runs.
func (l *lifeline) add(rec procRecord) {
	if l == nil {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		return
	}
	l.groups[rec.PGID] = rec
	if l.w == nil {
		l.startLocked() // told every group, this one included
		return
	}
	l.sendLocked(lifelineAdd(rec))
}

// remove tells the watchdog that a group is empty.
func (l *lifeline) remove(pgid int) {
	if l == nil {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.groups, pgid)
	if l.w != nil {
		l.sendLocked(lifelineRemove(pgid))
	}
}

// sendLocked writes one message; a watchdog that cannot take it is replaced.
func (l *lifeline) sendLocked(msg string) {
	_ = l.w.SetWriteDeadline(time.Now().Add(lifelineWriteTimeout))
	if _, err := l.w.WriteString(msg); err != nil {
		l.log.Warn("the watchdog stopped listening: starting another", "err", err)
		l.dropLocked()
		l.startLocked()
	}
}

// dropLocked kills the watchdog before closing its lifeline, so that it
// does not take the end of the lifeline for the runtime's death.
func (l *lifeline) dropLocked() {
	if l.cmd != nil {
		_ = l.cmd.Process.Kill()
	}
	if l.w != nil {
		l.w.Close()
	}
	l.w, l.cmd, l.exited = nil, nil, nil
}

// startLocked starts a watchdog and tells it every live group. With no
// group there is nothing to watch: the next add starts it.
func (l *lifeline) startLocked() {
	if l.closed || len(l.groups) == 0 {
		return
	}
	if l.restart != nil {
		l.restart.Stop()
		l.restart = nil
	}
	exe, err := os.Executable()
	if err != nil {
		l.log.Error("no watchdog: services would outlive a killed runtime", "err", err)
		return
	}
	r, w, err := os.Pipe()
	if err != nil {
		l.log.Error("no watchdog: services would outlive a killed runtime", "err", err)
		return
	}
	// Args after the program name are for ps only: watchdogEnv decides.
	cmd := &exec.Cmd{Path: exe, Args: []string{exe, "watchdog", l.dir}, Dir: "/",
		Env: serviceEnv(map[string]string{watchdogEnv: watchdogProtocol,
			watchdogOwnerEnv: strconv.Itoa(os.Getpid())}),
		Stdin: r,
		// A group of its own: a Ctrl-C or hang-up meant for the runtime's
		// group must not reach the one process that outlives it.
		SysProcAttr: &syscall.SysProcAttr{Setpgid: true}}
	if f := openWatchdogLog(l.logPath); f != nil {
		cmd.Stderr = f
		defer f.Close()
	}
	err = cmd.Start()
	r.Close()
	if err != nil {
		w.Close()
		l.log.Error("no watchdog: services would outlive a killed runtime", "err", err)
		return
	}
	var msgs strings.Builder
	for _, rec := range l.groups {
		msgs.WriteString(lifelineAdd(rec))
	}
	_ = w.SetWriteDeadline(time.Now().Add(lifelineWriteTimeout))
	if _, err := w.WriteString(msgs.String()); err != nil {
		_ = cmd.Process.Kill()
		w.Close()
		_ = cmd.Wait()
		l.log.Error("no watchdog: it does not read its lifeline", "err", err)
		return
	}
	exited := make(chan struct{})
	l.w, l.cmd, l.exited = w, cmd, exited
	go l.reap(cmd, exited, time.Now())
}

// reap waits for a watchdog to end. One that ends while it is still the
// watchdog was killed by someone: another starts after a pause, unless
// they keep dying young.
func (l *lifeline) reap(cmd *exec.Cmd, exited chan struct{}, started time.Time) {
	_ = cmd.Wait()
	close(exited)
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.cmd != cmd || l.closed {
		return // replaced or shut down: expected
	}
	l.w.Close()
	l.w, l.cmd, l.exited = nil, nil, nil
	if time.Since(started) < youngDeath {
		l.quickDeaths++
	} else {
		l.quickDeaths = 0
	}
	if l.quickDeaths >= maxQuickDeaths {
		l.log.Error("the watchdog keeps exiting: services would outlive a killed runtime; the next service start tries again",
			"status", cmd.ProcessState.String(), "log", l.logPath)
		l.quickDeaths = 0
		return
	}
	l.log.Warn("the watchdog exited: starting another", "status", cmd.ProcessState.String())
	l.restart = time.AfterFunc(watchdogRestartDelay, func() {
		l.mu.Lock()
		defer l.mu.Unlock()
		if l.w == nil {
			l.startLocked()
		}
	})
}

// close ends the lifeline at shutdown. After a clean shutdown no group is
// left and the watchdog just exits; close waits for that, briefly. Groups
// still alive (a shutdown that gave up) are the watchdog's to end, on its
// own.
func (l *lifeline) close() {
	if l == nil {
		return
	}
	l.mu.Lock()
	l.closed = true
	if l.restart != nil {
		l.restart.Stop()
	}
	w, exited, left := l.w, l.exited, len(l.groups)
	l.w, l.cmd, l.exited = nil, nil, nil
	l.mu.Unlock()
	if w == nil {
		return
	}
	w.Close()
	if left == 0 {
		select {
		case <-exited:
		case <-time.After(5 * time.Second):
		}
	}
}

// watchdogPID is the running watchdog's pid, 0 for none (for tests).
func (l *lifeline) watchdogPID() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.cmd == nil {
		return 0
	}
	return l.cmd.Process.Pid
}

// openWatchdogLog opens the watchdog's log for appending, starting it over
// past watchdogLogMax; nil when it cannot (the watchdog then logs nowhere).
func openWatchdogLog(path string) *os.File {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o600)
	if err != nil {
		return nil
	}
	if fi, err := f.Stat(); err == nil && fi.Size() > watchdogLogMax {
		_ = f.Truncate(0)
	}
	return f
}
