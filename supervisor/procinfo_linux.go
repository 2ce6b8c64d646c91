//go:build linux

package supervisor

// The few process calls that differ between Linux and macOS, Linux side:
// /proc answers them. Its twin is procinfo_darwin.go.
//
// The /proc reading is hand-written on purpose. The runtime imports only
// the standard library, golang.org/x/sys and our two leaves, so that it
// stays small and knows nothing else (docs/ARCHITECTURE.md), and it needs
// three fields of one file per process (state, parent, group, start time
// from /proc/<pid>/stat) plus the run tag: one read and one scan after the
// last ')' each, about 18 µs per process here (a whole table of 97
// processes in 1.7 ms). A general /proc library parses every field of
// every file it opens, and would be the runtime's largest dependency.

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// maxSocketPath is the longest path a unix socket address can hold
// (sun_path is 108 bytes with its NUL).
const maxSocketPath = 107

// setParentDeathSignal asks the kernel to SIGKILL the child when the thread
// that forked it exits. Linux only; the watchdog (watchdog.go) covers every
// unix, this closes the moment between fork and the watchdog hearing of the
// new group.
func setParentDeathSignal(attr *syscall.SysProcAttr) bool {
	attr.Pdeathsig = syscall.SIGKILL
	return true
}

// procStat is what we need of /proc/<pid>/stat.
type procStat struct {
	state     byte   // R, S, D, Z, ...
	ppid      int    // parent
	pgrp      int    // process group
	startTime uint64 // clock ticks after boot (field 22): with the pid, it names one process for ever
	threads   int    // number of threads (field 20): one means only task/<pid>/children can list children
}

// readProcStat parses /proc/<pid>/stat. The command name (field 2) may hold
// spaces and parentheses, so fields are counted after the last ')'.
func readProcStat(pid int) (procStat, error) {
	var buf [512]byte // a stat line is about 300 bytes; readProcFile grows it if not
	b, err := readProcFile("/proc/"+strconv.Itoa(pid)+"/stat", buf[:])
	if err != nil {
		return procStat{}, err
	}
	return parseProcStat(pid, b)
}

func parseProcStat(pid int, b []byte) (procStat, error) {
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return procStat{}, fmt.Errorf("parse /proc/%d/stat: no command name", pid)
	}
	// Field n (counted from 1) is the (n-2)th after the command name.
	var st procStat
	var fields int
	rest := b[i+1:]
	for fields < 20 {
		var f []byte
		if f, rest = nextField(rest); f == nil {
			return procStat{}, fmt.Errorf("parse /proc/%d/stat: %d fields", pid, fields+2)
		}
		fields++
		var ok bool
		switch fields + 2 {
		case 3:
			st.state, ok = f[0], true
		case 4:
			st.ppid, ok = atoi(f)
		case 5:
			st.pgrp, ok = atoi(f)
		case 20:
			st.threads, ok = atoi(f)
		case 22:
			var n int
			n, ok = atoi(f)
			st.startTime = uint64(n)
		default:
			ok = true
		}
		if !ok {
			return procStat{}, fmt.Errorf("parse /proc/%d/stat field %d: %q", pid, fields+2, string(f))
		}
	}
	return st, nil
}

// nextField returns the first space-separated field of b and what follows
// it; a nil field when none is left.
func nextField(b []byte) (field, rest []byte) {
	for len(b) > 0 && (b[0] == ' ' || b[0] == '\n') {
		b = b[1:]
	}
	if len(b) == 0 {
		return nil, b
	}
	end := 0
	for end < len(b) && b[end] != ' ' && b[end] != '\n' {
		end++
	}
	return b[:end], b[end:]
}

// atoi parses a non-negative decimal number of /proc without allocating.
func atoi(b []byte) (int, bool) {
	if len(b) == 0 || len(b) > 18 {
		return 0, false
	}
	n := 0
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, true
}

// readProcFile reads a /proc file whole into buf (grown if it is too
// small) with plain system calls: open, read until the end, close.
// os.ReadFile also stats the file, allocates its buffer and sets the file
// up for the poller, which for a stat line costs more than the read
// itself; the runtime reads one per process it starts and per process it
// looks at when a run ends (BenchmarkReadProcStat).
func readProcFile(path string, buf []byte) ([]byte, error) {
	fd, err := unix.Open(path, unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, &os.PathError{Op: "open", Path: path, Err: err}
	}
	defer unix.Close(fd)
	n := 0
	for {
		if n == len(buf) {
			buf = append(buf, make([]byte, len(buf)+512)...)
		}
		m, err := unix.Read(fd, buf[n:])
		switch {
		case err == unix.EINTR:
			continue
		case err != nil:
			return nil, &os.PathError{Op: "read", Path: path, Err: err}
		case m == 0:
			return buf[:n], nil
		}
		n += m
	}
}

// processStartTime is when pid started, in clock ticks after boot: with the
// pid, it names one process for ever.
func processStartTime(pid int) (uint64, error) {
	st, err := readProcStat(pid)
	if err != nil {
		return 0, err
	}
	return st.startTime, nil
}

// Start times without /proc. The kernel stamps a new process with the
// boot clock (CLOCK_BOOTTIME) while it forks it, and /proc/<pid>/stat
// shows that stamp in ticks (USER_HZ, 100 a second on Linux): a process
// forked between two readings of that clock that fall in the same tick
// started in that tick. Reading the stat file right after the fork cost
// about 55 µs a start at 1000 services (it waits on the child's exec);
// two readings of the clock cost about 1 µs (a system call each). When the
// readings straddle a tick (about one fork in thirty), the file is read.
// The first start checks that the clock and the file agree, and a kernel
// where they do not (another USER_HZ) has the file read for every start.

// forkClock is a reading of the boot clock, in nanoseconds; 0 if unread.
type forkClock uint64

func readForkClock() forkClock {
	var ts unix.Timespec
	if unix.ClockGettime(unix.CLOCK_BOOTTIME, &ts) != nil {
		return 0
	}
	return forkClock(ts.Nano())
}

// userHZ is the tick of /proc's times.
const userHZ = 100

// clockAgrees: 0 not checked yet, 1 the clock gives the file's start
// times, -1 it does not.
var clockAgrees atomic.Int32

// startTimeBetween is the start time of process pid, forked after the
// clock read before and before it read after.
func startTimeBetween(pid int, before, after forkClock) (uint64, error) {
	const nsPerTick = uint64(time.Second) / userHZ
	tick := uint64(before) / nsPerTick
	if before == 0 || tick != uint64(after)/nsPerTick {
		return processStartTime(pid)
	}
	switch clockAgrees.Load() {
	case 1:
		return tick, nil
	case -1:
		return processStartTime(pid)
	}
	st, err := processStartTime(pid)
	if err == nil {
		if st == tick {
			clockAgrees.Store(1)
		} else {
			clockAgrees.Store(-1)
		}
	}
	return st, err
}

// groupsOf reads /proc once and returns the live (non-zombie) members of
// the given process groups. Zombies are left out: a zombie whose parent
// never reaps it (a container init that is not a reaper) would otherwise
// keep a group "alive" for ever.
func groupsOf(pgids []int) map[int][]member {
	want := make(map[int]bool, len(pgids))
	for _, g := range pgids {
		want[g] = true
	}
	groups := map[int][]member{}
	for _, e := range readProcessTable() {
		if !e.zombie && want[e.pgrp] {
			groups[e.pgrp] = append(groups[e.pgrp], member{pid: e.pid, startTime: e.start})
		}
	}
	return groups
}

// bootID names this boot of the machine: a random id the kernel draws at
// boot. "" when it cannot be read (records then rest on start times alone).
func bootID() string {
	b, err := os.ReadFile("/proc/sys/kernel/random/boot_id")
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(b))
}

// waitExit returns once process pid (our child) has exited, without
// reaping it: it stays a zombie, holding its pid, until reap.
func waitExit(pid int) error {
	for {
		var info unix.Siginfo
		err := unix.Waitid(unix.P_PID, pid, &info, unix.WEXITED|unix.WNOWAIT, nil)
		if err != unix.EINTR {
			return err
		}
	}
}

// readProcessTable reads every process of /proc.
func readProcessTable() []procEntry {
	d, err := os.Open("/proc")
	if err != nil {
		return nil
	}
	defer d.Close()
	names, _ := d.Readdirnames(-1)
	table := make([]procEntry, 0, len(names))
	for _, n := range names {
		pid, err := strconv.Atoi(n)
		if err != nil {
			continue
		}
		st, err := readProcStat(pid)
		if err != nil {
			continue
		}
		table = append(table, entryOf(pid, st))
	}
	return table
}

// hasRunTag reports whether process pid (started at start) carries run tag
// in the environment it started with. Each process's tag is read once: the
// runtime's own children (200 leaders) are asked about by every run.
func hasRunTag(pid int, start uint64, tag string) bool {
	key := [2]uint64{uint64(pid), start}
	runTags.Lock()
	t, ok := runTags.m[key]
	runTags.Unlock()
	if !ok {
		t = readRunTag(pid)
		runTags.Lock()
		if runTags.m == nil || len(runTags.m) >= 1<<14 {
			runTags.m = map[[2]uint64]string{} // bounded: start over
		}
		runTags.m[key] = t
		runTags.Unlock()
	}
	return t == tag
}

var runTags struct {
	sync.Mutex
	m map[[2]uint64]string
}

// readRunTag is the value of runTagEnv in the environment pid started
// with, "" for none.
func readRunTag(pid int) string {
	env, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/environ")
	if err != nil {
		return ""
	}
	for _, kv := range bytes.Split(env, []byte{0}) {
		if v, ok := bytes.CutPrefix(kv, []byte(runTagEnv+"=")); ok {
			return string(v)
		}
	}
	return ""
}

// signalProcess sends sig to pid if it is still the process that started
// at start. Through a pidfd, opened before the check, the signal cannot
// reach a process that took the pid after the check.
func signalProcess(pid int, start uint64, sig syscall.Signal) {
	fd, err := unix.PidfdOpen(pid, 0)
	if err != nil {
		if errors.Is(err, unix.ENOSYS) { // kernels before 5.3
			if st, err := readProcStat(pid); err == nil && st.startTime == start {
				_ = unix.Kill(pid, sig)
			}
		}
		return
	}
	defer unix.Close(fd)
	if st, err := readProcStat(pid); err != nil || st.startTime != start {
		return
	}
	_ = unix.PidfdSendSignal(fd, sig, nil, 0)
}
