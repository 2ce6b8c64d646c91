//go:build linux

package supervisor

// The Linux side of escape.go's search: instead of reading the whole
// process table (every /proc/<pid>/stat on the machine, ~18 µs each), read
// only what escapees and reapAdopted look at for one run:
//   - the run's tree: its leader, the escaped processes already known, and
//     all their descendants, through /proc/<pid>/task/<tid>/children;
//   - the runtime's own direct children (/proc/self/task/*/children). As a
//     child subreaper the runtime adopts the orphans of its runs; those of
//     run p (in p's group, tagged with p's tag, or known escaped) are kept,
//     with their descendants. The leaders of the other live runs are
//     skipped unread: they are never p's.
// A stop then costs the run's own processes plus the runtime's orphans,
// not every process on the machine. Without the children files (a kernel
// built without CONFIG_PROC_CHILDREN) the whole table is read, as before.

import (
	"bytes"
	"maps"
	"os"
	"os/signal"
	"strconv"
	"sync"
	"syscall"

	"golang.org/x/sys/unix"
)

// childrenListed reports whether the kernel lists a task's children in
// /proc (CONFIG_PROC_CHILDREN).
var childrenListed = sync.OnceValue(func() bool {
	pid := strconv.Itoa(os.Getpid())
	_, err := os.Stat("/proc/self/task/" + pid + "/children")
	return err == nil
})

// ownTable is the part of the process table that run p's escapees and
// reapAdopted need.
func (p *proc) ownTable() []procEntry {
	if !childrenListed() {
		return processTable()
	}
	return p.walkTable(orphans(), false)
}

// groupTable is the part of the process table where the members of run
// p's group can be once its leader has exited (groupAlive). As a subreaper
// the runtime adopts what the leader left behind, so a member is in the
// run's own tree: among the runtime's orphans or below them (ownTable). A
// process of another run that joined this group with setpgid is not looked
// for: it is that run's, and ends with it. Without a subreaper or the
// children files, the whole table is read.
func (p *proc) groupTable() []procEntry {
	if !subreaper() {
		return processTable()
	}
	return p.ownTable()
}

// liveTable is ownTable for a run whose leader is known unreaped (the
// caller holds sigMu and saw reaped false): the leader's pid is still its,
// so its stat is not read.
func (p *proc) liveTable() []procEntry {
	if !childrenListed() {
		return processTable()
	}
	return p.walkTable(orphans(), true)
}

// scanTables gives the periodic scan one table per run, sharing one read
// of the runtime's children among the runs of a scan. The scan's runs are
// tracked, so their leaders are unreaped and their pids still theirs: the
// leader's stat is not read (its entry is known), and an idle run with no
// children costs one read of the leader's task directory and children
// list every escapeScanEvery.
func scanTables() func(*proc) []procEntry {
	if !childrenListed() {
		t := processTable()
		return func(*proc) []procEntry { return t }
	}
	kids := orphans()
	return func(p *proc) []procEntry { return p.walkTable(kids, true) }
}

// mainChildren is the main thread's children file, opened once and held:
// reading a held /proc file again from its start costs a tenth of opening
// it anew (0.7 against 8 µs here, most of that the path's lookup), and
// every stop reads it twice (orphans).
var mainChildren = sync.OnceValues(func() (int, error) {
	pid := strconv.Itoa(os.Getpid())
	return unix.Open("/proc/self/task/"+pid+"/children", unix.O_RDONLY|unix.O_CLOEXEC, 0)
})

// mainThreadChildren lists the children of the runtime's main thread from
// the held file. A read at offset 0 makes the kernel list them afresh.
func mainThreadChildren() ([]int, error) {
	fd, err := mainChildren()
	if err != nil {
		return nil, err
	}
	var small [512]byte // room for about 70 children; grown when not
	buf := small[:]
	for {
		n, err := unix.Pread(fd, buf, 0)
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return nil, err
		}
		if n < len(buf) { // the whole list: the kernel fills what it is given
			return parsePids(buf[:n]), nil
		}
		buf = make([]byte, 2*len(buf))
	}
}

// onMainThread reports whether the calling goroutine runs on the main
// thread, whose children list orphans reads (serveForks keeps the runs'
// leaders off it).
func onMainThread() bool { return unix.Gettid() == unix.Getpid() }

// child is a direct child of the runtime, as its stat file read.
type child struct {
	procEntry
	threads int
}

// orphans reads the runtime's direct children other than the leaders of
// live runs (which are never another run's escapee): the processes it
// adopted as a subreaper, and any the embedding program forked.
//
// Only the main thread's children list is read. The kernel hands an
// orphan to the first live thread of its subreaper (find_new_reaper in
// kernel/exit.c), which is the main thread: the Go runtime never ends it.
// The children the other threads forked are the runs' leaders (the fork
// thread's, forker_unix.go) or the embedding program's own, never an
// orphan of a run; a thread that ends hands its children to the main
// thread too. One read of one file, however many runs are live.
func orphans() []child {
	self := os.Getpid()
	kids, err := mainThreadChildren()
	if err != nil {
		kids = taskChildren(self, 1)
	}
	liveRuns.Lock()
	n := 0
	for _, k := range kids {
		if liveRuns.leaders[k] == nil {
			kids[n] = k
			n++
		}
	}
	liveRuns.Unlock()
	var out []child
	for _, k := range kids[:n] {
		if st, err := readProcStat(k); err == nil && st.ppid == self {
			out = append(out, child{entryOf(k, st), st.threads})
		}
	}
	return out
}

// walkTable reads the entries of run p's tree and of those of kids (the
// runtime's children) that belong to p, with their descendants. The
// leader is walked from its pid whether or not kids holds it; live says
// the leader is known unreaped (its entry is then not read), and once its
// exit was seen (p.exited) its entry is known too: a zombie.
func (p *proc) walkTable(kids []child, live bool) []procEntry {
	type root struct {
		pid   int
		start uint64 // 0: any
	}
	var table []procEntry
	var stack []root
	if live {
		// The leader's own group; its zombie flag is not looked at.
		table = append(table, procEntry{pid: p.pid, ppid: os.Getpid(), pgrp: p.pid, start: p.startTime})
		for _, c := range taskChildren(p.pid, 0) {
			stack = append(stack, root{pid: c})
		}
	} else if p.exited.Load() {
		// An exited, unreaped leader: a zombie without children (they
		// were handed to us, and are among kids), whose entry is known.
		table = append(table, procEntry{pid: p.pid, ppid: os.Getpid(), pgrp: p.pid, start: p.startTime, zombie: true})
	} else {
		// Checked against its start time: a stop may race the reaping.
		stack = append(stack, root{p.pid, p.startTime})
	}
	p.escMu.Lock()
	escaped := maps.Clone(p.escaped)
	p.escMu.Unlock()
	for pid, start := range escaped {
		stack = append(stack, root{pid, start})
	}

	seen := map[int]bool{p.pid: live || p.exited.Load()}
	for _, k := range kids {
		e := k.procEntry
		if e.pid == p.pid {
			continue
		}
		seen[e.pid] = true
		known := escaped[e.pid] == e.start && e.start != 0
		if e.pgrp != p.pid && !known && (e.zombie || !hasRunTag(e.pid, e.start, p.tag)) {
			continue
		}
		table = append(table, e)
		if !e.zombie {
			for _, c := range taskChildren(e.pid, k.threads) {
				stack = append(stack, root{pid: c})
			}
		}
	}
	for len(stack) > 0 {
		r := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if seen[r.pid] {
			continue
		}
		seen[r.pid] = true
		st, err := readProcStat(r.pid)
		if err != nil || (r.start != 0 && st.startTime != r.start) {
			continue
		}
		e := entryOf(r.pid, st)
		table = append(table, e)
		if !e.zombie {
			for _, c := range taskChildren(r.pid, st.threads) {
				stack = append(stack, root{pid: c})
			}
		}
	}
	return table
}

func entryOf(pid int, st procStat) procEntry {
	return procEntry{pid: pid, ppid: st.ppid, pgrp: st.pgrp, start: st.startTime,
		zombie: st.state == 'Z' || st.state == 'X'}
}

// taskChildren lists the children of process pid, which has threads
// threads (0: unknown). Children belong to the thread that forked them
// (or, adopted, to the thread the kernel chose), so every thread's list
// is read; a single-threaded process has one.
func taskChildren(pid, threads int) []int {
	dir := "/proc/" + strconv.Itoa(pid) + "/task/"
	if threads == 1 {
		if kids, err := readChildren(dir + strconv.Itoa(pid) + "/children"); err == nil {
			return kids
		}
	}
	var kids []int
	for _, tid := range readDirNames(dir) {
		k, _ := readChildren(dir + tid + "/children")
		kids = append(kids, k...)
	}
	return kids
}

// readDirNames lists a /proc directory with plain system calls (os.Open
// sets a file up for the poller first, which cost more than the listing;
// every stop lists its leader's threads).
func readDirNames(dir string) []string {
	fd, err := unix.Open(dir, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil
	}
	defer unix.Close(fd)
	var names []string
	var buf [4096]byte
	for {
		n, err := unix.ReadDirent(fd, buf[:])
		if err == unix.EINTR {
			continue
		}
		if err != nil || n <= 0 {
			return names
		}
		_, _, names = unix.ParseDirent(buf[:n], -1, names)
	}
}

// readChildren parses a children file: pids separated by spaces.
func readChildren(path string) ([]int, error) {
	var buf [256]byte // most processes have a few children; grown when not
	b, err := readProcFile(path, buf[:])
	if err != nil {
		return nil, err
	}
	return parsePids(b), nil
}

// parsePids parses pids separated by spaces.
func parsePids(b []byte) []int {
	var pids []int
	for f, rest := nextField(b); f != nil; f, rest = nextField(rest) {
		if pid, ok := atoi(f); ok {
			pids = append(pids, pid)
		}
	}
	return pids
}

// scanGate tells the periodic scan whether anything it looks for can have
// happened since its last look. An escape needs a new process (a fork) or a
// process leaving its group; an adopted orphan to reap needs a child of
// ours to end. The kernel's last allocated pid (/proc/loadavg's last field,
// in our pid namespace, threads included) moves with every new process,
// and SIGCHLD comes with every child's end. Neither moved: the scan is
// skipped, and idle services cost no CPU. What it does not see is a
// process that was in its run's group at the last scan and since called
// setsid without forking: the stop still finds it (by tree or tag), and
// the watchdog's tag sweep at the runtime's death.
type scanGate struct {
	lastPid []byte
	chld    chan os.Signal
}

func openScanGate() *scanGate {
	g := &scanGate{chld: make(chan os.Signal, 1)}
	signal.Notify(g.chld, syscall.SIGCHLD)
	return g
}

func (g *scanGate) close() { signal.Stop(g.chld) }

// changed reports whether a process was created and whether a child ended
// since the last call; the first call, or an unreadable /proc/loadavg, says
// created.
func (g *scanGate) changed() (created, ended bool) {
	select {
	case <-g.chld:
		ended = true
	default:
	}
	b, err := os.ReadFile("/proc/loadavg")
	fields := bytes.Fields(b)
	if err != nil || len(fields) < 5 {
		return true, ended
	}
	last := fields[len(fields)-1]
	created = !bytes.Equal(last, g.lastPid)
	g.lastPid = append(g.lastPid[:0], last...)
	return created, ended
}

// orphanToReap reports whether a process the runtime adopted has exited
// and waits to be reaped (one read of the main thread's children and of
// their stat files).
func orphanToReap() bool {
	for _, c := range orphans() {
		if c.zombie {
			return true
		}
	}
	return false
}
