package client

import (
	"context"
	"errors"
	"io"
	"sync"
	"time"
)

// logPollInterval is how often a followed log file is looked at again. A
// file gives no event to wait for without inotify, which would tie the
// client to Linux and still miss rotation done by rename; a stat every
// 150 ms is cheap and keeps followers within a blink of the writer.
const logPollInterval = 150 * time.Millisecond

// fileLogSource produces the events of Logs from a service's log files:
// the tail (all lines, or the last n), then, when following, what is
// appended until the follow window ends, then a complete event. It holds
// no goroutine: the reader's own Next does the work, and waits between
// polls on the stream's context, which Close cancels.
type fileLogSource struct {
	ctx   context.Context
	files []*logFile // the combined file, or the stdout and stderr files
	paths LogFiles   // for the complete event
	poll  time.Duration

	// The tail phase merges the old layout's two files: heads are the
	// next line of each, skip the merged lines still to drop to keep
	// only the last n.
	tailing bool
	heads   []*Event
	drained []bool
	skip    int

	follow bool
	until  time.Time // the end of the follow window
	final  bool      // the window is over: read what is left, then complete

	mu     sync.Mutex // guards the files against Close from another goroutine
	closed bool
	done   bool
}

// errLogsClosed ends a read that raced with Close.
var errLogsClosed = errors.New("read logs: stream closed")

// next returns the next event, waiting for appended lines while following;
// io.EOF after the complete event.
func (s *fileLogSource) next() (Event, error) {
	for {
		if s.ctx.Err() != nil {
			return Event{}, context.Cause(s.ctx)
		}
		s.mu.Lock()
		if s.closed {
			s.mu.Unlock()
			return Event{}, errLogsClosed
		}
		ev, ok, err := s.step()
		s.mu.Unlock()
		if err != nil || ok {
			return ev, err
		}
		if err := s.wait(); err != nil {
			return Event{}, err
		}
	}
}

// step returns the next event that can be had without waiting; ok is false
// when there is none yet. It runs with mu held.
func (s *fileLogSource) step() (Event, bool, error) {
	if s.done {
		return Event{}, false, io.EOF
	}
	if s.tailing {
		if ev, ok, err := s.nextTail(); err != nil || ok {
			return ev, ok, err
		}
		s.tailing = false
	}
	// Outside the follow window a part line is as complete as it gets.
	flush := !s.follow || s.final
	for _, f := range s.files {
		for {
			if ev, ok, err := f.next(flush); err != nil || ok {
				return ev, ok, err
			}
			if !f.rotated {
				break
			}
			// The old file is read to its end: its part line, if any, is
			// the last of it; then the new file from its start.
			if ev, ok, err := f.next(true); err != nil || ok {
				return ev, ok, err
			}
			if err := f.advance(); err != nil {
				return Event{}, false, err
			}
		}
	}
	if !flush {
		return Event{}, false, nil
	}
	s.done = true
	// Nothing more will be read: let go of the files now rather than at
	// Close.
	for _, f := range s.files {
		f.close()
	}
	paths := s.paths
	return Event{Type: EventComplete, Timestamp: time.Now().UnixMilli(), LogFiles: &paths}, true, nil
}

// nextTail returns the next line of the tail. A part line at the end is
// sent as it is, as the logs route does; its rest, if following, comes
// later as an event of the same stream and time. The two files of the old layout are merged by
// timestamp, stdout first when a line has none.
func (s *fileLogSource) nextTail() (Event, bool, error) {
	if len(s.files) == 1 {
		return s.files[0].next(true)
	}
	for {
		for i, f := range s.files {
			if s.heads[i] != nil || s.drained[i] {
				continue
			}
			ev, ok, err := f.next(true)
			if err != nil {
				return Event{}, false, err
			}
			if ok {
				s.heads[i] = &ev
			} else {
				s.drained[i] = true
			}
		}
		i := pickHead(s.heads)
		if i < 0 {
			return Event{}, false, nil
		}
		ev := *s.heads[i]
		s.heads[i] = nil
		if s.skip > 0 {
			s.skip--
			continue
		}
		return ev, true, nil
	}
}

// pickHead chooses which file's line comes next in the merge: the earlier
// timestamp when both lines have one, else the first file (stdout).
func pickHead(heads []*Event) int {
	switch {
	case heads[0] == nil && heads[1] == nil:
		return -1
	case heads[1] == nil:
		return 0
	case heads[0] == nil:
		return 1
	case heads[0].Timestamp != 0 && heads[1].Timestamp != 0 && heads[1].Timestamp < heads[0].Timestamp:
		return 1
	default:
		return 0
	}
}

// wait sleeps until the next poll (or the end of the follow window), then
// polls the files. It returns the context's cause when the stream is
// closed or its context ends first.
func (s *fileLogSource) wait() error {
	d := min(s.poll, time.Until(s.until))
	if d > 0 {
		t := time.NewTimer(d)
		select {
		case <-s.ctx.Done():
			t.Stop()
			return context.Cause(s.ctx)
		case <-t.C:
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return errLogsClosed
	}
	for _, f := range s.files {
		if err := f.poll(); err != nil {
			return err
		}
	}
	if !time.Now().Before(s.until) {
		s.final = true
	}
	return nil
}

// Close releases the files. It may be called from another goroutine while
// next waits; the stream's Close also cancels the context next waits on.
func (s *fileLogSource) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.closed = true
	var first error
	for _, f := range s.files {
		if err := f.close(); err != nil && first == nil {
			first = err
		}
	}
	return first
}
