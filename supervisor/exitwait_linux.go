//go:build linux

package supervisor

import (
	"os"

	"golang.org/x/sys/unix"
)

// awaitExit returns once process pid has exited, leaving it unreaped for
// the Wait that follows. It waits on a pidfd through the netpoller, so a
// running service holds no OS thread: os.Process.Wait alone blocks one
// thread in waitid per child, 1000 threads for 1000 services (their
// creation was a large share of the CPU and memory of starting them). It
// reports whether it saw the exit; on a kernel without pidfds it returns
// false at once and the caller waits as before (waitExit).
func awaitExit(pid int) bool {
	fd, err := unix.PidfdOpen(pid, unix.PIDFD_NONBLOCK)
	if err != nil {
		return false
	}
	f := os.NewFile(uintptr(fd), "pidfd")
	defer f.Close()
	rc, err := f.SyscallConn()
	if err != nil {
		return false
	}
	// Read calls the function, and again each time the pidfd is readable
	// (the process ended), until it returns true.
	exited := false
	_ = rc.Read(func(fd uintptr) bool {
		var info unix.Siginfo
		err := unix.Waitid(unix.P_PIDFD, int(fd), &info, unix.WEXITED|unix.WNOHANG|unix.WNOWAIT, nil)
		exited = err == nil && info.Signo != 0
		return err != nil || exited
	})
	return exited
}
