//go:build darwin

package supervisor

// The few process calls that differ between Linux and macOS, macOS side:
// there is no /proc, sysctl answers them. Its twin, procinfo_linux.go, is
// the one the test suite runs; this one is cross-compiled and vetted.

import (
	"errors"
	"fmt"
	"syscall"

	"golang.org/x/sys/unix"
)

// maxSocketPath is the longest path a unix socket address can hold
// (sun_path is 104 bytes with its NUL).
const maxSocketPath = 103

// sZomb is SZOMB of <sys/proc.h>: an exited process not yet reaped.
const sZomb = 5

// setParentDeathSignal does nothing: macOS has no Pdeathsig. The watchdog
// (watchdog.go) is what ends the services of a runtime that was killed.
func setParentDeathSignal(*syscall.SysProcAttr) bool { return false }

// startTimeOf is p_starttime in microseconds since the epoch: with the pid,
// it names one process for ever.
func startTimeOf(kp *unix.KinfoProc) uint64 {
	tv := kp.Proc.P_starttime
	return uint64(tv.Sec)*1_000_000 + uint64(tv.Usec)
}

// forkClock brackets a fork on Linux (procinfo_linux.go); here the start
// time is always asked of the kernel.
type forkClock uint64

func readForkClock() forkClock { return 0 }

func startTimeBetween(pid int, _, _ forkClock) (uint64, error) { return processStartTime(pid) }

// processStartTime asks sysctl kern.proc.pid.<pid> when pid started.
func processStartTime(pid int) (uint64, error) {
	kp, err := unix.SysctlKinfoProc("kern.proc.pid", pid)
	if err != nil {
		// A pid with no process answers with no data, which x/sys reports
		// as EIO.
		if errors.Is(err, unix.EIO) {
			return 0, fmt.Errorf("process %d: %w", pid, syscall.ESRCH)
		}
		return 0, fmt.Errorf("sysctl kern.proc.pid.%d: %w", pid, err)
	}
	if int(kp.Proc.P_pid) != pid {
		return 0, fmt.Errorf("process %d: %w", pid, syscall.ESRCH)
	}
	return startTimeOf(kp), nil
}

// groupsOf asks sysctl kern.proc.pgrp.<pgid> for the live (non-zombie)
// members of each group.
func groupsOf(pgids []int) map[int][]member {
	groups := map[int][]member{}
	for _, g := range pgids {
		kps, err := unix.SysctlKinfoProcSlice("kern.proc.pgrp", g)
		if err != nil {
			continue
		}
		for i := range kps {
			kp := &kps[i]
			if kp.Proc.P_stat == sZomb || int(kp.Eproc.Pgid) != g {
				continue
			}
			groups[g] = append(groups[g], member{pid: int(kp.Proc.P_pid), startTime: startTimeOf(kp)})
		}
	}
	return groups
}

// bootID names this boot of the machine by its boot time (kern.boottime),
// to the microsecond. "" when it cannot be read (records then rest on start
// times alone).
func bootID() string {
	tv, err := unix.SysctlTimeval("kern.boottime")
	if err != nil {
		return ""
	}
	return fmt.Sprintf("%d.%06d", tv.Sec, tv.Usec)
}

// waitExit returns once process pid (our child) has exited, without
// reaping it: macOS has no waitid(WNOWAIT) in x/sys, but a kqueue
// EVFILT_PROC/NOTE_EXIT event tells the exit and leaves the zombie to
// reap. A process already gone answers ESRCH.
func waitExit(pid int) error {
	kq, err := unix.Kqueue()
	if err != nil {
		return err
	}
	defer unix.Close(kq)
	var ev unix.Kevent_t
	unix.SetKevent(&ev, pid, unix.EVFILT_PROC, unix.EV_ADD|unix.EV_ONESHOT)
	ev.Fflags = unix.NOTE_EXIT
	out := make([]unix.Kevent_t, 1)
	for {
		n, err := unix.Kevent(kq, []unix.Kevent_t{ev}, out, nil)
		switch {
		case errors.Is(err, unix.ESRCH):
			return nil
		case errors.Is(err, unix.EINTR):
			continue
		case err != nil:
			return err
		case n > 0 && out[0].Flags&unix.EV_ERROR != 0 && syscall.Errno(out[0].Data) == unix.ESRCH:
			return nil
		case n > 0 && out[0].Flags&unix.EV_ERROR != 0:
			return syscall.Errno(out[0].Data)
		case n > 0:
			return nil
		}
	}
}

// subreaper reports false: macOS has no child subreaper. An escaped
// process whose parent dies goes to launchd; it is found only if a scan saw
// it while its parent lived (escape.go).
func subreaper() bool { return false }

// reapChild is never called: without a subreaper no orphan is ours.
func reapChild(int) {}

// hasRunTag reports false: reading another process's environment needs
// KERN_PROCARGS2 parsing, and without a subreaper no orphan is our child
// for the tag to identify.
func hasRunTag(int, uint64, string) bool { return false }

// readRunTag is "" for the same reason.
func readRunTag(int) string { return "" }

// readProcessTable asks sysctl kern.proc.all for every process.
func readProcessTable() []procEntry {
	kps, err := unix.SysctlKinfoProcSlice("kern.proc.all")
	if err != nil {
		return nil
	}
	table := make([]procEntry, 0, len(kps))
	for i := range kps {
		kp := &kps[i]
		table = append(table, procEntry{pid: int(kp.Proc.P_pid), ppid: int(kp.Eproc.Ppid),
			pgrp: int(kp.Eproc.Pgid), start: startTimeOf(kp), zombie: kp.Proc.P_stat == sZomb})
	}
	return table
}

// signalProcess sends sig to pid if it is still the process that started
// at start (macOS has no pidfd: the check and the kill are two steps).
func signalProcess(pid int, start uint64, sig syscall.Signal) {
	if st, err := processStartTime(pid); err == nil && st == start {
		_ = unix.Kill(pid, sig)
	}
}
