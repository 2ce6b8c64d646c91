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

// groupMembers lists the live processes of group pgid that started at
// minStart or later.
func groupMembers(pgid int, minStart uint64) []int {
	return membersSince(groupsOf([]int{pgid}), pgid, minStart)
}

// groupAlive reports whether process group pgid still has a live member.
// The cheap kill(-pgid, 0) answers almost always; the group's members are
// listed only when it says "alive", to tell live members from unreaped
// zombies.
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
