package supervisor

import "unicode/utf8"

// Output is cut into pieces so that every event stays small: at most
// maxPieceBytes of raw output, and at most maxPieceJSON bytes once escaped
// as a JSON string, so no NDJSON line (data plus the other fields) reaches
// 64 KiB even for output made of control bytes or invalid UTF-8.
const (
	maxPieceBytes = 16 << 10
	maxPieceJSON  = 60 << 10
)

// splitter turns a byte stream into pieces: whole lines (with their '\n'),
// or cuts of long lines and newline-less floods at a rune boundary. Memory
// is bounded by maxPieceBytes plus one partial rune, whatever the input.
type splitter struct {
	buf   []byte
	cost  int    // JSON-escaped length of buf
	carry []byte // the start of a rune cut by the end of a read (at most 3 bytes)
}

// jsonCost is how many bytes r takes inside a JSON string as
// encoding/json writes it (HTML escaping off); invalid bytes become the
// six-byte \ufffd escape.
func jsonCost(r rune, size int) int {
	switch {
	case r == utf8.RuneError && size == 1:
		return 6
	case r == '"' || r == '\\' || r == '\n' || r == '\r' || r == '\t':
		return 2
	case r < 0x20 || r == '\u2028' || r == '\u2029':
		return 6
	default:
		return size
	}
}

// feed adds p and calls emit for each finished piece; eol says the piece
// ends a line. emit must not keep the slice.
func (s *splitter) feed(p []byte, emit func(piece []byte, eol bool)) {
	if len(s.carry) > 0 {
		// Rare (a rune across two reads): one copy of this read.
		p = append(append([]byte(nil), s.carry...), p...)
		s.carry = s.carry[:0]
	}
	for len(p) > 0 {
		c := p[0]
		size, cost := 1, 1
		var r rune = rune(c)
		if c >= utf8.RuneSelf || c < 0x20 || c == '"' || c == '\\' {
			if c >= utf8.RuneSelf && !utf8.FullRune(p) {
				// A rune cut by the read: keep its start for the next feed.
				s.carry = append(s.carry, p...)
				return
			}
			r, size = utf8.DecodeRune(p)
			cost = jsonCost(r, size)
		}
		if len(s.buf)+size > maxPieceBytes || s.cost+cost > maxPieceJSON {
			s.cut(emit, false)
		}
		s.buf = append(s.buf, p[:size]...)
		s.cost += cost
		p = p[size:]
		if c == '\n' {
			s.cut(emit, true)
		}
	}
}

// cut emits what is buffered, if anything.
func (s *splitter) cut(emit func([]byte, bool), eol bool) {
	if len(s.buf) > 0 {
		emit(s.buf, eol)
	}
	s.buf, s.cost = s.buf[:0], 0
}

// flush emits a trailing partial line (at exit, or after a pause). A rune
// start still waiting for its end goes out as it is (invalid bytes).
func (s *splitter) flush(emit func([]byte, bool)) {
	if len(s.carry) > 0 {
		if len(s.buf)+len(s.carry) > maxPieceBytes || s.cost+6*len(s.carry) > maxPieceJSON {
			s.cut(emit, false)
		}
		s.buf = append(s.buf, s.carry...)
		s.carry = s.carry[:0]
	}
	s.cut(emit, false)
}

// pending reports whether a partial line is buffered.
func (s *splitter) pending() bool { return len(s.buf) > 0 || len(s.carry) > 0 }
