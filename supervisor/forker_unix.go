//go:build linux || darwin

package supervisor

import (
	"runtime"
	"sync"
)

// forker is a few goroutines, each locked to its OS thread for the life of
// the process, which fork every child that asks for Pdeathsig. Pdeathsig
// fires when the *thread* that forked the child exits, not the process (Go
// issue 27505): a child forked from a pooled thread would die if the Go
// runtime ever retired that thread. These threads never end before the
// process does, so a child's Pdeathsig still means "the runtime died", and
// services hold no locked thread each until they are reaped.
//
// More than one: forks do not wait for each other (since Go 1.21
// syscall.ForkLock is held once for all concurrent forks), but each holds
// its thread, and the P it runs on, until the child has exec'd (vfork),
// and the exec is most of a start's cost. With one thread, 1000 starts in
// a row queued behind 1000 execs one at a time while the other cores
// idled; with one per CPU the execs keep up, and an answer may wait for a
// P a fork holds instead (BENCHMARKS.md, fourth pass). One per CPU the Go
// runtime uses, at most maxForkThreads.
//
// Each thread forks from a descriptor table of its own where the kernel
// allows (threadFiles, forker_linux.go), so that a fork does not copy
// every run's descriptors.
var forker struct {
	once sync.Once
	jobs chan func(threadFiles)
}

// maxForkThreads bounds the fork threads on a many-core machine: a burst
// of starts is bounded by the execs' own CPU long before.
const maxForkThreads = 4

// onForkThread runs start on a forking thread, with that thread's
// descriptor table, and returns when it has.
func onForkThread(start func(threadFiles)) {
	forker.once.Do(func() {
		forker.jobs = make(chan func(threadFiles))
		for range min(runtime.GOMAXPROCS(0), maxForkThreads) {
			go serveForks(forker.jobs, nil)
		}
	})
	done := make(chan struct{})
	forker.jobs <- func(files threadFiles) { start(files); close(done) }
	<-done
}

// serveForks runs the fork jobs on a thread locked for the life of the
// process, never the main thread. The kernel hands the orphans of the runs
// to the main thread (orphans, escape_linux.go), and every stop reads that
// thread's children; were the runs' leaders forked there too, each stop
// would read all of them: a stop would cost O(runs). A goroutine that
// locks itself may well land on the main thread (the one fork thread there
// was did in BenchmarkStop200), so one that finds itself there holds it
// while another goroutine locks a thread of its own (closing locked), then
// lets it go.
func serveForks(jobs <-chan func(threadFiles), locked chan<- struct{}) {
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
	files := ownFiles()
	for job := range jobs {
		job(files)
	}
}
