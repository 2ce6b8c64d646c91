//go:build linux

package supervisor

import (
	"math"
	"os"
	"slices"
	"strconv"

	"golang.org/x/sys/unix"
)

// threadFiles is the descriptor table a fork runs with. A fork copies the
// forking thread's table into the child, and the child's exec closes each
// copy again: forked from the process's table, which holds three
// descriptors per run (two output pipes and the pidfd its exit is awaited
// on), each start cost more the more services ran (BENCHMARKS.md, fifth
// pass). A fork thread therefore takes a table of its own (ownFiles) that
// holds only what the Go runtime needs on any thread, and fetches each
// job's descriptors into it for the fork (fetch). The zero value is the
// process's table, shared, where fetch changes nothing.
type threadFiles struct {
	private bool
	self    int // a pidfd of this process, in the private table
}

// ownFiles gives the calling thread a descriptor table of its own and
// returns it, or the shared table where the kernel or a sandbox refuses a
// step (a container's default seccomp profile refuses unshare and
// pidfd_getfd without added capabilities). The caller is locked to its
// thread for good and is not the main thread: the table belongs to the
// thread, and fetch reads the process's table through the main thread's
// (pidfd_getfd reads the table of the pid's thread-group leader).
//
// New threads are not cloned from this one, so they share the process's
// table: the Go runtime has a thread it locked itself make them (newm's
// template thread).
//
// The new table starts as a copy of the process's. All is closed in it at
// once but stderr, for a crash's message, and the runtime's poller (its
// epoll and eventfd descriptors, which the Go runtime may use from this
// thread when it starts the world or wakes the poller; with them any
// other epoll or eventfd open at that moment); stdin and stdout become
// /dev/null (stderr too if the process had closed it), unless the poller
// is there, in a program that closed its stdio. A copy of a socket or a
// pipe kept here would keep it open after the process closed it. A crash
// file set with debug.SetCrashOutput is not written to from this thread.
//
// Every step that can be refused is tried before the split; after it
// there is no way back.
func ownFiles() threadFiles {
	self, err := splitProbe()
	if err != nil {
		return threadFiles{}
	}
	null, err := aboveStdio(unix.Open(os.DevNull, unix.O_RDWR|unix.O_CLOEXEC, 0))
	if err != nil {
		unix.Close(self)
		return threadFiles{}
	}
	// The runtime makes its poller on first use; made after the split, it
	// would be missing here. A pipe's read end is put on it.
	if r, w, err := os.Pipe(); err == nil {
		r.Close()
		w.Close()
	}
	keep := pollerFiles()
	if len(keep) == 0 || unix.Unshare(unix.CLONE_FILES) != nil {
		unix.Close(self)
		unix.Close(null)
		return threadFiles{}
	}
	// self and null are in both tables now. A goroutine closes the
	// process's copies: it never runs on this thread, which is locked.
	go func() {
		unix.Close(self)
		unix.Close(null)
	}()
	// The listing of this table, and the one before the split, whatever it
	// raced with: a poller descriptor closed here would crash the runtime.
	keep = append(keep, pollerFiles()...)
	keep = append(keep, self)
	slices.Sort(keep)
	keep = slices.Compact(keep)
	for fd := range 3 { // a program that closed its stdio may have the poller there
		if slices.Contains(keep, fd) || fd == 2 && isOpen(2) {
			continue
		}
		unix.Dup3(null, fd, 0)
	}
	first := uint(3)
	for _, fd := range keep {
		if uint(fd) > first {
			unix.CloseRange(first, uint(fd)-1, 0)
		}
		first = max(first, uint(fd)+1)
	}
	unix.CloseRange(first, math.MaxUint32, 0)
	return threadFiles{private: true, self: self}
}

// splitProbe opens a pidfd of this process, above stdio, and tries what a
// thread with a table of its own calls: pidfd_getfd, and close_range
// (Linux 5.9) on a range beyond any table, a no-op where it exists. The
// error names the call refused.
func splitProbe() (self int, err error) {
	self, err = aboveStdio(unix.PidfdOpen(os.Getpid(), 0))
	if err != nil {
		return -1, os.NewSyscallError("pidfd_open", err)
	}
	fetched, err := unix.PidfdGetfd(self, self, 0)
	if err != nil {
		unix.Close(self)
		return -1, os.NewSyscallError("pidfd_getfd", err)
	}
	unix.Close(fetched)
	if err := unix.CloseRange(math.MaxInt32, math.MaxInt32, 0); err != nil {
		unix.Close(self)
		return -1, os.NewSyscallError("close_range", err)
	}
	return self, nil
}

// pollerFiles lists the descriptors of the calling thread's table that
// are an epoll or an eventfd: the Go runtime's poller among them. None
// where /proc cannot be read.
func pollerFiles() []int {
	const dir = "/proc/thread-self/fd/"
	var keep []int
	var buf [64]byte
	for _, name := range readDirNames(dir) {
		fd, err := strconv.Atoi(name)
		if err != nil {
			continue
		}
		n, err := unix.Readlink(dir+name, buf[:])
		if err != nil {
			continue
		}
		if target := string(buf[:n]); target == "anon_inode:[eventpoll]" || target == "anon_inode:[eventfd]" {
			keep = append(keep, fd)
		}
	}
	return keep
}

// fetch returns fds, descriptors of the process's table, as descriptors of
// the thread's, and release, which closes those again after the fork.
func (t threadFiles) fetch(fds []uintptr) (local []uintptr, release func(), err error) {
	if !t.private {
		return fds, func() {}, nil
	}
	release = func() {
		for _, fd := range local {
			unix.Close(int(fd))
		}
	}
	local = make([]uintptr, 0, len(fds))
	for _, fd := range fds {
		l, err := unix.PidfdGetfd(t.self, int(fd), 0)
		if err != nil {
			release()
			return nil, nil, os.NewSyscallError("pidfd_getfd", err)
		}
		local = append(local, uintptr(l))
	}
	return local, release, nil
}

// aboveStdio moves descriptor fd (with err, as it was opened) above 2: in
// a program that closed its stdio it may land there, where ownFiles puts
// /dev/null in the thread's table.
func aboveStdio(fd int, err error) (int, error) {
	if err != nil || fd > 2 {
		return fd, err
	}
	moved, err := unix.FcntlInt(uintptr(fd), unix.F_DUPFD_CLOEXEC, 3)
	unix.Close(fd)
	return moved, err
}

// isOpen reports whether fd is open in the calling thread's table.
func isOpen(fd int) bool {
	_, err := unix.FcntlInt(uintptr(fd), unix.F_GETFD, 0)
	return err == nil
}
