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
	"syscall"

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
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return procStat{}, err
	}
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return procStat{}, fmt.Errorf("parse /proc/%d/stat: no command name", pid)
	}
	f := bytes.Fields(b[i+1:])
	// f[0] is field 3 (state); field n is f[n-3].
	if len(f) < 20 {
		return procStat{}, fmt.Errorf("parse /proc/%d/stat: %d fields", pid, len(f)+2)
	}
	ppid, err := strconv.Atoi(string(f[1]))
	if err != nil {
		return procStat{}, fmt.Errorf("parse /proc/%d/stat ppid: %w", pid, err)
	}
	pgrp, err := strconv.Atoi(string(f[2]))
	if err != nil {
		return procStat{}, fmt.Errorf("parse /proc/%d/stat pgrp: %w", pid, err)
	}
	st, err := strconv.ParseUint(string(f[19]), 10, 64)
	if err != nil {
		return procStat{}, fmt.Errorf("parse /proc/%d/stat starttime: %w", pid, err)
	}
	threads, err := strconv.Atoi(string(f[17]))
	if err != nil {
		return procStat{}, fmt.Errorf("parse /proc/%d/stat num_threads: %w", pid, err)
	}
	return procStat{state: f[0][0], ppid: ppid, pgrp: pgrp, startTime: st, threads: threads}, nil
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
// reaping it: it stays a zombie, holding its pid, until os/exec's Wait.
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
