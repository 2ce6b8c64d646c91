//go:build linux || darwin

package supervisor

import (
	"runtime"
	"sync"
)

// forker is one goroutine locked to its OS thread for the life of the
// process, which forks every child that asks for Pdeathsig. Pdeathsig fires
// when the *thread* that forked the child exits, not the process (Go issue
// 27505): a child forked from a pooled thread would die if the Go runtime
// ever retired that thread. This thread never ends before the process
// does, so a child's Pdeathsig still means "the runtime died", and
// services no longer hold a locked thread each until they are reaped.
// Forks are serialised by syscall.ForkLock anyway: one thread costs them
// nothing.
var forker struct {
	once sync.Once
	jobs chan func()
}

// onForkThread runs start on the forking thread and returns when it has.
func onForkThread(start func()) {
	forker.once.Do(func() {
		forker.jobs = make(chan func())
		go serveForks(forker.jobs, nil)
	})
	done := make(chan struct{})
	forker.jobs <- func() { start(); close(done) }
	<-done
}

// serveForks runs the fork jobs on a thread locked for the life of the
// process, never the main thread. The kernel hands the orphans of the runs
// to the main thread (orphans, escape_linux.go), and every stop reads that
// thread's children; were the runs' leaders forked there too, each stop
// would read all of them: a stop would cost O(runs). A goroutine that
// locks itself may well land on the main thread (in tests it always did),
// so one that finds itself there holds it while another goroutine locks a
// thread of its own (closing locked), then lets it go.
func serveForks(jobs <-chan func(), locked chan<- struct{}) {
	runtime.LockOSThread() // never unlocked off the main thread: it lives as long as the process
	if onMainThread() {
		other := make(chan struct{})
		go serveForks(jobs, other) // cannot land here: this goroutine holds the thread
		<-other
		runtime.UnlockOSThread()
		return
	}
	if locked != nil {
		close(locked)
	}
	for job := range jobs {
		job()
	}
}
