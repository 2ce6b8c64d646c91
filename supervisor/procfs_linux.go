//go:build linux

package supervisor

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"strconv"

	"golang.org/x/sys/unix"
)

// procStat is what we need of /proc/<pid>/stat.
type procStat struct {
	state     byte   // R, S, D, Z, ...
	pgrp      int    // process group
	startTime uint64 // clock ticks after boot (field 22): with the pid, it names one process for ever
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
	pgrp, err := strconv.Atoi(string(f[2]))
	if err != nil {
		return procStat{}, fmt.Errorf("parse /proc/%d/stat pgrp: %w", pid, err)
	}
	st, err := strconv.ParseUint(string(f[19]), 10, 64)
	if err != nil {
		return procStat{}, fmt.Errorf("parse /proc/%d/stat starttime: %w", pid, err)
	}
	return procStat{state: f[0][0], pgrp: pgrp, startTime: st}, nil
}

// member is a live process of some group.
type member struct {
	pid       int
	startTime uint64
}

// liveProcesses reads /proc once and returns the live (non-zombie)
// processes by process group. Zombies are left out: a zombie whose parent
// never reaps it (a container init that is not a reaper) would otherwise
// keep a group "alive" for ever.
func liveProcesses() map[int][]member {
	d, err := os.Open("/proc")
	if err != nil {
		return nil
	}
	defer d.Close()
	names, _ := d.Readdirnames(-1)
	groups := map[int][]member{}
	for _, n := range names {
		pid, err := strconv.Atoi(n)
		if err != nil {
			continue
		}
		st, err := readProcStat(pid)
		if err != nil || st.state == 'Z' || st.state == 'X' {
			continue
		}
		groups[st.pgrp] = append(groups[st.pgrp], member{pid: pid, startTime: st.startTime})
	}
	return groups
}

// membersSince lists the pids of group pgid that started at minStart or
// later, from a liveProcesses snapshot.
func membersSince(groups map[int][]member, pgid int, minStart uint64) []int {
	var pids []int
	for _, m := range groups[pgid] {
		if m.startTime >= minStart {
			pids = append(pids, m.pid)
		}
	}
	return pids
}

// groupMembers lists the live processes of group pgid that started at
// minStart or later.
func groupMembers(pgid int, minStart uint64) []int {
	return membersSince(liveProcesses(), pgid, minStart)
}

// groupAlive reports whether process group pgid still has a live member.
// The cheap kill(-pgid, 0) answers almost always; /proc is read only when
// it says "alive", to tell live members from unreaped zombies.
func groupAlive(pgid int) bool {
	if err := unix.Kill(-pgid, 0); errors.Is(err, unix.ESRCH) {
		return false
	}
	return len(groupMembers(pgid, 0)) > 0
}

// signalGroup sends sig to every process of group pgid; a group already
// gone is not an error.
func signalGroup(pgid int, sig unix.Signal) error {
	if pgid <= 1 {
		return fmt.Errorf("refusing to signal process group %d", pgid)
	}
	if err := unix.Kill(-pgid, sig); err != nil && !errors.Is(err, unix.ESRCH) {
		return fmt.Errorf("signal process group %d: %w", pgid, err)
	}
	return nil
}
