// Package summary turns one event stream of the Services API into a bounded
// digest an agent can act on: whether the service started, exited or
// stopped, the head and tail of its output within a character budget,
// error-looking lines from the omitted middle, and how much was left out.
//
// Memory is bounded by the Config, never by the stream: a 10 GB stream
// costs what a 10 KB one does. Add is the hot path and does no cleaning;
// lines are cleaned (ANSI stripped, secrets masked, cut) only when they are
// rendered, so a line that is never shown costs a few comparisons.
package summary

import (
	"strings"

	"github.com/sprites-mcp/sprites-mcp/client"
)

// Defaults for a zero Config.
const (
	DefaultMaxChars     = 6000
	DefaultMaxLineChars = 500
)

const (
	// errorKeep is how many error-looking lines of the omitted middle are
	// kept from its start, and again from its end (the most recent).
	errorKeep = 10
	// maxErrorEvents bounds Result.Errors: the first ones and the last.
	maxErrorEvents = 10
	// keyBlockMaxLines ends the masking of a private key block whose END
	// line never came, so a lost footer cannot hide the rest of a stream.
	keyBlockMaxLines = 400
	// errorScanBytes is how much of a line leaving the tail is searched
	// for error words.
	errorScanBytes = 1024
	// keyLine stands for each line inside a private key block.
	keyLine = "[private key line masked]"
)

// Config bounds a summary. Characters are runes (Unicode code points).
//
// Memory follows the Config, not the stream: at most 4×MaxChars bytes of
// raw text each for the kept head and tail, their line records (under 30
// bytes per unit of MaxChars in all), and 22 lines of at most
// 4×MaxLineChars+256 bytes (error lines of the omitted middle and two
// unfinished lines). For the defaults that is under 400 KiB; 100–150 KiB
// is typical (measured in TestMillionLines and the benchmarks).
type Config struct {
	MaxChars     int // budget for the rendered output lines (Result.Output), default 6000
	MaxLineChars int // each shown line cut here with a marker, default 500 (and at most half of MaxChars)
}

// Summarizer consumes the events of one stream (client.Event) and keeps a bounded
// digest: memory is bounded by Config, never by the stream's length.
//
// A Summarizer is not safe for concurrent use: call Add, Latest and Result
// from one goroutine (the one reading the stream).
type Summarizer struct {
	cfg Config
	// storeCap is how many bytes of one line are kept: enough for
	// MaxLineChars runes of 4-byte UTF-8 with colour codes around them.
	storeCap int
	// regionBytes and maxEntries bound the head and the tail each. Raw
	// bytes are kept up to four times the budget so that after cleaning
	// (which only shrinks ordinary text) there is enough to fill it.
	regionBytes int
	maxEntries  int

	res Result // event facts and counters; lines are chosen in Result

	head      []entry
	headBytes int
	headFull  bool
	tail      ring
	errFirst  []entry // first error-looking lines of the omitted middle
	errLast   ring    // most recent error-looking lines of the middle

	pend   [2]partial // unfinished line per stream: stdout, stderr
	keys   [2]keyBlock
	latest int // which stream's partial is newer than the last line, or -1
}

// entry is one kept line (or run of identical lines), uncleaned.
type entry struct {
	text   string // the line without its newline, at most storeCap bytes
	seq    int    // number of output lines before it in the stream
	repeat int    // identical consecutive lines it stands for, >= 1
	rawLen int    // bytes of the whole line; more than len(text) when clipped
	stderr bool
	srcCut bool // the client cut the event: the line was longer than rawLen
}

// partial is the unfinished end of a stream: data since its last newline.
type partial struct {
	buf    []byte // kept bytes, at most storeCap
	n      int    // bytes of the line so far (kept or not)
	active bool
	srcCut bool
}

// keyBlock tracks a private key printed line by line on one stream.
type keyBlock struct {
	in    bool
	lines int
}

// New returns a Summarizer bounded by cfg; zero fields take the defaults.
func New(cfg Config) *Summarizer {
	if cfg.MaxChars <= 0 {
		cfg.MaxChars = DefaultMaxChars
	}
	if cfg.MaxLineChars <= 0 {
		cfg.MaxLineChars = DefaultMaxLineChars
	}
	s := &Summarizer{cfg: cfg, latest: -1}
	s.storeCap = 4*cfg.MaxLineChars + 256
	s.regionBytes = max(4*cfg.MaxChars, s.storeCap)
	// Every shown line costs at least one character (its newline).
	s.maxEntries = cfg.MaxChars + 1
	s.tail.limit = s.maxEntries
	s.errLast.limit = errorKeep
	return s
}

// Add consumes one event. Events of unknown types are ignored.
func (s *Summarizer) Add(ev client.Event) {
	switch ev.Type {
	case client.EventStdout:
		s.res.StdoutBytes += int64(len(ev.Data))
		s.output(ev, 0)
	case client.EventStderr:
		s.res.StderrBytes += int64(len(ev.Data))
		s.output(ev, 1)
	case client.EventStarted:
		s.res.Started = true
	case client.EventExit:
		s.res.Exited = true
		if ev.ExitCode != nil {
			code := *ev.ExitCode
			s.res.ExitCode = &code
		}
	case client.EventStopping:
		s.res.Stopping = true
	case client.EventStopped:
		s.res.Stopped = true
		if ev.ExitCode != nil && !s.res.Exited {
			code := *ev.ExitCode
			s.res.ExitCode = &code
		}
	case client.EventError:
		s.addError(ev.Data)
	case client.EventComplete:
		s.res.Complete = true
		s.res.LogFile = ev.LogFiles.Primary()
	}
}

// addError keeps the first error events and the last one.
func (s *Summarizer) addError(data string) {
	s.res.ErrorsSeen++
	text := CleanLine(data, s.cfg.MaxLineChars)
	if len(s.res.Errors) < maxErrorEvents {
		s.res.Errors = append(s.res.Errors, text)
		return
	}
	s.res.Errors[maxErrorEvents-1] = text
}

// output splits an output event into lines, joining a line that came in
// several events. Lines that fill the whole event are kept without a copy.
func (s *Summarizer) output(ev client.Event, stream int) {
	data := ev.Data
	if data == "" {
		return
	}
	p := &s.pend[stream]
	for {
		i := strings.IndexByte(data, '\n')
		if i < 0 {
			break
		}
		line := data[:i]
		data = data[i+1:]
		if p.active {
			s.extend(p, line)
			s.finishPartial(stream)
			continue
		}
		s.addLine(line, stream, len(ev.Data) > len(line)+2, len(line), false)
	}
	if data == "" {
		return
	}
	if ev.Raw || ev.Truncated {
		// A raw event is one whole line; a truncated one lost its end, and
		// with it the newline that ended the line.
		if p.active {
			s.extend(p, data)
			p.srcCut = p.srcCut || ev.Truncated
			s.finishPartial(stream)
			return
		}
		s.addLine(data, stream, len(ev.Data) > len(data)+2, len(data), ev.Truncated)
		return
	}
	s.extend(p, data)
	s.latest = stream
}

// extend appends a fragment to a stream's unfinished line, keeping at most
// storeCap bytes. A fragment that would overflow and holds a carriage
// return starts the line afresh after it: a terminal would have overwritten
// what came before, and progress bars print that way for a long time.
func (s *Summarizer) extend(p *partial, frag string) {
	p.active = true
	if len(p.buf)+len(frag) > s.storeCap {
		if i := lastContentCR(frag); i >= 0 {
			p.buf = p.buf[:0]
			p.n = 0
			frag = frag[i+1:]
		}
	}
	p.n += len(frag)
	if room := s.storeCap - len(p.buf); room > 0 {
		p.buf = append(p.buf, frag[:min(room, len(frag))]...)
	}
}

// finishPartial turns a stream's unfinished line into a line.
func (s *Summarizer) finishPartial(stream int) {
	p := &s.pend[stream]
	s.addLine(string(p.buf), stream, false, p.n, p.srcCut)
	*p = partial{buf: p.buf[:0]}
	if s.latest == stream {
		s.latest = -1
	}
}

// lastContentCR returns the index of the last \r in s that has something
// other than \r after it, or -1.
func lastContentCR(s string) int {
	if strings.IndexByte(s, '\r') < 0 {
		return -1 // the common case, found with a vectorised scan
	}
	end := len(s)
	for end > 0 && s[end-1] == '\r' {
		end--
	}
	return strings.LastIndexByte(s[:end], '\r')
}

// addLine counts one line and keeps it where it belongs: the head until it
// is full, then the tail, whose oldest lines fall into the omitted middle.
// copyText says text shares memory with more than itself and must be copied
// if it is kept.
func (s *Summarizer) addLine(text string, stream int, copyText bool, rawLen int, srcCut bool) {
	seq := s.res.LinesSeen
	s.res.LinesSeen++
	s.latest = -1
	if stream == 0 {
		s.res.StdoutLines++
	} else {
		s.res.StderrLines++
	}
	if s.keys[stream].in || strings.Contains(text, "PRIVATE KEY") {
		if s.keys[stream].step(text) {
			text, copyText, rawLen, srcCut = keyLine, false, len(keyLine), false
		}
	}
	if len(text) > s.storeCap {
		text, rawLen = s.clip(text)
		copyText = true
	}
	stderr := stream == 1
	if last := s.newest(); last != nil && last.stderr == stderr && last.rawLen == rawLen &&
		last.srcCut == srcCut && last.text == text {
		last.repeat++
		return
	}
	if copyText {
		text = strings.Clone(text)
	}
	e := entry{text: text, seq: seq, repeat: 1, rawLen: rawLen, stderr: stderr, srcCut: srcCut}
	if !s.headFull {
		if len(s.head) < s.maxEntries && s.headBytes+entrySize(e) <= s.regionBytes {
			s.head = append(s.head, e)
			s.headBytes += entrySize(e)
			return
		}
		s.headFull = true
	}
	for s.tail.n > 0 && (s.tail.n >= s.maxEntries || s.tail.bytes+entrySize(e) > s.regionBytes) {
		s.middle(s.tail.popFront())
	}
	s.tail.push(e)
}

// step follows a private key block printed line by line and reports
// whether line is inside one (its text must not be shown). Only lines that
// contain "PRIVATE KEY", or come while a block is open, need to be passed.
func (k *keyBlock) step(line string) bool {
	if k.in {
		if strings.Contains(line, "-----END") || k.lines >= keyBlockMaxLines {
			*k = keyBlock{}
			return false
		}
		k.lines++
		return true
	}
	if strings.Contains(line, "-----BEGIN") && !strings.Contains(line, "-----END") {
		*k = keyBlock{in: true}
	}
	return false
}

// clip keeps storeCap bytes of a long line: its start, or for a line of
// carriage-return progress updates, the start of its last update (what a
// terminal would show). It returns the kept text and the length of the
// line that text stands for.
func (s *Summarizer) clip(text string) (string, int) {
	if i := lastContentCR(text); i >= 0 {
		text = text[i+1:]
	}
	rawLen := len(text)
	if len(text) > s.storeCap {
		text = text[:s.storeCap]
	}
	return text, rawLen
}

// newest returns the most recent kept entry, where repeats are collapsed.
func (s *Summarizer) newest() *entry {
	if s.tail.n > 0 {
		return s.tail.back()
	}
	if len(s.head) > 0 {
		return &s.head[len(s.head)-1]
	}
	return nil
}

// middle takes a line that fell out of the tail: it is omitted unless it
// looks like an error and there is room for it.
func (s *Summarizer) middle(e entry) {
	// Error words sit near the start of a line; scanning only its start
	// keeps a stream of long lines cheap.
	if e.text == keyLine || !LooksLikeError(e.text[:min(len(e.text), errorScanBytes)]) {
		return
	}
	if len(s.errFirst) < errorKeep {
		s.errFirst = append(s.errFirst, e)
		return
	}
	if s.errLast.n >= s.errLast.limit {
		s.errLast.popFront()
	}
	s.errLast.push(e)
}

// entrySize is what an entry counts against a region's byte budget; the
// constant stands for the entry itself so that empty lines count too.
func entrySize(e entry) int { return len(e.text) + 16 }

// Latest returns the latest output line, cleaned (for progress notifications).
// An unfinished line (such as a progress bar redrawn with \r) counts when
// it is the newest output. It is "" before any output.
func (s *Summarizer) Latest() string {
	if s.latest >= 0 {
		if s.keys[s.latest].in {
			return keyLine
		}
		p := &s.pend[s.latest]
		return cleanCut(string(p.buf), s.cfg.MaxLineChars, p.n-len(p.buf), p.srcCut)
	}
	if e := s.newest(); e != nil {
		return s.clean(e, s.cfg.MaxLineChars)
	}
	return ""
}

// clean renders an entry's text within maxChars runes.
func (s *Summarizer) clean(e *entry, maxChars int) string {
	return cleanCut(e.text, maxChars, e.rawLen-len(e.text), e.srcCut)
}

// Result finishes the summary; streamErr is the stream's error (nil after a clean end).
// An unfinished last line counts as a line. Result may be called again
// after more events; each call reflects all events so far.
func (s *Summarizer) Result(streamErr error) Result {
	for stream := range s.pend {
		if s.pend[stream].active {
			s.finishPartial(stream)
		}
	}
	r := s.res
	r.Errors = append([]string(nil), s.res.Errors...)
	if streamErr != nil {
		r.StreamErr = CleanLine(streamErr.Error(), s.cfg.MaxLineChars)
	}
	r.Cut = streamErr != nil || !r.Complete
	r.BytesSeen = r.StdoutBytes + r.StderrBytes
	r.maxChars = s.cfg.MaxChars
	s.choose(&r)
	return r
}
