// Package summary turns one event stream of the Services API into a bounded
// digest an agent can act on: whether the service started, exited or
// stopped, the line that most likely says why it failed (Result.Cause),
// whole error blocks (a traceback, a panic with its goroutines) bounded to
// their first, key and last lines, the head and tail of its output with
// runs of same-shaped lines folded to one template line, all in the order
// it happened, within a character budget, and how much was left out. The
// same rules serve every stream tool, the logs tool and the logs resource.
//
// Memory is bounded by the Config, never by the stream: a 10 GB stream
// costs what a 10 KB one does. Add is the hot path and does no cleaning;
// lines are cleaned (ANSI stripped, secrets masked, cut) only when they are
// rendered, so a line that is never shown costs two passes over its bytes
// (its template hash and its crash class).
package summary

import (
	"strings"

	"github.com/sprites-mcp/sprites-mcp/client"
	"github.com/sprites-mcp/sprites-mcp/internal/config"
	"github.com/sprites-mcp/sprites-mcp/internal/textcut"
)

// Defaults for a zero Config.
const (
	DefaultMaxChars     = 6000
	DefaultMaxLineChars = config.MaxLineChars
)

const (
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
// raw text each for the kept head and tail (a folded run counts its first
// and newest line), their line records (under 100 bytes per unit of
// MaxChars in all), and at most 200 lines of at most 4×MaxLineChars+256
// bytes: 9 error blocks of the omitted middle of 22 lines each
// (blocks.go), and two unfinished lines. For the defaults that is under 1 MiB in the worst
// case; 100–200 KiB is typical (measured in TestMillionLines and the
// benchmarks).
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
	tail      *textcut.Ring[entry]
	mid       blockKeeper // error blocks of the omitted middle

	track   [2]tracker // crash reports per stream: stdout, stderr
	lastBlk int32      // the last block id given out

	spare [][]byte // buffers of runs that left the tail, for new runs' newest line

	cause     string // the best cause so far, uncleaned
	causeRank int
	causeBlk  int32 // its block, 0 for none

	pend   [2]partial // unfinished line per stream: stdout, stderr
	keys   [2]keyBlock
	latest int // which stream's partial is newer than the last line, or -1
}

// entry is one kept line, or a run of consecutive lines of one stream with
// one template (see template.go), uncleaned.
type entry struct {
	text    string // the (first) line without its newline, at most storeCap bytes
	last    []byte // the run's newest line, when the run varies
	seq     int    // number of output lines before it in the stream
	repeat  int    // consecutive lines it stands for, >= 1
	rawLen  int    // bytes of the whole line; more than len(text) when clipped
	lastRaw int    // rawLen of last
	tmpl    uint64 // templateHash(text)
	blk     int32  // the error block it belongs to, 0 for none
	stderr  bool
	srcCut  bool // the client cut the event: the line was longer than rawLen
	key     bool // a cause line of its block or a frame just after one
	varied  bool // the run's lines are not all identical: show its template
	// minor are lines of other shapes that came alone inside the run (a
	// health check among request logs): counted in repeat, shown after it.
	minor [maxMinor]minorLine
}

// minorLine is one shape of lines that interrupted a run, one at a time.
type minorLine struct {
	text   string // its first line
	tmpl   uint64
	count  int
	varied bool
}

const (
	// maxMinor is how many shapes of lone lines a run may absorb, and
	// maxLone how many in a row.
	maxMinor = 3
	maxLone  = 2
	// minRun is how long a run must be before it absorbs lone lines: a
	// short one is not noise yet.
	minRun = 4
	// minFold is the shortest run of varying lines that is folded.
	minFold = 6
)

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
	s.tail = textcut.NewRing(s.maxEntries, s.regionBytes, entrySize, s.middle)
	s.mid = blockKeeper{maxFirst: firstBlocks, maxLast: lastBlocks}
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

// addLine counts one line, follows crash reports through it, and keeps it
// where it belongs: folded into the newest entry when it has the same
// shape, else in the head until it is full, then the tail, whose oldest
// entries fall into the omitted middle. copyText says text shares memory
// with more than itself and must be copied if it is kept.
func (s *Summarizer) addLine(text string, stream int, copyText bool, rawLen int, srcCut bool) {
	seq := s.res.LinesSeen
	s.res.LinesSeen++
	s.latest = -1
	if stream == 0 {
		s.res.StdoutLines++
	} else {
		s.res.StderrLines++
	}
	masked := false
	if s.keys[stream].in || strings.Contains(text, "PRIVATE KEY") {
		if s.keys[stream].step(text) {
			text, copyText, rawLen, srcCut, masked = keyLine, false, len(keyLine), false, true
		}
	}
	if len(text) > s.storeCap {
		text, rawLen = s.clip(text)
		copyText = true
	}
	var cl lineClass
	if !masked {
		cl = s.track[stream].step(text, seq, &s.lastBlk)
	}
	if cl.rank > rankNone && cl.rank >= s.causeRank {
		c := cl.cause
		if c == "" {
			c = text
			if copyText {
				c = strings.Clone(text)
			}
		}
		s.cause, s.causeRank, s.causeBlk = c, cl.rank, cl.blk
	}
	h := templateHash(text)
	stderr := stream == 1
	// Inside an error block, indented lines (stack frames) fold only when
	// identical: they differ in paths and line numbers, which are what
	// locates the bug.
	if last := s.newest(); last != nil && last.tmpl == h && last.stderr == stderr && last.srcCut == srcCut &&
		last.blk == cl.blk && !cl.key && !last.key {
		same := !last.varied && last.rawLen == rawLen && last.text == text
		if same || (cl.blk == 0 || !indented(text)) && (last.repeat > 1 || s.collapseRun(h)) {
			s.fold(text, rawLen)
			return
		}
	}
	if cl.blk == 0 && s.absorbLone(h, stderr) {
		s.fold(text, rawLen)
		return
	}
	if copyText {
		text = strings.Clone(text)
	}
	e := entry{text: text, seq: seq, repeat: 1, rawLen: rawLen, tmpl: h, blk: cl.blk, stderr: stderr, srcCut: srcCut, key: cl.key}
	if !s.headFull {
		if len(s.head) < s.maxEntries && s.headBytes+entrySize(e) <= s.regionBytes {
			s.head = append(s.head, e)
			s.headBytes += entrySize(e)
			return
		}
		s.headFull = true
	}
	s.tail.Push(e)
}

// collapseRun folds the newest entries into one run when this line of
// template h would make them minFold lines of one shape in a row: shorter
// runs stay lines, since folding them saves little and hides their values
// (a follow of the last 5 lines shows 5 lines). It reports whether the
// newest entry is now that run.
func (s *Summarizer) collapseRun(h uint64) bool {
	n := s.tail.Len() + len(s.head)
	newest := s.entryAt(n - 1)
	k := 0
	for k < minFold-1 && k < n {
		e := s.entryAt(n - 1 - k)
		if e.tmpl != h || e.repeat != 1 || e.stderr != newest.stderr || e.srcCut != newest.srcCut ||
			e.blk != newest.blk || e.key {
			break
		}
		k++
	}
	if k < minFold-1 {
		return false
	}
	last := newest.text
	lastRaw := newest.rawLen
	for i := 0; i < k-1; i++ {
		s.popNewest()
	}
	run := s.entryAt(n - k)
	grow := func(e *entry) {
		e.repeat = k
		e.varied = true
		e.last = append(e.last[:0], last...)
		e.lastRaw = lastRaw
	}
	if s.tail.Len() > 0 {
		s.tail.UpdateNewest(grow)
	} else {
		s.headBytes -= entrySize(*run)
		grow(run)
		s.headBytes += entrySize(*run)
	}
	return true
}

// popNewest removes the newest kept entry.
func (s *Summarizer) popNewest() {
	if s.tail.Len() > 0 {
		s.tail.PopNewest()
		return
	}
	s.headBytes -= entrySize(s.head[len(s.head)-1])
	s.head = s.head[:len(s.head)-1]
}

// absorbLone handles a run interrupted by lone lines of other shapes (A A
// A B A, A A C B A): when the line after them has the run's shape, they
// are counted in the run as minor lines and the run goes on, so that a
// health check every 250 request lines does not cut 3000 of them into
// twelve runs. It reports whether the newest entry is the run again.
func (s *Summarizer) absorbLone(h uint64, stderr bool) bool {
	n := s.tail.Len() + len(s.head)
	for lones := 1; lones <= maxLone && lones < n; lones++ {
		run := s.entryAt(n - 1 - lones)
		if run.tmpl != h || run.stderr != stderr || run.blk != 0 || run.key || run.repeat < minRun {
			continue
		}
		var slots [maxLone]int
		for k := 0; k < lones; k++ {
			lone := s.entryAt(n - lones + k)
			slots[k] = minorSlot(run, lone.tmpl)
			if lone.repeat != 1 || lone.blk != 0 || lone.key || lone.srcCut != run.srcCut ||
				lone.stderr != stderr || slots[k] < 0 {
				return false
			}
		}
		runInHead, before := n-1-lones < len(s.head), entrySize(*run)
		for k := 0; k < lones; k++ {
			lone := s.entryAt(n - lones + k)
			m := &run.minor[slots[k]]
			if m.count == 0 {
				m.text, m.tmpl = lone.text, lone.tmpl
			} else if m.text != lone.text {
				m.varied = true
			}
			m.count++
			run.repeat++
		}
		for k := 0; k < lones; k++ {
			s.popNewest()
		}
		if runInHead {
			s.headBytes += entrySize(*run) - before
		} else {
			s.tail.UpdateNewest(func(*entry) {}) // count the run's size again
		}
		return true
	}
	return false
}

// minorSlot returns the minor slot of run for lines of template tmpl: the
// one that has it, else a free one, else -1. Two lone lines of one shape
// between the same run's lines share a slot, so the slot is found again.
func minorSlot(run *entry, tmpl uint64) int {
	free := -1
	for i := range run.minor {
		if m := &run.minor[i]; m.count > 0 && m.tmpl == tmpl {
			return i
		} else if m.count == 0 && free < 0 {
			free = i
		}
	}
	return free
}

// entryAt returns the i-th kept entry of the head then the tail.
func (s *Summarizer) entryAt(i int) *entry {
	if i < len(s.head) {
		return &s.head[i]
	}
	return s.tail.At(i - len(s.head))
}

func indented(s string) bool { return s != "" && (s[0] == ' ' || s[0] == '\t') }

// fold adds a line to the newest entry, a run of its shape.
func (s *Summarizer) fold(text string, rawLen int) {
	grow := func(e *entry) {
		e.repeat++
		if e.varied || rawLen != e.rawLen || text != e.text {
			e.varied = true
			if e.last == nil && len(s.spare) > 0 {
				e.last = s.spare[len(s.spare)-1]
				s.spare = s.spare[:len(s.spare)-1]
			}
			e.last = append(e.last[:0], text...)
			e.lastRaw = rawLen
		}
	}
	if s.tail.Len() > 0 {
		s.tail.UpdateNewest(grow)
		return
	}
	e := &s.head[len(s.head)-1]
	s.headBytes -= entrySize(*e)
	grow(e)
	s.headBytes += entrySize(*e)
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

// newest returns the most recent kept entry, where runs are folded.
func (s *Summarizer) newest() *entry {
	if n := s.tail.Len(); n > 0 {
		return s.tail.At(n - 1)
	}
	if len(s.head) > 0 {
		return &s.head[len(s.head)-1]
	}
	return nil
}

// middle takes an entry that fell out of the tail: it is omitted unless it
// belongs to an error block, which is kept bounded.
// The buffer of a run that is not kept is reused, so that a stream of
// short runs does not allocate one per run.
func (s *Summarizer) middle(e entry) {
	if e.blk != 0 {
		s.mid.add(cand{e: e, idx: -1})
	} else if e.last != nil && len(s.spare) < maxSpare {
		s.spare = append(s.spare, e.last[:0])
	}
}

// maxSpare bounds the reusable run buffers.
const maxSpare = 8

// entrySize is what an entry counts against a region's byte budget; the
// constant stands for the entry itself so that empty lines count too.
func entrySize(e entry) int {
	n := len(e.text) + cap(e.last) + 48
	for _, m := range e.minor {
		n += len(m.text)
	}
	return n
}

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
		if e.varied {
			return cleanCut(string(e.last), s.cfg.MaxLineChars, e.lastRaw-len(e.last), e.srcCut)
		}
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
	if s.cause != "" {
		r.Cause = CleanLine(s.cause, s.cfg.MaxLineChars)
	}
	r.maxChars = s.cfg.MaxChars
	s.choose(&r)
	return r
}
