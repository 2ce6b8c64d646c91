//go:build linux

package supervisor

import (
	"sync"

	"golang.org/x/sys/unix"
)

// subreaper makes this process a child subreaper, once, and reports
// whether it is one. A subreaper receives the orphans of its descendants
// instead of init: a service's process that leaves its group and loses its
// parent (a daemonising double fork) stays in our process tree, where
// escape.go finds it by its run tag.
//
// It is process-wide and lasts for the life of the process. Its cost is
// the orphans' zombies, which are ours to reap: they are reaped one by
// one, by pid, and only those known to belong to a run (reapAdopted) —
// never with a wait for any child, which would steal reap's exit
// statuses, in this package or in the program embedding it.
var subreaper = sync.OnceValue(func() bool {
	return unix.Prctl(unix.PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == nil
})

// reapChild reaps child pid if it has exited.
func reapChild(pid int) {
	var info unix.Siginfo
	_ = unix.Waitid(unix.P_PID, pid, &info, unix.WEXITED|unix.WNOHANG, nil)
}
