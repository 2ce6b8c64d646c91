package client

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"iter"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"unicode/utf8"
)

// DefaultMaxEventData is the default cap on one event's Data, in bytes.
const DefaultMaxEventData = 64 << 10

// Stream reads the NDJSON events of a streaming call, one at a time:
//
//	for st.Next() {
//		ev := st.Event()
//		...
//	}
//	if err := st.Err(); err != nil { ... }
//	st.Close()
//
// Lines have no length limit, but what is kept of each is: memory per
// stream is bounded by the data cap, not by the longest line. Always Close
// a stream; closing it early releases the connection.
//
// A stream ends in one of these ways: cleanly (Err is nil; Complete says
// whether the final complete event came), cut mid-line (ErrStreamCut,
// wrapping the read error if there was one), past its deadline (a
// *StreamDeadlineError, or a *TimeoutError for logs without follow; both
// match ErrTimeout and context.DeadlineExceeded), by the caller's context,
// or on a read error such as a reset connection. Every error but a bare
// ErrStreamCut from NewStream names the operation ("start service: ...").
type Stream struct {
	r       *bufio.Reader
	body    io.Closer
	cancel  context.CancelFunc
	ctx     context.Context
	maxData int
	// line holds the kept prefix of the current line; reused between events.
	line []byte
	// tail holds the last tailKeep bytes of a line longer than the kept
	// prefix, where an event's "type" sits when "data" comes first.
	tail   []byte
	parser eventParser
	// op names the call in errors ("start service"); "" for NewStream.
	op string
	// src, when set, produces the events instead of r (logs read from
	// files); Close reaches it through body.
	src eventSource

	ev        Event
	err       error
	done      bool        // Next saw the end; set and read by Next only
	closed    atomic.Bool // Close was called, maybe from another goroutine
	closeOnce sync.Once
	closeErr  error
	complete  bool
	// Note says something the caller should pass on, such as a restart
	// that fell back to stop then start.
	Note string
	// Service is set when the runtime answered a create with a JSON
	// Service instead of a stream; the stream then has no events.
	Service *Service
}

// NewStream decodes events from r, keeping at most maxData bytes of each
// event's data (DefaultMaxEventData when maxData <= 0). It is what the
// client uses for every streaming call; it is exported for tests and for
// reading saved streams.
func NewStream(r io.Reader, maxData int) *Stream {
	if maxData <= 0 {
		maxData = DefaultMaxEventData
	}
	var c io.Closer
	if rc, ok := r.(io.Closer); ok {
		c = rc
	}
	return &Stream{r: bufio.NewReaderSize(r, 32<<10), body: c, maxData: maxData}
}

// tailKeep is how much of the end of an over-long line is kept: room for
// the keys that follow a long data string ("type", "timestamp", ...).
const tailKeep = 4 << 10

// keepLimit is how many bytes of a raw line are kept: the data cap, plus
// room for the JSON around it and escapes (a "\u00xx" escape is six bytes for
// one byte of data; beyond this the data is cut and marked Truncated).
func (s *Stream) keepLimit() int { return 2*s.maxData + 1024 }

// Next advances to the next event. It returns false at the end of the
// stream or on an error; Err tells which.
func (s *Stream) Next() bool {
	if s.src != nil {
		return s.nextFromSource()
	}
	for !s.done && !s.closed.Load() {
		line, over, err := s.readLine()
		// A last line with no newline was cut short when it is a JSON
		// object that does not parse: salvage it like an over-long line.
		cut := err != nil && len(line) > 0 && looksCut(line, over)
		if len(line) > 0 || over {
			if ev, ok := s.decode(line, over || cut); ok {
				s.ev = ev
				if ev.Type == EventComplete {
					s.complete = true
				}
				if err != nil {
					s.finish(err, cut)
				}
				return true
			}
		}
		if err != nil {
			s.finish(err, cut)
			return false
		}
	}
	return false
}

// eventSource produces a stream's events without a wire format: next
// returns io.EOF after the last one. Its Close (the stream's body) may be
// called from another goroutine while next waits.
type eventSource interface {
	next() (Event, error)
	io.Closer
}

// nextFromSource is Next for a stream fed by an eventSource.
func (s *Stream) nextFromSource() bool {
	if s.done || s.closed.Load() {
		return false
	}
	ev, err := s.src.next()
	if err != nil {
		s.finish(err, false)
		return false
	}
	s.ev = ev
	if ev.Type == EventComplete {
		s.complete = true
	}
	return true
}

// looksCut reports whether an unterminated last line is an event cut off
// mid-way: a JSON object that does not parse, or an over-long one. A plain
// text line without a final newline is whole.
func looksCut(line []byte, over bool) bool {
	t := bytes.TrimSpace(line)
	if len(t) == 0 || t[0] != '{' {
		return false
	}
	return over || !json.Valid(t)
}

// finish records how the stream ended: cleanly at EOF, ErrStreamCut when
// the last line was cut off, or the read error (with the deadline's cause
// when the stream's own deadline ended it). The error names the operation.
func (s *Stream) finish(err error, cut bool) {
	s.done = true
	if errors.Is(err, io.EOF) {
		if !cut {
			return
		}
		err, cut = ErrStreamCut, false
	}
	if s.ctx != nil && s.ctx.Err() != nil {
		if cause := context.Cause(s.ctx); !errors.Is(err, cause) {
			err = fmt.Errorf("%w (%w)", cause, err)
		}
	}
	if cut {
		err = fmt.Errorf("%w (%w)", err, ErrStreamCut)
	}
	if s.op != "" && !strings.HasPrefix(err.Error(), s.op+":") {
		err = fmt.Errorf("%s: %w", s.op, err)
	}
	s.err = err
}

// readLine returns the next line without its newline, keeping at most
// keepLimit bytes of it and discarding the rest (over reports that); of the
// discarded rest, the last tailKeep bytes stay in s.tail. It never buffers
// more than that, however long the line.
func (s *Stream) readLine() (line []byte, over bool, err error) {
	s.line, s.tail = s.line[:0], s.tail[:0]
	limit := s.keepLimit()
	for {
		chunk, e := s.r.ReadSlice('\n')
		if room := limit - len(s.line); room > 0 {
			if len(chunk) > room {
				s.line = append(s.line, chunk[:room]...)
				s.keepTail(chunk[room:])
				over = true
			} else {
				s.line = append(s.line, chunk...)
			}
		} else if len(chunk) > 0 {
			s.keepTail(chunk)
			over = true
		}
		if e == bufio.ErrBufferFull {
			continue
		}
		if e == nil {
			s.line = trimNewline(s.line)
			s.tail = trimNewline(s.tail)
			return s.line, over, nil
		}
		return s.line, over, e
	}
}

// keepTail appends b to s.tail, keeping only the last tailKeep bytes.
func (s *Stream) keepTail(b []byte) {
	if len(b) >= tailKeep {
		s.tail = append(s.tail[:0], b[len(b)-tailKeep:]...)
		return
	}
	if drop := len(s.tail) + len(b) - tailKeep; drop > 0 {
		s.tail = s.tail[:copy(s.tail, s.tail[drop:])]
	}
	s.tail = append(s.tail, b...)
}

// trimNewline drops a final "\n" or "\r\n".
func trimNewline(b []byte) []byte {
	if n := len(b); n > 0 && b[n-1] == '\n' {
		b = b[:n-1]
	}
	if n := len(b); n > 0 && b[n-1] == '\r' {
		b = b[:n-1]
	}
	return b
}

// Event returns the event Next moved to.
func (s *Stream) Event() Event { return s.ev }

// Err returns the error that ended the stream, nil after a clean end.
func (s *Stream) Err() error { return s.err }

// Complete reports whether the stream carried its final complete event.
func (s *Stream) Complete() bool { return s.complete }

// Close releases the connection. It is safe to call more than once, and
// from another goroutine to stop a Next that is waiting for data; the
// other methods are for one goroutine.
func (s *Stream) Close() error {
	s.closeOnce.Do(func() {
		s.closed.Store(true)
		if s.body != nil {
			s.closeErr = s.body.Close()
		}
		if s.cancel != nil {
			s.cancel()
		}
	})
	return s.closeErr
}

// All returns the events as an iterator; check Err after the loop.
func (s *Stream) All() iter.Seq[Event] {
	return func(yield func(Event) bool) {
		for s.Next() {
			if !yield(s.ev) {
				return
			}
		}
	}
}

// decode turns one line into an event. Blank lines are skipped (ok is
// false). A line that is not a JSON event object becomes raw stdout. A line
// cut short (over) is salvaged: its type and the start of its data.
func (s *Stream) decode(line []byte, over bool) (Event, bool) {
	return decodeLine(&s.parser, line, s.tail, over, s.maxData)
}

// decodeEvent is decode without a Stream, for tests and the fuzz target.
func decodeEvent(p *eventParser, line []byte, over bool, maxData int) (Event, bool) {
	return decodeLine(p, line, nil, over, maxData)
}

// decodeLine is decode with the kept end (tail) of an over-long line.
func decodeLine(p *eventParser, line, tail []byte, over bool, maxData int) (Event, bool) {
	trimmed := bytes.TrimSpace(line)
	if len(trimmed) == 0 && !over {
		return Event{}, false
	}
	if !over && len(trimmed) > 0 && trimmed[0] == '{' {
		if ev, ok := p.parseEvent(trimmed, maxData); ok {
			return ev, true
		}
	}
	if over && len(trimmed) > 0 && trimmed[0] == '{' {
		if ev, ok := salvage(trimmed, tail, maxData); ok {
			return ev, true
		}
	}
	data, cut := capData(string(line), maxData)
	return Event{Type: EventStdout, Data: data, Raw: true, Truncated: cut || over}, true
}

// capData makes s valid UTF-8 (each run of bad bytes becomes U+FFFD) and
// cuts it to at most max bytes on a rune boundary. Validating first keeps
// the cap exact: a replacement character is longer than the byte it
// replaces.
func capData(s string, max int) (string, bool) {
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "\uFFFD")
	}
	if len(s) <= max {
		return s, false
	}
	n := max
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n], true
}

// salvage recovers what it can of an over-long or cut JSON line from its
// kept prefix and, for a long line, its kept end (tail): the type, the
// beginning of the data (or message) string, the timestamp and exit code.
// The keys may come in any order, so a "type" after a 10 MB "data" is
// found in the tail. A line with data but no type left to read is stdout,
// the usual kind of a long line, rather than its JSON shown as text.
func salvage(prefix, tail []byte, maxData int) (Event, bool) {
	typ, ok := stringField(prefix, "type", maxTypeLen)
	if !ok && len(tail) > 0 {
		typ, ok = stringField(tail, "type", maxTypeLen)
	}
	// A little over the cap, so capData can cut on a rune boundary.
	data, haveData := stringField(prefix, "data", maxData+utf8.UTFMax)
	if !haveData {
		data, haveData = stringField(prefix, "message", maxData+utf8.UTFMax)
	}
	switch {
	case ok && typ != "":
	case haveData:
		typ = string(EventStdout)
	default:
		return Event{}, false
	}
	ev := Event{Type: internType([]byte(typ)), Truncated: true}
	ev.Data, _ = capData(data, maxData)
	for _, part := range [][]byte{prefix, tail} {
		if raw, ok := numberField(part, "timestamp"); ok && ev.Timestamp == 0 {
			ev.Timestamp = timestampFromNumber(raw)
		}
		if raw, ok := numberField(part, "exit_code"); ok && ev.ExitCode == nil {
			ev.ExitCode = exitCode(raw)
		}
	}
	return ev, true
}

// numberField finds "key": 123 in a (possibly cut) JSON object, like
// stringField, and returns the number's text.
func numberField(b []byte, key string) ([]byte, bool) {
	rest, ok := afterKey(b, key)
	if !ok {
		return nil, false
	}
	n := 0
	for n < len(rest) && n < 32 && (rest[n] == '-' || rest[n] == '.' || rest[n] == '+' ||
		rest[n] == 'e' || rest[n] == 'E' || '0' <= rest[n] && rest[n] <= '9') {
		n++
	}
	if n == 0 || n == len(rest) {
		return nil, false // no number, or one that may be cut off
	}
	return rest[:n], true
}

// maxTypeLen bounds a salvaged event type; real ones are a few letters.
const maxTypeLen = 64

// stringField finds "key": "..." in a (possibly cut) JSON object and
// decodes as much of the string as is there, at most limit bytes. It is a
// heuristic for salvage only: it looks for the key text, not a full parse.
func stringField(b []byte, key string, limit int) (string, bool) {
	rest, ok := afterKey(b, key)
	if !ok || len(rest) == 0 || rest[0] != '"' {
		return "", false
	}
	return partialUnquote(rest[1:], limit), true
}

// afterKey returns what follows the first `"key":` in b, blanks skipped.
// Inside a JSON string a quote is escaped, so `"key":` with both quotes
// bare is (all but always) a key; a later occurrence is tried when the
// first is not followed by a colon.
func afterKey(b []byte, key string) ([]byte, bool) {
	pat := []byte(strconv.Quote(key))
	for {
		i := bytes.Index(b, pat)
		if i < 0 {
			return nil, false
		}
		b = b[i+len(pat):]
		rest := bytes.TrimLeft(b, " \t")
		if len(rest) > 0 && rest[0] == ':' {
			return bytes.TrimLeft(rest[1:], " \t"), true
		}
	}
}

// partialUnquote decodes a JSON string body up to its closing quote, the
// end of b or limit bytes of output, whichever comes first; a cut escape
// at the end is dropped.
func partialUnquote(b []byte, limit int) string {
	out := make([]byte, 0, min(len(b), limit+utf8.UTFMax))
	for i := 0; i < len(b) && len(out) < limit; i++ {
		c := b[i]
		switch {
		case c == '"':
			return string(out)
		case c != '\\':
			out = append(out, c)
		case i+1 >= len(b):
			return string(out)
		default:
			i++
			if e, ok := simpleEscape(b[i]); ok {
				out = append(out, e)
				continue
			}
			if b[i] != 'u' || i+4 >= len(b) {
				return string(out) // a cut or unknown escape ends what can be read
			}
			r, ok := hex4(b, i+1)
			if !ok {
				return string(out)
			}
			out = utf8.AppendRune(out, r)
			i += 4
		}
	}
	return string(out)
}
