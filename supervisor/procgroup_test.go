//go:build linux || darwin

package supervisor

import (
	"errors"

	"golang.org/x/sys/unix"
)

// The tests' own view of a process group: the whole process table, not the
// runtime's shortcuts (proc.groupAlive), so a test checks the runtime
// against the ground truth.

// groupMembers lists the live processes of group pgid that started at
// minStart or later.
func groupMembers(pgid int, minStart uint64) []int {
	return membersSince(groupsOf([]int{pgid}), pgid, minStart)
}

// groupAlive reports whether process group pgid still has a live
// (non-zombie) member anywhere on the machine.
func groupAlive(pgid int) bool {
	if err := unix.Kill(-pgid, 0); errors.Is(err, unix.ESRCH) {
		return false
	}
	return len(groupMembers(pgid, 0)) > 0
}
