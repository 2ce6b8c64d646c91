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
		go func() {
			runtime.LockOSThread() // never unlocked: the thread lives as long as the process
			for job := range forker.jobs {
				job()
			}
		}()
	})
	done := make(chan struct{})
	forker.jobs <- func() { start(); close(done) }
	<-done
}
