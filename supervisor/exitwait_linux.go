//go:build linux

package supervisor

import (
	"os"
	"syscall"

	"golang.org/x/sys/unix"
)

// requestPidfd asks the fork for a pidfd of the child (clone's
// CLONE_PIDFD), stored in *fd; the kernel leaves -1 there if it has none.
func requestPidfd(attr *syscall.SysProcAttr, fd *int) { attr.PidFD = fd }

// pidfdOf opens a pidfd of child pid, which is not reaped yet; -1 where
// the kernel has none (before Linux 5.3).
func pidfdOf(pid int) int {
	fd, err := unix.PidfdOpen(pid, 0)
	if err != nil {
		return -1
	}
	return fd
}

// awaitExit returns once the process of pidfd (pidfdOf) has exited,
// leaving it unreaped for reap, and closes pidfd. It waits through the
// netpoller, so a running service holds no OS thread: a blocking wait
// holds one thread per child, 1000 threads for 1000 services (their
// creation was a large share of the CPU and memory of starting them). It
// reports whether it saw the exit; with no pidfd (-1: a kernel without
// them) it returns false at once and the caller waits as before
// (waitExit).
func awaitExit(pidfd int) bool {
	if pidfd < 0 {
		return false
	}
	// Non-blocking, os.NewFile puts it on the netpoller.
	if err := unix.SetNonblock(pidfd, true); err != nil {
		unix.Close(pidfd)
		return false
	}
	f := os.NewFile(uintptr(pidfd), "pidfd")
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
