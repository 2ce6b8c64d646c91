package client

import (
	"strconv"
	"time"
	"unicode/utf16"
	"unicode/utf8"
)

// This file is a small hand decoder for the flat event object. It exists
// for speed: encoding/json costs about ten allocations per event and tops
// out well under a million events a second, while this costs one
// allocation (the data string) and runs several times faster.
//
// It accepts exactly the JSON that encoding/json accepts (same string
// unescaping, same invalid-UTF-8 replacement, one replacement per bad
// byte) and reads the known keys tolerantly: a known key with an
// unexpected type is ignored rather than failing the line. Keys match
// exactly (encoding/json would also match "TYPE"). FuzzStream checks it
// against an encoding/json reference.

// maxJSONDepth matches encoding/json's nesting limit.
const maxJSONDepth = 10000

// eventParser decodes one event object; scratch is reused between lines so
// a string costs no allocation until it becomes the event's Data.
type eventParser struct {
	b       []byte
	i       int
	scratch []byte // decoded text of the string last read
	typ     []byte // decoded type, kept while later strings are read
	stack   []byte // open containers while skipping a value
}

// parseEvent decodes b, a whole trimmed line, as an event object. ok is
// false when b is not valid JSON, not an object, or has no string "type".
func (p *eventParser) parseEvent(b []byte, maxData int) (ev Event, ok bool) {
	p.b, p.i = b, 0
	defer func() { p.b = nil }()
	p.ws()
	if !p.eat('{') {
		return Event{}, false
	}
	var (
		typ              []byte
		haveType         bool
		data, msg        string
		haveData, haveMs bool
		dataCut, msgCut  bool
	)
	p.ws()
	if p.eat('}') {
		return Event{}, false
	}
	for {
		p.ws()
		key, kok := p.key()
		if !kok {
			return Event{}, false
		}
		p.ws()
		if !p.eat(':') {
			return Event{}, false
		}
		p.ws()
		switch key {
		case keyType:
			s, isStr, vok := p.stringValue()
			if !vok {
				return Event{}, false
			}
			haveType = isStr
			if isStr {
				p.typ = append(p.typ[:0], s...)
				typ = p.typ
			}
		case keyData, keyMessage:
			s, isStr, vok := p.stringValue()
			if !vok {
				return Event{}, false
			}
			var out string
			var cut bool
			if isStr {
				out, cut = capBytes(s, maxData)
			}
			if key == keyData {
				data, haveData, dataCut = out, isStr, cut
			} else {
				msg, haveMs, msgCut = out, isStr, cut
			}
		case keyExitCode:
			start := p.i
			if !p.skipValue() {
				return Event{}, false
			}
			ev.ExitCode = exitCode(p.b[start:p.i])
		case keyTimestamp:
			start := p.i
			if !p.skipValue() {
				return Event{}, false
			}
			raw := p.b[start:p.i]
			if raw[0] == '"' {
				s, _, _ := p.reparseString(start)
				ev.Timestamp = timestampFromString(s)
			} else {
				ev.Timestamp = timestampFromNumber(raw)
			}
		case keyLogFiles:
			lf, vok := p.logFiles()
			if !vok {
				return Event{}, false
			}
			ev.LogFiles = lf
		default:
			if !p.skipValue() {
				return Event{}, false
			}
		}
		p.ws()
		if p.eat(',') {
			continue
		}
		if p.eat('}') {
			break
		}
		return Event{}, false
	}
	p.ws()
	if p.i != len(p.b) || !haveType || len(typ) == 0 {
		return Event{}, false
	}
	ev.Type = internType(typ)
	switch {
	case haveData:
		ev.Data, ev.Truncated = data, dataCut
	case haveMs:
		ev.Data, ev.Truncated = msg, msgCut
	}
	return ev, true
}

// The keys the decoder knows; anything else is skipped.
type eventKey int

const (
	keyOther eventKey = iota
	keyType
	keyData
	keyMessage
	keyExitCode
	keyTimestamp
	keyLogFiles
)

// key reads an object key and says which known key it is.
func (p *eventParser) key() (eventKey, bool) {
	s, isStr, ok := p.stringValue()
	if !ok || !isStr {
		return keyOther, false
	}
	switch string(s) { // no allocation: the compiler compares in place
	case "type":
		return keyType, true
	case "data":
		return keyData, true
	case "message":
		return keyMessage, true
	case "exit_code":
		return keyExitCode, true
	case "timestamp":
		return keyTimestamp, true
	case "log_files":
		return keyLogFiles, true
	}
	return keyOther, true
}

// internType returns the constant for a known type, so the common events
// cost no allocation for their type.
func internType(b []byte) EventType {
	switch string(b) {
	case "stdout":
		return EventStdout
	case "stderr":
		return EventStderr
	case "started":
		return EventStarted
	case "exit":
		return EventExit
	case "error":
		return EventError
	case "stopping":
		return EventStopping
	case "stopped":
		return EventStopped
	case "complete":
		return EventComplete
	}
	return EventType(string(b))
}

// logFiles reads the log_files value: an object of paths, or anything else
// (ignored).
func (p *eventParser) logFiles() (*LogFiles, bool) {
	if p.i >= len(p.b) || p.b[p.i] != '{' {
		return nil, p.skipValue()
	}
	p.i++
	lf := &LogFiles{}
	p.ws()
	if p.eat('}') {
		return lf, true
	}
	for {
		p.ws()
		k, isStr, ok := p.stringValue()
		if !ok || !isStr {
			return nil, false
		}
		var dst *string
		switch string(k) {
		case "combined":
			dst = &lf.Combined
		case "stdout":
			dst = &lf.Stdout
		case "stderr":
			dst = &lf.Stderr
		}
		p.ws()
		if !p.eat(':') {
			return nil, false
		}
		p.ws()
		s, isStr, ok := p.stringValue()
		if !ok {
			return nil, false
		}
		if dst != nil {
			if isStr {
				*dst = string(s)
			} else {
				*dst = ""
			}
		}
		p.ws()
		if p.eat(',') {
			continue
		}
		if p.eat('}') {
			return lf, true
		}
		return nil, false
	}
}

// stringValue reads any value; when it is a string, s is its decoded text
// (valid only until the next string is read) and isStr is true.
func (p *eventParser) stringValue() (s []byte, isStr, ok bool) {
	if p.i < len(p.b) && p.b[p.i] == '"' {
		return p.readString()
	}
	return nil, false, p.skipValue()
}

// reparseString decodes the string that starts at offset start again.
func (p *eventParser) reparseString(start int) ([]byte, bool, bool) {
	saved := p.i
	p.i = start
	s, isStr, ok := p.readString()
	p.i = saved
	return s, isStr, ok
}

// readString decodes the string at p.i into scratch, with encoding/json's
// rules: escapes decoded, lone surrogates and invalid UTF-8 bytes each
// become U+FFFD, raw control characters refused.
func (p *eventParser) readString() ([]byte, bool, bool) {
	b := p.b
	i := p.i + 1
	// Fast path: no escapes, plain ASCII up to the closing quote.
	start := i
	for i < len(b) {
		c := b[i]
		if c == '"' {
			p.i = i + 1
			return b[start:i], true, true
		}
		if c == '\\' || c < 0x20 || c >= utf8.RuneSelf {
			break
		}
		i++
	}
	out := append(p.scratch[:0], b[start:i]...)
	for i < len(b) {
		c := b[i]
		switch {
		case c == '"':
			p.scratch = out
			p.i = i + 1
			return out, true, true
		case c < 0x20:
			return nil, false, false
		case c == '\\':
			if i+1 >= len(b) {
				return nil, false, false
			}
			i++
			if e, ok := simpleEscape(b[i]); ok {
				out = append(out, e)
				i++
				continue
			}
			switch b[i] {
			case 'u':
				r, ok := hex4(b, i+1)
				if !ok {
					return nil, false, false
				}
				i += 4
				if utf16.IsSurrogate(r) {
					// A pair is two escapes; a lone half is U+FFFD.
					if r2, ok2 := hex4(b, i+3); ok2 && i+2 < len(b) && b[i+1] == '\\' && b[i+2] == 'u' {
						if dec := utf16.DecodeRune(r, r2); dec != utf8.RuneError {
							out = utf8.AppendRune(out, dec)
							i += 6
							break
						}
					}
					r = utf8.RuneError
				}
				out = utf8.AppendRune(out, r)
			default:
				return nil, false, false
			}
			i++
		case c < utf8.RuneSelf:
			out = append(out, c)
			i++
		default:
			r, size := utf8.DecodeRune(b[i:])
			if r == utf8.RuneError && size == 1 {
				out = utf8.AppendRune(out, utf8.RuneError)
			} else {
				out = append(out, b[i:i+size]...)
			}
			i += size
		}
	}
	p.scratch = out
	return nil, false, false
}

// hex4 reads four hex digits at b[i:].
func hex4(b []byte, i int) (rune, bool) {
	if i+4 > len(b) {
		return 0, false
	}
	var r rune
	for _, c := range b[i : i+4] {
		switch {
		case '0' <= c && c <= '9':
			c -= '0'
		case 'a' <= c && c <= 'f':
			c = c - 'a' + 10
		case 'A' <= c && c <= 'F':
			c = c - 'A' + 10
		default:
			return 0, false
		}
		r = r<<4 | rune(c)
	}
	return r, true
}

// skipValue steps over one JSON value, checking its syntax. It keeps an
// explicit stack of open containers instead of recursing, so a deeply
// nested line cannot blow the goroutine stack.
func (p *eventParser) skipValue() bool {
	stack := p.stack[:0]
	for {
		// A value must come next.
		p.ws()
		if p.i >= len(p.b) {
			return false
		}
		switch c := p.b[p.i]; c {
		case '{', '[':
			// The event object itself is one level of encoding/json's limit.
			if len(stack) >= maxJSONDepth-1 {
				return false
			}
			p.i++
			p.ws()
			if p.eat(c + 2) { // '{'+2 is '}', '['+2 is ']'
				break
			}
			stack = append(stack, c)
			p.stack = stack
			if c == '{' && !p.memberKey() {
				return false
			}
			continue
		case '"':
			if _, _, ok := p.readString(); !ok {
				return false
			}
		case 't':
			if !p.literal("true") {
				return false
			}
		case 'f':
			if !p.literal("false") {
				return false
			}
		case 'n':
			if !p.literal("null") {
				return false
			}
		default:
			if !p.number() {
				return false
			}
		}
		// After a value: close containers, or move to the next element.
		for {
			if len(stack) == 0 {
				return true
			}
			p.ws()
			if p.i >= len(p.b) {
				return false
			}
			top, c := stack[len(stack)-1], p.b[p.i]
			if c == top+2 {
				p.i++
				stack = stack[:len(stack)-1]
				continue
			}
			if c != ',' {
				return false
			}
			p.i++
			if top == '{' && !p.memberKey() {
				return false
			}
			break
		}
	}
}

// memberKey reads `"key" :` inside an object being skipped.
func (p *eventParser) memberKey() bool {
	p.ws()
	if p.i >= len(p.b) || p.b[p.i] != '"' {
		return false
	}
	if _, _, ok := p.readString(); !ok {
		return false
	}
	p.ws()
	return p.eat(':')
}

// literal matches a keyword.
func (p *eventParser) literal(w string) bool {
	if len(p.b)-p.i < len(w) || string(p.b[p.i:p.i+len(w)]) != w {
		return false
	}
	p.i += len(w)
	return true
}

// number steps over a JSON number, checking its grammar.
func (p *eventParser) number() bool {
	b, i := p.b, p.i
	if i < len(b) && b[i] == '-' {
		i++
	}
	switch {
	case i < len(b) && b[i] == '0':
		i++
	case i < len(b) && '1' <= b[i] && b[i] <= '9':
		for i < len(b) && '0' <= b[i] && b[i] <= '9' {
			i++
		}
	default:
		return false
	}
	if i < len(b) && b[i] == '.' {
		i++
		d := i
		for i < len(b) && '0' <= b[i] && b[i] <= '9' {
			i++
		}
		if i == d {
			return false
		}
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		d := i
		for i < len(b) && '0' <= b[i] && b[i] <= '9' {
			i++
		}
		if i == d {
			return false
		}
	}
	p.i = i
	return true
}

func (p *eventParser) ws() {
	for p.i < len(p.b) {
		switch p.b[p.i] {
		case ' ', '\t', '\n', '\r':
			p.i++
		default:
			return
		}
	}
}

func (p *eventParser) eat(c byte) bool {
	if p.i < len(p.b) && p.b[p.i] == c {
		p.i++
		return true
	}
	return false
}

// exitCode reads an integer exit code; anything else (null, a string, a
// fraction, out of range) is no exit code.
func exitCode(raw []byte) *int {
	n, ok := smallInt(raw)
	if !ok || int64(int(n)) != n {
		return nil
	}
	v := int(n)
	return &v
}

// smallInt parses an optionally negative decimal integer of at most 18
// digits (so it cannot overflow) without allocating.
func smallInt(b []byte) (int64, bool) {
	neg := len(b) > 0 && b[0] == '-'
	if neg {
		b = b[1:]
	}
	if len(b) == 0 || len(b) > 18 || (b[0] == '0' && len(b) > 1) {
		return 0, false
	}
	var n int64
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int64(c-'0')
	}
	if neg {
		n = -n
	}
	return n, true
}

// timestampFromNumber reads Unix milliseconds, integer or fractional.
func timestampFromNumber(raw []byte) int64 {
	if n, ok := smallInt(raw); ok {
		return n // the common case, without strconv's allocation
	}
	if n, err := strconv.ParseInt(string(raw), 10, 64); err == nil {
		return n
	}
	if f, err := strconv.ParseFloat(string(raw), 64); err == nil {
		return int64(f)
	}
	return 0
}

// timestampFromString accepts an RFC 3339 time or a number in a string,
// which some runtimes might send; anything else is no timestamp.
func timestampFromString(s []byte) int64 {
	if t, err := time.Parse(time.RFC3339Nano, string(s)); err == nil {
		return t.UnixMilli()
	}
	return timestampFromNumber(s)
}

// capBytes is capData for decoded bytes: it cuts at a rune boundary and
// converts to a string (the event's one allocation).
func capBytes(b []byte, max int) (string, bool) {
	cut := false
	if len(b) > max {
		n := max
		for n > 0 && !utf8.RuneStart(b[n]) {
			n--
		}
		b, cut = b[:n], true
	}
	return string(b), cut
}

// simpleEscape returns the byte a one-character JSON escape (\n, \", …)
// stands for; \u escapes are not simple.
func simpleEscape(c byte) (byte, bool) {
	switch c {
	case '"', '\\', '/':
		return c, true
	case 'b':
		return '\b', true
	case 'f':
		return '\f', true
	case 'n':
		return '\n', true
	case 'r':
		return '\r', true
	case 't':
		return '\t', true
	}
	return 0, false
}
