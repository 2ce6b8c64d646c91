//go:build linux || darwin

package supervisor

import (
	"errors"
	"fmt"

	"golang.org/x/sys/unix"
)

// member is a live process of some group.
type member struct {
	pid       int
	startTime uint64
}

// membersSince lists the pids of group pgid that started at minStart or
// later, from a groupsOf snapshot.
func membersSince(groups map[int][]member, pgid int, minStart uint64) []int {
	var pids []int
	for _, m := range groups[pgid] {
		if m.startTime >= minStart {
			pids = append(pids, m.pid)
		}
	}
	return pids
}

// groupAlive reports whether run p's group still has a live member once
// its leader has exited (the leader's zombie is not one), with the table it
// read (nil when none was), for endEscapees to start from. The cheap
// kill(-pgid, 0) answers when the group is gone, zombie included; when it
// says "alive", the members are looked for in groupTable: on Linux the
// run's own tree and the runtime's adopted orphans, not the whole process
// table.
func (p *proc) groupAlive() (bool, []procEntry) {
	if err := unix.Kill(-p.pid, 0); errors.Is(err, unix.ESRCH) {
		return false, nil
	}
	table := p.groupTable()
	for _, e := range table {
		if e.pgrp == p.pid && e.pid != p.pid && !e.zombie {
			return true, table
		}
	}
	return false, table
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
