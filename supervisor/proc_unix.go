//go:build linux || darwin

package supervisor

import (
	"fmt"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// spawn starts a run. It returns once exec has succeeded or failed; exec
// errors (no such command, not executable, bad dir) come back here.
//
// With Pdeathsig (Linux), the child is forked from a fork thread, which
// lives as long as the process (forker_unix.go): Pdeathsig fires when the
// forking *thread* exits, not the process (Go issue 27505). No thread is
// held per child: the exit is awaited on the netpoller (awaitExit).
func spawn(spec spawnSpec) (*proc, error) {
	var target execTarget
	if spec.target != nil {
		target = *spec.target
	} else {
		var err error
		if target, err = preflight(spec.def, spec.home); err != nil {
			return nil, err
		}
	}
	// Before the first service: orphans of services come to us (Linux).
	subreaper()
	p := &proc{done: make(chan struct{}), installed: make(chan struct{}), tag: newRunTag()}
	startErr := make(chan error, 1)
	go func() {
		attr := &syscall.SysProcAttr{Setpgid: true}
		forkOn := func(fork func(threadFiles)) { fork(threadFiles{}) }
		if spec.parentDeath && setParentDeathSignal(attr) {
			forkOn = onForkThread
		}
		l, err := startCmd(spec.def, target, attr, p.tag, forkOn)
		if err != nil {
			startErr <- err
			return
		}
		outR, errR := l.outR, l.errR
		p.pid = l.pid
		p.started = time.Now()
		if st, err := startTimeBetween(p.pid, l.before, l.after); err == nil {
			p.startTime = st
		}
		// The watchdog learns of the group before anyone hears of the run.
		spec.watch.add(p.record())
		trackEscapes(p, spec.watch)
		drained := make(chan struct{}) // closed when both pipes reach their end
		var pumping atomic.Int32
		pumping.Store(2)
		pump := func(f *os.File, stream EventType) {
			spec.out.pump(f, stream, p)
			if pumping.Add(-1) == 0 {
				close(drained)
			}
		}
		go pump(outR, evStdout)
		go pump(errR, evStderr)
		startErr <- nil

		// The leader has exited but stays unreaped (a zombie) while its
		// group empties: its pid, which is the group id, cannot be reused
		// meanwhile, so the group signals below and those of a concurrent
		// stop reach only this run. A platform that cannot wait without
		// reaping (an error here) falls back to what it had before: reap
		// below collects it at once, and the gate still keeps our own
		// signals from a reused group id.
		// awaitExit waits on the netpoller (no thread held) where it can;
		// where it could not, waitExit blocks.
		if awaitExit(l.pidfd) || waitExit(p.pid) == nil {
			p.exited.Store(true)
		}
		table := reapGroup(p, spec.crashGrace)
		// What left the group goes with it, before the leader is reaped:
		// its zombie keeps the group id ours while its members are reaped.
		untrackEscapes(p)
		p.endEscapees(spec.crashGrace, table)
		drainReaders(drained, outR, errR)
		p.sigMu.Lock()
		p.reaped = true
		p.sigMu.Unlock()
		p.exitCode, p.exitDesc = reap(p.pid)
		forgetLeader(p)
		// The group is empty: nothing is left for the watchdog to kill.
		spec.watch.remove(p.pid)
		p.escMu.Lock()
		p.escEnded = true
		for g := range p.escGroups {
			spec.watch.remove(g)
		}
		p.escMu.Unlock()
		// onExit first: whoever waits on done then sees the final status.
		<-p.installed
		spec.onExit(p)
		close(p.done)
	}()
	if err := <-startErr; err != nil {
		return nil, err
	}
	return p, nil
}

// launched is a run's leader as startCmd left it: its pid, a pidfd of it
// (its fork's, or opened after a fork from a thread's own table; -1 where
// the kernel has none), its output pipes' read ends, and the boot clock
// read just before and after its fork.
type launched struct {
	pid           int
	pidfd         int
	outR, errR    *os.File
	before, after forkClock
}

// startCmd runs exec with the output pipes, in a process group of its own.
// The fork runs in forkOn (a fork thread, with Pdeathsig), and only the
// fork: the pipes and the environment are made before, on the caller's
// goroutine, so that the few threads every fork waits for do nothing else.
//
// It calls syscall.StartProcess, not exec.Cmd or os.StartProcess. The path
// is resolved already (preflight), the environment is built here with the
// service's keys laid over (serviceEnv), stdin is one /dev/null shared by
// every run, and the pipes are ours, so exec.Cmd would only add a lookup,
// a second pass over the environment and a file opened per run. And an
// os.Process holds a pidfd of its own, beside the one the exit is awaited
// on (awaitExit): a fork from the process's descriptor table (where a fork
// thread cannot have its own, threadFiles) copies every descriptor the
// runtime holds, so four per run instead of three would make each start
// dearer the more services ran (BENCHMARKS.md).
func startCmd(def definition, target execTarget, attr *syscall.SysProcAttr, tag string, forkOn func(func(threadFiles))) (launched, error) {
	stdin, err := devNull()
	if err != nil {
		return launched{}, err
	}
	outR, outW, err := outputPipe()
	if err != nil {
		return launched{}, fmt.Errorf("create stdout pipe: %w", err)
	}
	errR, errW, err := outputPipe()
	if err != nil {
		outR.Close()
		outW.Close()
		return launched{}, fmt.Errorf("create stderr pipe: %w", err)
	}
	argv := append([]string{def.Cmd}, def.Args...)
	l := launched{pidfd: -1, outR: outR, errR: errR}
	pa := &syscall.ProcAttr{
		Dir: target.dir,
		// The run tag last: a service's env cannot override it.
		Env:   append(serviceEnv(def.Env), runTagEnv+"="+tag),
		Files: []uintptr{stdin.Fd(), outW.Fd(), errW.Fd()},
		Sys:   attr,
	}
	forkOn(func(files threadFiles) {
		local := *pa // the descriptors as the forking thread's table numbers them
		var release func()
		if local.Files, release, err = files.fetch(pa.Files); err != nil {
			return
		}
		if !files.private { // the fork's pidfd lands in the forking thread's table
			requestPidfd(attr, &l.pidfd)
		}
		l.before = readForkClock()
		l.pid, _, err = syscall.StartProcess(target.path, argv, &local)
		l.after = readForkClock()
		release()
	})
	outW.Close()
	errW.Close()
	if err != nil {
		outR.Close()
		errR.Close()
		return launched{}, fmt.Errorf("exec %q: %w", def.Cmd, unwrapExec(err))
	}
	if l.pidfd < 0 {
		// Opened here, in the process's table. Only reap collects the
		// leader, so its pid is still this child's, exited or not.
		l.pidfd = pidfdOf(l.pid)
	}
	return l, nil
}

// reap collects the exit of run leader pid, which has exited (awaitExit,
// waitExit): wait4 on its pid, which no other process can hold until it is
// reaped. It returns the API's exit code and the sentence for the state.
func reap(pid int) (int, string) {
	var ws unix.WaitStatus
	for {
		_, err := unix.Wait4(pid, &ws, 0, nil)
		if err == unix.EINTR {
			continue
		}
		return describeExit(ws, err)
	}
}

// devNull is the stdin of every run, opened once and never closed.
var devNull = sync.OnceValues(func() (*os.File, error) {
	f, err := os.Open(os.DevNull)
	if err != nil {
		return nil, fmt.Errorf("open %s for stdin: %w", os.DevNull, err)
	}
	return f, nil
})

// describeExit turns a wait status into the API's exit code (128+n for a
// signal, as a shell reports it) and a sentence for the state's error.
func describeExit(ws unix.WaitStatus, err error) (int, string) {
	if err != nil {
		return -1, fmt.Sprintf("wait failed: %v", err)
	}
	if ws.Signaled() {
		return 128 + int(ws.Signal()), "killed by signal " + signalName(ws.Signal())
	}
	code := ws.ExitStatus()
	return code, fmt.Sprintf("exited with code %d", code)
}

func signalName(s syscall.Signal) string {
	if n := unix.SignalName(s); n != "" {
		return strings.TrimPrefix(n, "SIG")
	}
	return fmt.Sprint(int(s))
}

// reapGroup waits until no live process is left in the run's group. When a
// crashed leader leaves members behind, they get TERM and, after grace, KILL
// (as systemd does for a unit's cgroup). On a requested stop the stopper
// owns the signals and their timing. It returns the run's processes as its
// last look saw them (on Linux; nil elsewhere), for endEscapees to start
// from instead of reading them again.
func reapGroup(p *proc, grace time.Duration) []procEntry {
	alive, table := p.groupAlive()
	if !alive {
		return table
	}
	begin := time.Now()
	if !p.stopRequested.Load() {
		_ = p.signal(unix.SIGTERM)
	}
	killed := false
	wait := time.Millisecond
	for alive {
		if !killed && !p.stopRequested.Load() && time.Since(begin) >= grace {
			_ = p.signal(unix.SIGKILL)
			killed = true
		}
		time.Sleep(wait)
		wait = min(2*wait, 50*time.Millisecond)
		alive, table = p.groupAlive()
	}
	return table
}

// drainReaders gives the output readers a moment to reach the end of the
// pipes (drained closes when both have), then closes them: a process that
// escaped the group (setsid) and still holds a pipe must not keep the run
// alive. Usually the readers are done already and nothing waits.
func drainReaders(drained <-chan struct{}, files ...*os.File) {
	select {
	case <-drained:
	default:
		t := time.NewTimer(250 * time.Millisecond)
		select {
		case <-drained:
		case <-t.C:
			for _, f := range files {
				f.Close()
			}
			<-drained
		}
		t.Stop()
	}
	for _, f := range files {
		f.Close()
	}
}

// terminate stops run p: TERM to the group, KILL to the group after grace,
// and returns once the whole run is gone (or after an extra safety wait for
// processes the kernel cannot kill, such as ones stuck in disk I/O).
func terminate(p *proc, grace time.Duration) error {
	p.stopRequested.Store(true)
	select {
	case <-p.done:
		return nil
	default:
	}
	// Escaped processes first, while the tree still links them to the run.
	p.signalEscapees(unix.SIGTERM)
	_ = p.signal(unix.SIGTERM)
	t := time.NewTimer(grace)
	defer t.Stop()
	select {
	case <-p.done:
		return nil
	case <-t.C:
	}
	p.signalEscapees(unix.SIGKILL)
	_ = p.signal(unix.SIGKILL)
	const unkillable = 30 * time.Second
	select {
	case <-p.done:
		return nil
	case <-time.After(unkillable):
		return fmt.Errorf("process group %d still has processes %s after SIGKILL; they may be stuck in the kernel", p.pid, unkillable)
	}
}

// signalNames are the signals a caller may send, by bare name.
var signalNames = map[string]syscall.Signal{
	"TERM": unix.SIGTERM, "HUP": unix.SIGHUP, "INT": unix.SIGINT, "KILL": unix.SIGKILL,
	"QUIT": unix.SIGQUIT, "USR1": unix.SIGUSR1, "USR2": unix.SIGUSR2, "STOP": unix.SIGSTOP,
	"CONT": unix.SIGCONT, "WINCH": unix.SIGWINCH, "ALRM": unix.SIGALRM,
}

// lookupSignal maps a bare signal name (TERM) to the signal.
func lookupSignal(name string) (syscall.Signal, bool) {
	sig, ok := signalNames[name]
	return sig, ok
}

// signalRun sends sig to the run's group unless the run is over.
func signalRun(p *proc, sig syscall.Signal) error {
	select {
	case <-p.done:
		return fmt.Errorf("the process has exited")
	default:
	}
	return p.signal(sig)
}

// signal sends sig to the run's group, unless its leader was reaped: from
// then on the group id may name another group (see proc.sigMu).
func (p *proc) signal(sig syscall.Signal) error {
	p.sigMu.RLock()
	defer p.sigMu.RUnlock()
	if p.reaped {
		return fmt.Errorf("the process has exited")
	}
	return signalGroup(p.pid, sig)
}
