//go:build unix

package supervisor

import "golang.org/x/sys/unix"

// readFD is one read(2) of a non-blocking pipe; again means "not readable
// yet, wait for the poller".
func readFD(fd uintptr, buf []byte) (n int, again bool, err error) {
	n, err = unix.Read(int(fd), buf)
	if err == unix.EAGAIN || err == unix.EINTR {
		return 0, true, nil
	}
	return n, false, err
}
