package client

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"
	"unicode/utf8"

	"github.com/sprites-mcp/sprites-mcp/internal/wire"
)

// logFile reads the lines of one service log file from an offset, in
// bounded memory, and keeps reading what is appended to it, across
// rotation and truncation, when polled.
//
// It never reads past limit, the size last observed: the tail phase reads
// exactly what the file held when it was opened, and each poll raises the
// limit to what has been appended since. A line whose end has not been
// written yet stays pending until its newline arrives, or until flushed.
type logFile struct {
	path string
	kind EventType // the type of lines that carry no [stdout]/[stderr] tag
	keep int       // bytes kept of one line (its header on top of the data cap); the rest is counted as cut
	max  int       // the event data cap

	f    *os.File // nil until the file exists
	span fileSpan
	br   *bufio.Reader
	// rotated says path now names another file: the open one is read to
	// its end, then path is reopened from its start.
	rotated bool

	// line is the kept prefix of the current line, over says more of it
	// was dropped; emitted says it was handed out and is cleared on the
	// next read.
	line    []byte
	over    bool
	emitted bool
	// cont is set after a part line was flushed: the rest of that line,
	// when it comes, has no header of its own and takes this event's
	// type and timestamp.
	cont *Event
}

// logReadBuffer is the size of a log file's read buffer.
const logReadBuffer = 32 << 10

func newLogFile(path string, kind EventType, maxData int) *logFile {
	return &logFile{path: path, kind: kind, keep: maxData + wire.MaxLogHeader, max: maxData}
}

// open opens the file if it exists and sets the limit to its size; a
// missing file is not an error (it may appear later).
func (lf *logFile) open() error {
	f, err := os.Open(lf.path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return err
	}
	lf.attach(f, fi.Size())
	return nil
}

// attach starts reading f from its start, up to size.
func (lf *logFile) attach(f *os.File, size int64) {
	lf.f = f
	lf.span = fileSpan{f: f, limit: size}
	if lf.br == nil {
		lf.br = bufio.NewReaderSize(&lf.span, logReadBuffer)
	} else {
		lf.br.Reset(&lf.span)
	}
	lf.rotated = false
}

// exists reports whether the file was there when opened or polled.
func (lf *logFile) exists() bool { return lf.f != nil }

// close releases the file; safe to call more than once.
func (lf *logFile) close() error {
	if lf.f == nil {
		return nil
	}
	err := lf.f.Close()
	lf.f = nil
	return err
}

// tail moves the read position to the start of the last n lines, reading
// backwards from the limit in blocks, and returns how many lines that is
// (fewer than n when the file is shorter). It is called once, before any
// line is read.
func (lf *logFile) tail(n int) (int, error) {
	if lf.f == nil || n <= 0 {
		return 0, nil
	}
	from, count, err := wire.TailOffset(lf.f, lf.span.limit, n)
	if err != nil {
		return 0, err
	}
	lf.span.pos = from
	lf.br.Reset(&lf.span)
	return count, nil
}

// next returns the next whole line as an event. At the limit it returns
// ok false, unless flush is set and part of a line is pending: then that
// part is the event. Memory is bounded by keep whatever the line length.
func (lf *logFile) next(flush bool) (ev Event, ok bool, err error) {
	if lf.f == nil {
		return Event{}, false, nil
	}
	if lf.emitted {
		lf.line, lf.over, lf.emitted = lf.line[:0], false, false
	}
	for {
		chunk, e := lf.br.ReadSlice('\n')
		if room := lf.keep - len(lf.line); len(chunk) > room {
			lf.line = append(lf.line, chunk[:max(room, 0)]...)
			lf.over = true
		} else {
			lf.line = append(lf.line, chunk...)
		}
		switch {
		case e == bufio.ErrBufferFull:
			continue
		case e == nil:
			return lf.emit(false), true, nil
		case e == io.EOF:
			if flush && (len(lf.line) > 0 || lf.over) {
				return lf.emit(true), true, nil
			}
			return Event{}, false, nil
		default:
			return Event{}, false, fmt.Errorf("read logs: %w", e)
		}
	}
}

// emit turns the current line into an event; part says the line's end
// has not been written yet.
func (lf *logFile) emit(part bool) Event {
	lf.emitted = true
	line, ended := lf.line, !part
	if ended && !lf.over {
		line = bytes.TrimSuffix(line, []byte("\n"))
	}
	var ev Event
	if lf.cont != nil {
		ev = *lf.cont
		ev.Data, ev.Truncated = lineData(line, ended, lf.over, lf.max)
	} else {
		ev = parseLogLine(line, ended, lf.over, lf.kind, lf.max)
	}
	lf.cont = nil
	if part {
		lf.cont = &Event{Type: ev.Type, Timestamp: ev.Timestamp}
	}
	return ev
}

// poll looks at the file again: it raises the limit to what was appended,
// notices a file that appeared, one that was replaced (rotation: another
// inode at the path) and one that shrank (truncation in place). A file
// truncated and refilled past the read position between two polls cannot
// be told from one that grew.
func (lf *logFile) poll() error {
	if lf.f == nil {
		return lf.open()
	}
	// The path first, then the open file: when the path already names
	// another file, the old one is finished and its size below is final.
	// (The other order could take the old size, then see a rotation that
	// came after more was written to it, and lose that.)
	at, atErr := os.Stat(lf.path)
	cur, err := lf.f.Stat()
	if err != nil {
		return err
	}
	if atErr == nil && !os.SameFile(at, cur) {
		// Rotated: what was written to the old file before the switch is
		// read first; reopen happens at its end (see advance).
		lf.rotated = true
	}
	switch size := cur.Size(); {
	case size < lf.span.pos:
		// Truncated in place: start again from the top. A pending part
		// line was lost with the truncation.
		lf.line, lf.over, lf.emitted, lf.cont = lf.line[:0], false, false, nil
		lf.span = fileSpan{f: lf.f, limit: size}
		lf.br.Reset(&lf.span)
	default:
		lf.span.limit = size
	}
	return nil
}

// advance switches to the new file after a rotation, once the old one has
// been read to its end and its pending part line flushed.
func (lf *logFile) advance() error {
	old := lf.f
	lf.f = nil
	if old != nil {
		old.Close()
	}
	lf.line, lf.over, lf.emitted, lf.cont = lf.line[:0], false, false, nil
	lf.rotated = false
	return lf.open()
}

// fileSpan reads a file from pos up to limit with ReadAt, so the limit can
// be raised later and reading goes on where it stopped. At the limit it
// answers io.EOF; bufio.Reader clears that, so it asks again next time.
type fileSpan struct {
	f          *os.File
	pos, limit int64
}

func (r *fileSpan) Read(p []byte) (int, error) {
	if r.pos >= r.limit {
		return 0, io.EOF
	}
	if rest := r.limit - r.pos; int64(len(p)) > rest {
		p = p[:rest]
	}
	n, err := r.f.ReadAt(p, r.pos)
	r.pos += int64(n)
	if err == io.EOF && n > 0 {
		err = nil // shorter than the limit: truncated; the next poll sees it
	}
	return n, err
}

// parseLogLine turns a line on disk, without its newline, into an output
// event (the format is wire.ParseLogLine's). A line without a
// [stdout]/[stderr] tag is of the file's stream (kind), and its timestamp
// is 0 when it has none. ended says the line's newline was written; over
// that more of it was dropped while reading (see lineData).
func parseLogLine(line []byte, ended, over bool, kind EventType, maxData int) Event {
	l := wire.ParseLogLine(line)
	ev := Event{Type: kind}
	if l.Stream != "" {
		ev.Type = l.Stream
	}
	if !l.Time.IsZero() {
		ev.Timestamp = l.Time.UnixMilli()
	}
	ev.Data, ev.Truncated = lineData(l.Text, ended, over, maxData)
	return ev
}

// lineData is an event's data for the text of a line: valid UTF-8, at most
// maxData bytes, ending with a newline when the line ended, as the logs
// route sends it. A line cut to the cap (Truncated) keeps its newline, so
// that readers who join pieces without one do not join it to the next
// line; only a line whose end is not written yet has none.
func lineData(text []byte, ended, over bool, maxData int) (string, bool) {
	room := maxData
	if ended {
		room = max(maxData-1, 0)
	}
	if len(text) <= room && utf8.Valid(text) {
		// The common line: one allocation, the newline included.
		var b strings.Builder
		b.Grow(len(text) + 1)
		b.Write(text)
		if ended {
			b.WriteByte('\n')
		}
		return b.String(), over
	}
	data, cut := capData(validPerByte(text), room)
	if ended {
		data += "\n"
	}
	return data, cut || over
}

// validPerByte makes b valid UTF-8 with one U+FFFD for each bad byte, as
// encoding/json does on the logs route's wire, so both paths give the same
// text.
func validPerByte(b []byte) string {
	if utf8.Valid(b) {
		return string(b)
	}
	var s strings.Builder
	s.Grow(len(b) + 16)
	for len(b) > 0 {
		r, size := utf8.DecodeRune(b)
		if r == utf8.RuneError && size == 1 {
			s.WriteString("�")
		} else {
			s.Write(b[:size])
		}
		b = b[size:]
	}
	return s.String()
}
