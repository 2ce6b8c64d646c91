//go:build linux

package supervisor

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/sprites-mcp/sprites-mcp/client"
)

// A fork thread's own descriptor table holds none of the process's
// descriptors, so a descriptor the process closes is closed (a copy kept
// there would keep a pipe or a connection open), and a fork copies a few
// descriptors whatever the number of runs. The job's descriptors are
// fetched into it, and the Go runtime can still use its poller from that
// thread (a collection starts the world there; a timer may wake the
// poller).
func TestForkThreadOwnsItsDescriptorTable(t *testing.T) {
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	var many []*os.File // the process's table grows as with 100 runs
	for range 100 {
		pr, pw, err := os.Pipe()
		if err != nil {
			t.Fatal(err)
		}
		many = append(many, pr, pw)
	}
	defer func() {
		for _, f := range many {
			f.Close()
		}
	}()

	jobs := make(chan func(threadFiles))
	defer close(jobs) // the thread ends, and its table with it
	go serveForks(jobs, nil)
	type seen struct {
		private bool
		entries int
		stdout  string
		err     error
	}
	res := make(chan seen)
	jobs <- func(files threadFiles) {
		var s seen
		s.private = files.private
		s.entries = len(readDirNames("/proc/thread-self/fd"))
		s.stdout, _ = os.Readlink("/proc/thread-self/fd/1")
		runtime.GC()
		time.Sleep(time.Millisecond)
		local, release, err := files.fetch([]uintptr{w.Fd()})
		if err == nil {
			_, err = unix.Write(int(local[0]), []byte("x"))
			release()
		}
		s.err = err
		res <- s
	}
	got := <-res
	if !got.private {
		if why := splitRefused(); why != nil {
			t.Skipf("this kernel or sandbox refuses %v: fork threads share the process's table here, the fallback every spawn test runs", why)
		}
		t.Fatal("the fork thread shares the process's descriptor table, though this process may split its own")
	}
	if got.stdout != os.DevNull {
		t.Errorf("the fork thread's stdout is %q; want %s (the process's own may be replaced)", got.stdout, os.DevNull)
	}
	if got.err != nil {
		t.Fatalf("write through a fetched descriptor: %v", got.err)
	}
	// stdin, stdout (/dev/null), stderr, the poller's epoll and eventfd,
	// the pidfd of the process and the listing's own: about 7 against
	// more than 200.
	if got.entries > 10 {
		t.Errorf("the fork thread's table holds %d descriptors; want only the runtime's few", got.entries)
	}

	w.Close()
	r.SetReadDeadline(time.Now().Add(5 * time.Second))
	b, err := io.ReadAll(r)
	if err != nil {
		t.Fatalf("after the process closed the write end, reading the pipe: %v (a copy in the fork thread's table keeps it open)", err)
	}
	if string(b) != "x" {
		t.Errorf("read %q through the pipe; want the fork thread's %q", b, "x")
	}
}

// splitRefused tries what ownFiles needs (splitProbe, then the split
// itself) on a thread of its own that ends with the test of it, and
// returns what was refused, if anything.
func splitRefused() error {
	refused := make(chan error)
	go func() {
		// Never unlocked off the main thread: the thread ends with the
		// goroutine. The main thread must keep the process's table: held
		// here, so that the next goroutine lands elsewhere.
		runtime.LockOSThread()
		if onMainThread() {
			refused <- splitRefused()
			runtime.UnlockOSThread()
			return
		}
		self, err := splitProbe()
		if err != nil {
			refused <- err
			return
		}
		unix.Close(self) // before the split: after it, the process's copy would stay open
		refused <- os.NewSyscallError("unshare", unix.Unshare(unix.CLONE_FILES))
	}()
	return <-refused
}

// A runtime whose program closed its stdin and stdout before the Go
// runtime made its poller has the poller's descriptors at 0 and 1. A fork thread
// turns its own 0 and 1 into /dev/null, unless they are the poller's: had
// it replaced those, the Go runtime would crash at its next poll from that
// thread. Every thread must see the process's poller at 0 and 1, and the
// services must run with their output captured.
func TestForkThreadsOfAHostWithoutStdio(t *testing.T) {
	dir := tempStateDir(t)
	mark := newMark()
	t.Cleanup(func() { assertNoProcesses(t, mark) })
	host := startHost(t, dir, helperNoStdioEnv+"=1")
	task := "/proc/" + strconv.Itoa(host.Process.Pid) + "/task/"
	main := task + strconv.Itoa(host.Process.Pid) + "/fd/"
	poller := map[string]string{} // what of 0 and 1 is the poller's
	for _, fd := range []string{"0", "1"} {
		if link, _ := os.Readlink(main + fd); strings.HasPrefix(link, "anon_inode:[event") {
			poller[fd] = link
		}
	}
	if len(poller) == 0 {
		a, _ := os.Readlink(main + "0")
		b, _ := os.Readlink(main + "1")
		t.Fatalf("the host's descriptors 0 and 1 are %q and %q, neither its poller's: this test no longer sets up its case", a, b)
	}

	c := newClient(t, filepath.Join(dir, "api.sock"), client.PathSprites)
	ctx := context.Background()
	for i := range 8 { // enough starts for every fork thread to have one
		name := "s" + strconv.Itoa(i)
		req := client.ServiceRequest{Cmd: "sh", Args: []string{"-c", "echo hello-" + name + "; exec sleep 3600"},
			Env: map[string]string{markEnv: mark}}
		st, err := c.Put(ctx, "local", name, req, 0)
		events(t, st, err)
	}
	for i := range 8 {
		name := "s" + strconv.Itoa(i)
		waitFor(t, name+"'s output in its log", 10*time.Second, func() bool {
			st, err := c.Logs(ctx, "local", name, client.LogsOptions{})
			if err != nil {
				return false
			}
			for _, ev := range events(t, st, nil) {
				if strings.Contains(ev.Data, "hello-"+name) {
					return true
				}
			}
			return false
		})
	}
	for _, tid := range readDirNames(task) {
		for fd, want := range poller {
			if got, err := os.Readlink(task + tid + "/fd/" + fd); err == nil && got != want {
				t.Errorf("thread %s of the host has %q at descriptor %s; want the poller's %q", tid, got, fd, want)
			}
		}
	}
	if err := host.Process.Signal(unix.Signal(0)); err != nil {
		t.Fatalf("the host is gone: %v", err)
	}
}
