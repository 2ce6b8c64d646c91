//go:build linux || darwin

package supervisor

// Processes that leave their run's process group (setsid, a daemonising
// double fork) escape a group signal. This file finds them and ends them
// with their run.
//
// How they are found:
//   - by the process tree: every descendant of a live process of the run
//     (field 4 of /proc/<pid>/stat on Linux, kinfo_proc's e_ppid on macOS)
//     that is in another group;
//   - by adoption (Linux): the runtime is a child subreaper
//     (subreaper_linux.go), so an escaped process whose parent dies is
//     re-parented to the runtime, not to init, and stays in our tree. Its
//     parent link to the run is gone, so each run's processes carry a tag
//     in their environment (runTagEnv, inherited by all they fork): a child
//     of ours with the tag of a run belongs to that run. macOS has no
//     subreaper: an escaped process whose parent died went to launchd and
//     is found only if it was recorded while its parent lived (below).
//
// What is read: on Linux, only the run's tree and the runtime's direct
// children (escape_linux.go), so a stop costs the run's own processes and
// the runtime's adopted orphans, not every process on the machine; on
// macOS, the whole table (one sysctl).
//
// When: at stop, before the first signal (the tree is whole then); after
// the group is empty, before the leader is reaped; and by a periodic scan
// while runs live (every escapeScanEvery, skipped while nothing can have
// changed, slower while nothing does: scanEscapes), which also records
// what it finds for the watchdog, so a killed runtime's escaped processes
// end too. What
// escaped since the last scan, the watchdog finds by its tag at the
// runtime's death (killTagged; Linux).
//
// What is not covered: a process that clears its environment and loses
// its parent before a scan sees it (on Linux, a delegated cgroup v2 would
// hold it; none is required, and this machine has none); on macOS, any
// escaped process whose parent dies before a scan sees it.
//
// Every process found is remembered with its start time and signalled only
// after that start time is checked again (signalProcess), so a reused pid
// is never hit.

import (
	"fmt"
	"log/slog"
	"maps"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// runTagEnv is the environment variable that tags every process of a run.
const runTagEnv = "SPRITES_MCP_RUN"

// escapeScanEvery is how often live runs are searched for escaped
// processes. On Linux the scan is not redundant although a stop finds
// escapees by tree and tag and the watchdog's killTagged sweep ends tagged
// ones at the runtime's death: it reaps the zombies of orphans adopted
// while a run lives, and records escapees (with their start times) while
// their parent still links them to the run, for a process that clears its
// tag.
const escapeScanEvery = 2 * time.Second

// escapeScanMax is the longest period of the scan while it keeps finding
// the same processes (scanEscapes).
const escapeScanMax = 16 * time.Second

var runSeq atomic.Uint64

// newRunTag names a run uniquely among the runs of this process.
func newRunTag() string { return fmt.Sprintf("%d.%d", os.Getpid(), runSeq.Add(1)) }

// procEntry is one process of the process table.
type procEntry struct {
	pid, ppid, pgrp int
	start           uint64
	zombie          bool
}

// escapees lists the live processes of run p outside its group, from
// table (the process table, or on Linux the part of it that concerns p:
// ownTable), and remembers them. The leader (still
// unreaped while this runs) is never one.
func (p *proc) escapees(table []procEntry) map[int]procEntry {
	self := os.Getpid()
	children := map[int][]procEntry{}
	byPid := make(map[int]procEntry, len(table))
	for _, e := range table {
		byPid[e.pid] = e
		children[e.ppid] = append(children[e.ppid], e)
	}
	p.escMu.Lock()
	defer p.escMu.Unlock()
	var roots []procEntry
	for _, e := range table {
		switch {
		case e.zombie || e.pid == p.pid:
		case e.pgrp == p.pid:
			roots = append(roots, e)
		case e.ppid == self && hasRunTag(e.pid, e.start, p.tag):
			roots = append(roots, e)
		case p.escaped[e.pid] == e.start && e.start != 0:
			roots = append(roots, e) // seen before, its parent since gone
		}
	}
	if e, ok := byPid[p.pid]; ok {
		roots = append(roots, e)
	}
	found := map[int]procEntry{}
	seen := map[int]bool{}
	for len(roots) > 0 {
		e := roots[len(roots)-1]
		roots = roots[:len(roots)-1]
		if seen[e.pid] {
			continue
		}
		seen[e.pid] = true
		if !e.zombie && e.pid != p.pid && e.pgrp != p.pid {
			found[e.pid] = e
		}
		roots = append(roots, children[e.pid]...)
	}
	if p.escaped == nil {
		p.escaped = map[int]uint64{}
	}
	for pid, e := range found {
		p.escaped[pid] = e.start
	}
	return found
}

// endEscapees ends the escaped processes of run p: TERM, then KILL after
// grace, until none is found (new ones a dying process forks included),
// then reaps those re-parented to us. It is called once the group is empty
// and before the leader is reaped; table is the run's processes as the
// check that found the group empty read them (nil: read them now).
func (p *proc) endEscapees(grace time.Duration, table []procEntry) {
	if table == nil {
		table = p.ownTable()
	}
	defer func() { p.reapAdopted(table) }()
	find := func() []procEntry { return slices.Collect(maps.Values(p.escapees(table))) }
	// What is still there after grace+10 s is stuck in the kernel; the
	// watchdog still knows it.
	endProcesses(find(), func() []procEntry { table = p.ownTable(); return find() }, grace, 10*time.Second)
}

// endProcesses ends the processes left: TERM, then KILL once grace has
// passed, again after each pause (5 ms, doubling up to 100 ms) to what
// find says is left, new ones included, until nothing is or grace+giveUp
// has passed. It returns what was left then, nil when all ended.
func endProcesses(left []procEntry, find func() []procEntry, grace, giveUp time.Duration) []procEntry {
	sig := unix.SIGTERM
	begin := time.Now()
	for wait := 5 * time.Millisecond; len(left) > 0; wait = min(2*wait, 100*time.Millisecond) {
		if time.Since(begin) >= grace {
			sig = unix.SIGKILL
		}
		if time.Since(begin) > grace+giveUp {
			return left
		}
		for _, e := range left {
			signalProcess(e.pid, e.start, sig)
		}
		time.Sleep(wait)
		left = find()
	}
	return nil
}

// signalEscapees sends sig to the escaped processes of run p (a stop's
// first TERM and its KILL: the tree is whole before the leader dies). A
// run whose leader is reaped has had its escapees ended (endEscapees).
func (p *proc) signalEscapees(sig syscall.Signal) {
	p.sigMu.RLock()
	defer p.sigMu.RUnlock()
	if p.reaped {
		return
	}
	for _, e := range p.escapees(p.liveTable()) {
		signalProcess(e.pid, e.start, sig)
	}
}

// reapAdopted reaps the exited processes of run p that were re-parented to
// us (Linux, as a subreaper): members of its group — whose id no other
// group can hold while the leader is unreaped — and escaped processes seen
// alive. Nothing else is reaped: each run's leader is reaped by reap (a
// wait4 on its pid), and a wait for any child (wait4(-1)) would steal
// their exit statuses.
func (p *proc) reapAdopted(table []procEntry) {
	if !subreaper() {
		return
	}
	self := os.Getpid()
	p.escMu.Lock()
	defer p.escMu.Unlock()
	for _, e := range table {
		if e.ppid != self || !e.zombie || e.pid == p.pid {
			continue
		}
		if e.pgrp == p.pid || (p.escaped[e.pid] == e.start && e.start != 0) {
			reapChild(e.pid)
			delete(p.escaped, e.pid)
		}
	}
}

// liveRuns are the runs whose escaped processes the scanner looks for.
var liveRuns struct {
	sync.Mutex
	runs     map[*proc]*lifeline
	leaders  map[int]*proc // runs by their leader's pid, until reaped: never another run's escapee
	scanning bool
}

// trackEscapes adds run p to the periodic scan, starting the scanner if
// none runs; untrackEscapes removes it. The scanner stops when no run is
// left.
func trackEscapes(p *proc, watch *lifeline) {
	liveRuns.Lock()
	defer liveRuns.Unlock()
	if liveRuns.runs == nil {
		liveRuns.runs = map[*proc]*lifeline{}
		liveRuns.leaders = map[int]*proc{}
	}
	liveRuns.runs[p] = watch
	liveRuns.leaders[p.pid] = p
	if !liveRuns.scanning {
		liveRuns.scanning = true
		go scanEscapes()
	}
}

func untrackEscapes(p *proc) {
	liveRuns.Lock()
	delete(liveRuns.runs, p)
	liveRuns.Unlock()
}

// forgetLeader ends what trackEscapes began once run p's leader is reaped.
// Until then its zombie is the run's, not an orphan to reap (orphans): a
// run that is ending does not wake the scan over every other run. Once
// reaped, its pid may already be a new run's leader: that entry stays.
func forgetLeader(p *proc) {
	liveRuns.Lock()
	if liveRuns.leaders[p.pid] == p {
		delete(liveRuns.leaders, p.pid)
	}
	liveRuns.Unlock()
}

// scanEscapes records, every escapeScanEvery, the escaped processes of the
// live runs and tells the watchdog of each (as a group: the watchdog ends
// members of that group that started no earlier), and reaps what the runs
// left re-parented to us meanwhile.
//
// Idle services should cost nothing, so the scan is skipped when nothing
// could have changed since the last one (scanGate: on Linux, no process
// was created anywhere, and no child of ours ended or the one that did was
// a run's leader, not an orphan to reap), and on a machine busy
// with other work its period doubles, up to escapeScanMax, while it keeps
// finding the same processes in our runs (a new run, a new process or one
// gone brings it back to escapeScanEvery).
func scanEscapes() {
	gate := openScanGate()
	defer gate.close()
	every := escapeScanEvery
	var last uint64 // the previous scan's sceneKey
	for {
		time.Sleep(every)
		// Nothing to find unless a process was created. When only a child
		// ended, something is to do only if it was one we adopted: a
		// run's leader is its run's to reap (orphanToReap).
		created, ended := gate.changed()
		idle := !created && (!ended || !orphanToReap())
		liveRuns.Lock()
		if len(liveRuns.runs) == 0 {
			liveRuns.scanning = false
			liveRuns.Unlock()
			return
		}
		if idle {
			liveRuns.Unlock()
			continue
		}
		runs := make(map[*proc]*lifeline, len(liveRuns.runs))
		for p, w := range liveRuns.runs {
			runs[p] = w
		}
		liveRuns.Unlock()
		tableFor := scanTables()
		var key uint64
		for p, watch := range runs {
			table := tableFor(p)
			key += sceneKey(table)
			if len(table) == 1 && table[0].pid == p.pid {
				continue // the leader alone (Linux): nothing to find or reap
			}
			found := p.escapees(table)
			p.reapAdopted(table)
			if watch == nil {
				continue
			}
			// Under escMu: a run that ended meanwhile has already told the
			// watchdog its groups are over.
			p.escMu.Lock()
			for _, rec := range escapeeGroups(found) {
				if !p.escEnded && !p.escGroups[rec.PGID] {
					if p.escGroups == nil {
						p.escGroups = map[int]bool{}
					}
					p.escGroups[rec.PGID] = true
					watch.add(rec)
				}
			}
			p.escMu.Unlock()
		}
		if key == last {
			every = min(2*every, escapeScanMax)
		} else {
			every, last = escapeScanEvery, key
		}
	}
}

// sceneKey sums a hash of each process of a table (pid and start time), so
// that the sum over a scan's tables, in any order, changes when a process
// appears or goes.
func sceneKey(table []procEntry) uint64 {
	var key uint64
	for _, e := range table {
		// splitmix64's finaliser: neighbouring pids spread over all bits.
		h := uint64(e.pid)<<40 ^ e.start
		h = (h ^ h>>30) * 0xbf58476d1ce4e5b9
		h = (h ^ h>>27) * 0x94d049bb133111eb
		key += h ^ h>>31
	}
	return key
}

// escapeeGroups turns escaped processes into watchdog records, one per
// group: the group's leader when it is one of them, else the earliest of
// them (the watchdog then ends members that started no earlier).
func escapeeGroups(found map[int]procEntry) []procRecord {
	recs := map[int]procRecord{}
	for _, e := range found {
		r, ok := recs[e.pgrp]
		switch {
		case e.pid == e.pgrp:
			r = procRecord{PID: e.pid, PGID: e.pgrp, StartTime: e.start}
		case !ok || (r.PID != r.PGID && e.start < r.StartTime):
			r = procRecord{PID: e.pgrp, PGID: e.pgrp, StartTime: e.start}
		}
		recs[e.pgrp] = r
	}
	out := make([]procRecord, 0, len(recs))
	for _, r := range recs {
		if r.PGID > 1 {
			out = append(out, r)
		}
	}
	return out
}

// processTable reads the process table (readProcessTable). Concurrent
// callers share one read that began after they asked, so that stopping 200
// services at once costs a few reads, not 200, and no caller gets a table
// older than its call.
func processTable() []procEntry {
	asked := time.Now()
	tables.Lock()
	defer tables.Unlock()
	for {
		if tables.table != nil && !tables.began.Before(asked) {
			return tables.table
		}
		if !tables.reading {
			tables.reading = true
			began := time.Now()
			tables.Unlock()
			t := readProcessTable()
			tables.Lock()
			tables.table, tables.began, tables.reading = t, began, false
			tables.cond.Broadcast()
			return t
		}
		tables.cond.Wait()
	}
}

var tables = func() *tableCache {
	c := &tableCache{}
	c.cond = sync.NewCond(&c.Mutex)
	return c
}()

type tableCache struct {
	sync.Mutex
	cond    *sync.Cond
	reading bool
	table   []procEntry
	began   time.Time // when the read of table began
}

// killTagged ends every process whose run tag names runtime owner (the
// tags are "<runtime pid>.<n>"): the watchdog's sweep, at its runtime's
// death, for escaped processes younger than the last scan, which it was
// never told of. Linux only (macOS cannot read the tags: readRunTag).
// TERM, then KILL after a grace, each checked against its start time.
func killTagged(owner int, log *slog.Logger) {
	const grace = 2 * time.Second
	prefix := strconv.Itoa(owner) + "."
	find := func() []procEntry {
		var out []procEntry
		for _, e := range readProcessTable() {
			if !e.zombie && e.pid != os.Getpid() && strings.HasPrefix(readRunTag(e.pid), prefix) {
				out = append(out, e)
			}
		}
		return out
	}
	left := find()
	if len(left) == 0 {
		return
	}
	log.Warn("ending the processes tagged with the runtime that is gone", "processes", len(left))
	if left = endProcesses(left, find, grace, 5*time.Second); len(left) > 0 {
		log.Error("tagged processes survived SIGKILL", "processes", len(left))
	}
}
