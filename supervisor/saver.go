package supervisor

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"time"
)

// The state on disk is state.json (every service, written whole: temp
// file, fsync, rename) plus state.journal beside it: one JSON line per
// change since state.json was written, each the whole saved state of the
// one service that changed (or its deletion), numbered.
//
// Why two files: an answer that changed the state must come after the
// change is on disk, and writing all N services for every change made
// creating N services cost O(N²) (at 1000 services, most of the runtime's
// CPU went into encoding and writing state.json). A journal line costs one
// small append, whatever N; state.json is rewritten in the background when
// the changes pause (compactQuiet, compactMax), and the journal starts over.
//
// What survives what:
//   - A crash of the runtime (panic, SIGKILL, OOM killer) loses nothing
//     answered: an answer comes after its journal line was written, and
//     what was written is the kernel's, whether or not this process lives.
//   - A power loss or kernel crash loses at most the changes of the last
//     moments (those not yet in a synced state.json: up to compactMax plus
//     the write), never the file's integrity: state.json is replaced
//     atomically after an fsync, and a torn last journal line is ignored.
//     Syncing the journal before each answer would cost an fsync (3–4 ms
//     on a virtual disk) per created service, the very cost removed here.
//
// The journal's records are numbered; state.json carries the number of the
// last one it includes (journal_seq), so a crash between writing
// state.json and emptying the journal replays nothing twice.

// state.json is rewritten once changes pause for compactQuiet, and at
// least every compactMax while they keep coming: creating 1000 services
// in a row costs a few full writes, not one every few milliseconds, and
// the writes stay out of the way of the requests.
const (
	compactQuiet = 200 * time.Millisecond
	compactMax   = 2 * time.Second
)

// maxJournalRecords rewrites state.json at once when the journal holds this
// many records, whatever the delay.
const maxJournalRecords = 20000

// journalRecord is one line of state.journal.
type journalRecord struct {
	Seq     uint64        `json:"seq"`
	Service *savedService `json:"service,omitempty"` // the service's whole saved state
	Deleted string        `json:"deleted,omitempty"` // or: this service no longer exists
}

// journalLine is a record written since the last full save, kept to carry
// the records that save does not include over into the next journal.
type journalLine struct {
	seq  uint64
	line []byte
}

// saver keeps state.json and state.journal. changed records a change in
// the journal at once; the background goroutine rewrites state.json.
type saver struct {
	path        string
	journalPath string
	log         *slog.Logger
	// graph is the runtime's lock (r.mu), under which services are
	// defined, checked against the others and deleted. Records are
	// appended and snapshots taken under it, so the journal holds the
	// changes of the graph in the order they were checked: a replay that
	// stops anywhere gives a graph that existed, never one with a cycle
	// or a need on a deleted service. The lock order is r.mu, saver.mu,
	// then a service's s.mu.
	graph sync.Locker
	// snapshot is every service now; record is one service now, nil when
	// it no longer exists. Both are called with graph and mu held.
	snapshot func() stateFile
	record   func(name string) *savedService

	mu      sync.Mutex
	seq     uint64        // last change number handed out
	saved   uint64        // last change the latest full write covered
	lastErr error         // error of the latest full write
	journal *os.File      // appended to; nil when it cannot be (then changes wait for full writes)
	since   []journalLine // journal records since the last full write
	// unjournaled is the first change since the last full write that is
	// not in the journal (0: none): from it on, a waiter waits for a full
	// write, as without a journal.
	unjournaled uint64
	// quiet and most are compactQuiet and compactMax (tests lengthen them).
	quiet, most time.Duration
	wake        chan struct{} // one token: "a change was made"
	hurry       chan struct{} // one token: "a waiter needs a full write now"
	written     chan struct{} // closed and replaced after every full write
	stop        chan struct{}
	stopped     chan struct{}
}

// newSaver starts the saver of a state whose state.json holds the changes
// up to inFile and whose journal holds more, up to after.
func newSaver(path string, inFile, after uint64, log *slog.Logger, graph sync.Locker, snapshot func() stateFile, record func(string) *savedService) *saver {
	s := makeSaver(path, inFile, after, log, graph, snapshot, record)
	go s.loop()
	return s
}

// makeSaver is newSaver without starting its goroutine.
func makeSaver(path string, inFile, after uint64, log *slog.Logger, graph sync.Locker, snapshot func() stateFile, record func(string) *savedService) *saver {
	s := &saver{path: path, journalPath: journalPathOf(path), log: log, graph: graph, snapshot: snapshot, record: record,
		quiet: compactQuiet, most: compactMax,
		seq: after, saved: inFile, wake: make(chan struct{}, 1), hurry: make(chan struct{}, 1),
		written: make(chan struct{}), stop: make(chan struct{}), stopped: make(chan struct{})}
	// Appended to as it is: its records are numbered after what was
	// loaded, so a crash before the next full write replays old and new.
	f, err := os.OpenFile(s.journalPath, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		s.log.Warn("no state journal: every change waits for a full write of the state file", "err", err)
		s.unjournaled = after + 1
	} else {
		s.journal = f
	}
	if after > inFile {
		// The journal holds what state.json lacks: fold it in soon, and
		// never remove the journal before that.
		s.wake <- struct{}{}
	}
	return s
}

func journalPathOf(statePath string) string {
	return filepath.Join(filepath.Dir(statePath), "state.journal")
}

// latest is the number of the last change recorded: waiting for it waits
// for every change made so far.
func (s *saver) latest() uint64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.seq
}

// changed records that service name changed, and returns the change's
// number, for wait. The journal line is written here, so the change is on
// disk when changed returns, unless the journal cannot be written.
func (s *saver) changed(name string) uint64 {
	s.graph.Lock()
	defer s.graph.Unlock()
	return s.changedLocked(name)
}

// changedLocked is changed with the graph lock held: a definition or a
// delete is recorded in the critical section that checked it.
func (s *saver) changedLocked(name string) uint64 {
	s.mu.Lock()
	s.seq++
	n := s.seq
	journaled := false
	if s.journal != nil {
		rec := journalRecord{Seq: n, Service: s.record(name)}
		if rec.Service == nil {
			rec.Deleted = name
		}
		line, err := json.Marshal(rec)
		if err == nil {
			line = append(line, '\n')
			_, err = s.journal.Write(line)
		}
		if err == nil {
			s.since = append(s.since, journalLine{seq: n, line: line})
			journaled = true
		} else {
			// A line may be half written: nothing goes after it until the
			// next full write starts a new journal.
			s.log.Warn("cannot append to the state journal: changes wait for full writes of the state file", "err", err)
			s.journal.Close()
			s.journal = nil
		}
	}
	if !journaled && s.unjournaled == 0 {
		s.unjournaled = n
	}
	urgent := !journaled || len(s.since) >= maxJournalRecords
	s.mu.Unlock()
	select {
	case s.wake <- struct{}{}:
	default:
	}
	if urgent {
		select {
		case s.hurry <- struct{}{}:
		default:
		}
	}
	return n
}

// wait blocks until change n is on disk, and returns the error of the
// write that put it there.
func (s *saver) wait(ctx context.Context, n uint64) error {
	for {
		s.mu.Lock()
		journaled := s.unjournaled == 0 || n < s.unjournaled
		saved, err, ch := s.saved, s.lastErr, s.written
		s.mu.Unlock()
		if journaled {
			return nil
		}
		if saved >= n {
			return err
		}
		select {
		case <-ch:
		case <-s.stopped:
			return errors.New("state is no longer saved: the runtime is shutting down")
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// A failed full write is tried again after saveRetryMin, doubling up to
// saveRetryMax, until one succeeds: a full disk that frees up must not wait
// for the next change to get the state on disk.
const (
	saveRetryMin = 100 * time.Millisecond
	saveRetryMax = 30 * time.Second
)

func (s *saver) loop() {
	defer close(s.stopped)
	var retry <-chan time.Time
	delay := saveRetryMin
	for {
		select {
		case <-s.wake:
		case <-s.hurry:
		case <-retry:
		case <-s.stop:
			s.compact()
			return
		}
		if !s.urgent() {
			// Let a burst gather in the journal until it pauses.
			if stop := s.gather(); stop {
				s.compact()
				return
			}
		}
		if s.compact() != nil {
			retry = time.After(delay)
			delay = min(2*delay, saveRetryMax)
		} else {
			retry, delay = nil, saveRetryMin
		}
	}
}

// urgent reports a waiter that needs a full write now (its change is in no
// journal), or a journal that has grown long.
func (s *saver) urgent() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.unjournaled != 0 || len(s.since) >= maxJournalRecords
}

// gather waits until changes pause for s.quiet (s.most at the longest, or
// at once when a full write is urgent); it reports whether to stop.
func (s *saver) gather() (stop bool) {
	first := time.Now()
	quiet := time.NewTimer(s.quiet)
	defer quiet.Stop()
	for {
		select {
		case <-quiet.C:
			return false
		case <-s.wake:
			if s.urgent() {
				return false
			}
			left := s.most - time.Since(first)
			if left <= 0 {
				return false
			}
			quiet.Reset(min(s.quiet, left))
		case <-s.hurry:
			return false
		case <-s.stop:
			return true
		}
	}
}

// compact writes state.json whole if anything changed since the last
// write, or the last write failed, then starts the journal over with the
// records it does not cover. The snapshot is taken with graph and s.mu
// held, so every record numbered up to the write's number is older than
// the snapshot, and every later one newer. A failure is logged once, and
// the first success after it once; loop tries a failed write again.
func (s *saver) compact() error {
	s.graph.Lock()
	s.mu.Lock()
	target, prevErr := s.seq, s.lastErr
	if target == s.saved && prevErr == nil {
		s.mu.Unlock()
		s.graph.Unlock()
		return nil
	}
	st := s.snapshot()
	s.mu.Unlock()
	s.graph.Unlock()
	st.JournalSeq = target
	data, err := json.Marshal(st)
	if err == nil {
		err = writeFileAtomic(s.path, append(data, '\n'))
	}
	if err == nil {
		// The rename must be durable before the journal forgets.
		syncDir(filepath.Dir(s.path))
	}
	s.mu.Lock()
	s.saved, s.lastErr = target, err
	if err == nil {
		s.restartJournalLocked(target)
	}
	again := s.unjournaled != 0 && s.seq > s.saved
	close(s.written)
	s.written = make(chan struct{})
	s.mu.Unlock()
	if again { // changes made meanwhile are in no file yet
		select {
		case s.hurry <- struct{}{}:
		default:
		}
	}
	switch {
	case err != nil && prevErr == nil:
		s.log.Error("cannot save the state: trying again until it works", "err", err)
	case err == nil && prevErr != nil:
		s.log.Info("state saved again", "path", s.path)
	}
	return err
}

// restartJournalLocked replaces the journal with the records after change
// upTo, which state.json now holds. s.mu is held.
func (s *saver) restartJournalLocked(upTo uint64) {
	if s.unjournaled != 0 && s.seq > upTo {
		return // changes after upTo are in no file: the next full write comes first
	}
	var keep []journalLine
	var buf bytes.Buffer
	for _, l := range s.since {
		if l.seq > upTo {
			keep = append(keep, l)
			buf.Write(l.line)
		}
	}
	if s.journal != nil {
		s.journal.Close() // before it is replaced: no write may go to the old file
	}
	err := writeFileAtomic(s.journalPath, buf.Bytes())
	var f *os.File
	if err == nil {
		f, err = os.OpenFile(s.journalPath, os.O_WRONLY|os.O_APPEND, 0o600)
	}
	if err != nil {
		// The old journal, if any, still holds its records.
		s.log.Warn("cannot start the state journal over: changes wait for full writes of the state file", "err", err)
		s.journal, s.since = nil, nil
		s.unjournaled = s.seq + 1
		return
	}
	s.journal, s.since, s.unjournaled = f, keep, 0
}

// close writes what is pending and stops the goroutine. After a clean full
// write the journal is empty and is removed: state.json stands alone.
func (s *saver) close() error {
	close(s.stop)
	<-s.stopped
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.journal != nil {
		s.journal.Close()
		s.journal = nil
		if s.lastErr == nil && s.saved == s.seq {
			os.Remove(s.journalPath)
		}
	}
	return s.lastErr
}

// loadPersisted is what a runtime finds on disk: state.json with the
// journal's later records applied. It returns the number of the last
// change it holds, to number new changes after it.
func loadPersisted(statePath string, log *slog.Logger) (stateFile, uint64, error) {
	st, err := loadState(statePath)
	if err != nil {
		return st, 0, err
	}
	last := st.JournalSeq
	f, err := os.Open(journalPathOf(statePath))
	if errors.Is(err, os.ErrNotExist) {
		return st, last, nil
	}
	if err != nil {
		return stateFile{}, 0, fmt.Errorf("read %s: %w", journalPathOf(statePath), err)
	}
	defer f.Close()
	rd := bufio.NewReader(f)
	for {
		line, rerr := rd.ReadBytes('\n')
		if len(line) > 0 {
			var rec journalRecord
			if line[len(line)-1] != '\n' || json.Unmarshal(line, &rec) != nil || rec.Seq == 0 {
				// A line cut by a crash of the machine ends what was saved.
				log.Warn("ignoring the torn end of the state journal", "file", f.Name())
				break
			}
			if rec.Seq > st.JournalSeq {
				st.Services = applyRecord(st.Services, rec)
				last = max(last, rec.Seq)
			}
		}
		if rerr == io.EOF {
			break
		}
		if rerr != nil {
			return stateFile{}, 0, fmt.Errorf("read %s: %w", f.Name(), rerr)
		}
	}
	return st, last, nil
}

// applyRecord replaces, adds or removes the service of one journal record.
func applyRecord(list []savedService, rec journalRecord) []savedService {
	name := rec.Deleted
	if rec.Service != nil {
		name = rec.Service.Name
	}
	for i := range list {
		if list[i].Name == name {
			if rec.Service == nil {
				return append(list[:i], list[i+1:]...)
			}
			list[i] = *rec.Service
			return list
		}
	}
	if rec.Service != nil {
		list = append(list, *rec.Service)
	}
	return list
}
