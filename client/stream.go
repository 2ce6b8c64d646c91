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
// stream is bounded by the data cap, not by the longest line. Closing the
// stream early releases the connection.
type Stream struct {
	r       *bufio.Reader
	body    io.Closer
	cancel  context.CancelFunc
	ctx     context.Context
	maxData int
	// line holds the kept prefix of the current line; reused between events.
	line []byte

	ev       Event
	err      error
	done     bool
	complete bool
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

// keepLimit is how many bytes of a raw line are kept: the data cap, plus
// room for the JSON around it and escapes (a "\u00xx" escape is six bytes for
// one byte of data; beyond this the data is cut and marked Truncated).
func (s *Stream) keepLimit() int { return 2*s.maxData + 1024 }

// Next advances to the next event. It returns false at the end of the
// stream or on an error; Err tells which.
func (s *Stream) Next() bool {
	for !s.done {
		line, over, err := s.readLine()
		if len(line) > 0 || over {
			if ev, ok := decodeEvent(line, over, s.maxData); ok {
				s.ev = ev
				if ev.Type == EventComplete {
					s.complete = true
				}
				if err != nil {
					s.finish(err, line, over)
				}
				return true
			}
		}
		if err != nil {
			s.finish(err, line, over)
			return false
		}
	}
	return false
}

// finish records how the stream ended. A last line with no newline that is
// not a whole JSON value means the stream was cut.
func (s *Stream) finish(err error, last []byte, over bool) {
	s.done = true
	if errors.Is(err, io.EOF) {
		if len(last) > 0 && (over || !json.Valid(bytes.TrimSpace(last))) {
			s.err = ErrStreamCut
		}
		return
	}
	if s.ctx != nil && s.ctx.Err() != nil {
		err = fmt.Errorf("%w (%w)", context.Cause(s.ctx), err)
	}
	s.err = err
}

// readLine returns the next line without its newline, keeping at most
// keepLimit bytes of it and discarding the rest (over reports that). It
// never buffers more than that, however long the line.
func (s *Stream) readLine() (line []byte, over bool, err error) {
	s.line = s.line[:0]
	limit := s.keepLimit()
	for {
		chunk, e := s.r.ReadSlice('\n')
		if room := limit - len(s.line); room > 0 {
			if len(chunk) > room {
				s.line = append(s.line, chunk[:room]...)
				over = true
			} else {
				s.line = append(s.line, chunk...)
			}
		} else if len(chunk) > 0 {
			over = true
		}
		if e == bufio.ErrBufferFull {
			continue
		}
		if e == nil {
			if n := len(s.line); n > 0 && s.line[n-1] == '\n' {
				s.line = s.line[:n-1]
			}
			if n := len(s.line); n > 0 && s.line[n-1] == '\r' {
				s.line = s.line[:n-1]
			}
			return s.line, over, nil
		}
		return s.line, over, e
	}
}

// Event returns the event Next moved to.
func (s *Stream) Event() Event { return s.ev }

// Err returns the error that ended the stream, nil after a clean end.
func (s *Stream) Err() error { return s.err }

// Complete reports whether the stream carried its final complete event.
func (s *Stream) Complete() bool { return s.complete }

// Close releases the connection. It is safe to call more than once.
func (s *Stream) Close() error {
	s.done = true
	var err error
	if s.body != nil {
		err = s.body.Close()
		s.body = nil
	}
	if s.cancel != nil {
		s.cancel()
	}
	return err
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

// wireEvent is the JSON shape of an event; data may come as "message".
type wireEvent struct {
	Type      EventType   `json:"type"`
	Data      *string     `json:"data"`
	Message   *string     `json:"message"`
	ExitCode  *int        `json:"exit_code"`
	Timestamp json.Number `json:"timestamp"`
	LogFiles  *LogFiles   `json:"log_files"`
}

// decodeEvent turns one line into an event. Blank lines are skipped (ok is
// false). A line that is not a JSON object becomes raw stdout. A line cut at
// the keep limit (over) is salvaged: its type and the start of its data.
func decodeEvent(line []byte, over bool, maxData int) (Event, bool) {
	trimmed := bytes.TrimSpace(line)
	if len(trimmed) == 0 && !over {
		return Event{}, false
	}
	if !over && len(trimmed) > 0 && trimmed[0] == '{' {
		var w wireEvent
		if err := json.Unmarshal(trimmed, &w); err == nil && w.Type != "" {
			ev := Event{Type: w.Type, ExitCode: w.ExitCode, LogFiles: w.LogFiles}
			ev.Timestamp = parseTimestamp(w.Timestamp)
			switch {
			case w.Data != nil:
				ev.Data = *w.Data
			case w.Message != nil:
				ev.Data = *w.Message
			}
			ev.Data, ev.Truncated = capData(ev.Data, maxData)
			return ev, true
		}
	}
	if over && len(trimmed) > 0 && trimmed[0] == '{' {
		if ev, ok := salvage(trimmed, maxData); ok {
			return ev, true
		}
	}
	data, cut := capData(string(line), maxData)
	return Event{Type: EventStdout, Data: data, Raw: true, Truncated: cut || over}, true
}

// parseTimestamp accepts integer or fractional milliseconds.
func parseTimestamp(n json.Number) int64 {
	if n == "" {
		return 0
	}
	if i, err := n.Int64(); err == nil {
		return i
	}
	if f, err := n.Float64(); err == nil {
		return int64(f)
	}
	return 0
}

// capData cuts s to at most max bytes on a rune boundary and makes it valid
// UTF-8.
func capData(s string, max int) (string, bool) {
	cut := false
	if len(s) > max {
		n := max
		for n > 0 && !utf8.RuneStart(s[n]) {
			n--
		}
		s, cut = s[:n], true
	}
	if !utf8.ValidString(s) {
		s = string(bytes.ToValidUTF8([]byte(s), []byte("\uFFFD")))
	}
	return s, cut
}

// salvage recovers what it can from the kept prefix of an over-long JSON
// line: the type and the beginning of the data (or message) string.
func salvage(prefix []byte, maxData int) (Event, bool) {
	typ, ok := stringField(prefix, "type")
	if !ok || typ == "" {
		return Event{}, false
	}
	ev := Event{Type: EventType(typ), Truncated: true}
	data, ok := stringField(prefix, "data")
	if !ok {
		data, _ = stringField(prefix, "message")
	}
	ev.Data, _ = capData(data, maxData)
	return ev, true
}

// stringField finds "key": "..." in a (possibly cut) JSON object and
// decodes as much of the string as is there. It is a heuristic for salvage
// only: it looks for the key text, not a full parse.
func stringField(b []byte, key string) (string, bool) {
	pat := []byte(strconv.Quote(key))
	i := bytes.Index(b, pat)
	if i < 0 {
		return "", false
	}
	rest := bytes.TrimLeft(b[i+len(pat):], " \t")
	if len(rest) == 0 || rest[0] != ':' {
		return "", false
	}
	rest = bytes.TrimLeft(rest[1:], " \t")
	if len(rest) == 0 || rest[0] != '"' {
		return "", false
	}
	return partialUnquote(rest[1:]), true
}

// partialUnquote decodes a JSON string body up to its closing quote or the
// end of b, whichever comes first; a cut escape at the end is dropped.
func partialUnquote(b []byte) string {
	out := make([]byte, 0, len(b))
	for i := 0; i < len(b); i++ {
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
			switch b[i] {
			case 'n':
				out = append(out, '\n')
			case 't':
				out = append(out, '\t')
			case 'r':
				out = append(out, '\r')
			case 'b':
				out = append(out, '\b')
			case 'f':
				out = append(out, '\f')
			case 'u':
				if i+4 >= len(b) {
					return string(out)
				}
				v, err := strconv.ParseUint(string(b[i+1:i+5]), 16, 32)
				if err != nil {
					return string(out)
				}
				out = utf8.AppendRune(out, rune(v))
				i += 4
			default: // '"', '\\', '/'
				out = append(out, b[i])
			}
		}
	}
	return string(out)
}
