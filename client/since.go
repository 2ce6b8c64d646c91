package client

import (
	"fmt"
	"io"
	"time"
)

// The Services API has no filter by time on its logs route, and neither
// has the embedded runtime nor the log files read inside a Sprite: every
// backend gets LogsOptions.Since here, from the events' timestamps. Since
// the lines arrive oldest first and only the last Lines are asked for, the
// read stays bounded by Lines whatever Since is.

// sinceSource passes on the events of a log stream that are at or after
// from. Output events without a timestamp (raw text lines) take the one of
// the output before them: they are continuations or lines of the same
// moment. Those before any timestamped output cannot be placed and are
// left out, counted in untimed, which the stream's Note reports at the
// end. Other events (error, complete) always pass.
type sinceSource struct {
	in      *Stream
	out     *Stream // the stream this feeds, for its Note
	from    int64   // Unix milliseconds
	last    int64   // the timestamp of the latest output; 0 before any
	untimed int
}

// withSince wraps a log stream so that only events at or after since come
// out. A zero since returns st as it is.
func withSince(st *Stream, since time.Time) *Stream {
	if since.IsZero() {
		return st
	}
	src := &sinceSource{in: st, from: since.UnixMilli()}
	out := &Stream{src: src, body: src, ctx: st.ctx, maxData: st.maxData, Note: st.Note, Service: st.Service}
	src.out = out
	return out
}

func (s *sinceSource) next() (Event, error) {
	for s.in.Next() {
		ev := s.in.Event()
		if !ev.Type.IsOutput() {
			return ev, nil
		}
		if ev.Timestamp != 0 {
			s.last = ev.Timestamp
		}
		switch {
		case s.last == 0:
			s.untimed++
		case s.last >= s.from:
			return ev, nil
		}
	}
	if s.untimed > 0 {
		note := fmt.Sprintf("%d log lines without a timestamp were left out: since cannot place them", s.untimed)
		if s.out.Note != "" {
			note = s.out.Note + "; " + note
		}
		s.out.Note = note
	}
	if err := s.in.Err(); err != nil {
		return Event{}, err
	}
	return Event{}, io.EOF
}

// Close closes the wrapped stream, which cancels its request.
func (s *sinceSource) Close() error { return s.in.Close() }
