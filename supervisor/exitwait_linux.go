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
// creation was a large share of the CPU and memory of starting them). On a
// kernel without pidfds it returns at once and Wait blocks as before.
func awaitExit(pid int) {
	fd, err := unix.PidfdOpen(pid, unix.PIDFD_NONBLOCK)
	if err != nil {
		return
	}
	f := os.NewFile(uintptr(fd), "pidfd")
	defer f.Close()
	rc, err := f.SyscallConn()
	if err != nil {
		return
	}
	// Read calls the function, and again each time the pidfd is readable
	// (the process ended), until it returns true.
	_ = rc.Read(func(fd uintptr) bool {
		var info unix.Siginfo
		err := unix.Waitid(unix.P_PIDFD, int(fd), &info, unix.WEXITED|unix.WNOHANG|unix.WNOWAIT, nil)
		return err != nil || info.Signo != 0
	})
}
