//go:build linux

package supervisor

import (
	"os"

	"golang.org/x/sys/unix"
)

// outputPipe makes the pipe of one output stream. The read end is ours:
// non-blocking, so that os.NewFile puts it on the netpoller and its pump
// holds no thread. The write end is the child's: blocking, as a program
// expects its stdout to be, and never on the poller. os.Pipe would put
// both ends on the poller, and the exec would take the write end off
// again: four system calls per stream that this saves.
func outputPipe() (r, w *os.File, err error) {
	var fds [2]int
	if err := unix.Pipe2(fds[:], unix.O_CLOEXEC); err != nil {
		return nil, nil, os.NewSyscallError("pipe2", err)
	}
	if err := unix.SetNonblock(fds[0], true); err != nil {
		unix.Close(fds[0])
		unix.Close(fds[1])
		return nil, nil, os.NewSyscallError("fcntl", err)
	}
	return os.NewFile(uintptr(fds[0]), "|0"), os.NewFile(uintptr(fds[1]), "|1"), nil
}
