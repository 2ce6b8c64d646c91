package summary

import "strings"

// Crash reports are recognised by their shape, one line at a time, so
// that the summariser can keep a whole report together (a block) and name
// the line that says why (the cause):
//
//   - Go: "panic: …" or "fatal error: …", then goroutine dumps: "goroutine
//     N [state]:", function lines, tab-indented file lines, "created by".
//   - Python: "Traceback (most recent call last):", indented frames, then
//     the unindented exception line, which is the cause.
//   - Node.js, Java/JVM, Ruby: an exception line followed by "at" (or Ruby's
//     "from") frames; that line is the cause, and with Java the innermost
//     "Caused by:" replaces it.
//   - Rust: "thread 'main' panicked at file:line:col:" and the message on
//     the next line (older versions: on the same line).
//   - Shells: "command not found", "No such file or directory",
//     "Permission denied", "sh: 1: x: not found".
//
// Anything else that looks like an error (LooksLikeError) starts a block
// of its own and is a weaker cause; the runtime's exit notice ("exit
// status 2", "npm ERR!", "make: ***") is the weakest, so it is never the
// cause when a real one was printed.

// Cause ranks, weakest first. A line of a higher rank, or of the same rank
// and later, replaces the cause.
const (
	rankNone = iota
	rankExitNotice
	rankError
	rankShell
	rankCrash
)

// keyTrail is how many lines after a cause line are kept with it in a
// bounded block: the frames that locate the bug.
const keyTrail = 3

// blockPrefixes continue a block whatever came before them.
var blockPrefixes = [...]string{
	"Caused by:", "goroutine ", "created by ", "During handling of the above exception",
	"The above exception was", "Traceback (most recent call last)", "note: ", "stack backtrace:",
	"Node.js v", "Suppressed:", "[signal ", "Process finished", "Exception in thread ",
}

// tracker follows one stream (stdout or stderr) through crash reports.
type tracker struct {
	in       bool   // inside a block
	id       int32  // the block's id when in
	prev     string // the previous line
	prevInd  bool   // it was indented
	prevHead bool   // it was an unindented, non-blank line that a frame may follow
	colon    bool   // it ended with ':' (a header whose body follows)
	blanks   int    // blank lines in a row inside the block
	pyTB     bool   // in a Python traceback, before its exception line
	rust     bool   // the previous line was a Rust panic header whose message follows
	trail    int    // lines of the block still to be marked key after a cause
	lastSeq  int    // the stream position of the previous line
}

// maxInterleave is how many lines of the other stream may come between
// two lines of one block: a crash report is written in one go, so more
// means the next error is another report.
const maxInterleave = 3

// lineClass is what the tracker learned about one line.
type lineClass struct {
	blk   int32  // block id, 0 when the line is in no block
	key   bool   // a cause line or one of the frames just after it
	rank  int    // as a cause, rankNone if it is not one
	cause string // the cause's text when it is not the line itself (Rust)
}

// step classifies the next line of the stream; lastID is the last block
// id given out, shared by the streams.
func (t *tracker) step(line string, seq int, lastID *int32) lineClass {
	var c lineClass
	ind := len(line) > 0 && (line[0] == ' ' || line[0] == '\t')
	blank := isBlank(line)
	err := !blank && LooksLikeError(line[:min(len(line), errorScanBytes)])
	frame := ind && isFrame(line)

	if t.in && seq-t.lastSeq > maxInterleave+1 {
		t.in, t.pyTB, t.trail, t.rust = false, false, 0, false
	}
	t.lastSeq = seq
	if t.in {
		cont := ind || blank && t.blanks == 0 || t.colon || err || t.pyTB && !blank || t.rust ||
			hasBlockPrefix(line) || t.prevInd && isGoFuncLine(line)
		if !cont {
			t.in, t.pyTB, t.trail = false, false, 0
		}
	}
	if !t.in && err {
		*lastID++
		*t = tracker{in: true, id: *lastID, prev: t.prev, prevInd: t.prevInd, lastSeq: seq}
	}

	// The cause rank of the line.
	switch {
	case t.rust && !blank:
		c.rank, c.cause = rankCrash, t.prev+" "+strings.TrimSpace(line)
	case t.pyTB && !ind && !blank && t.prevInd:
		c.rank, t.pyTB = rankCrash, false
	case frame && t.prevHead:
		// "    at …" or "\tfrom …" right after an exception line: that line.
		c.rank, c.cause = rankCrash, t.prev
	case err && !ind:
		c.rank = errorRank(line)
	}
	if err && strings.HasPrefix(line, "Traceback (most recent call last)") {
		t.pyTB = true
	}
	t.rust = err && !ind && strings.Contains(line, "panicked at") && strings.HasSuffix(strings.TrimSpace(line), ":")

	if t.in {
		c.blk = t.id
		switch {
		case c.rank >= rankShell:
			c.key, t.trail = true, keyTrail
		case t.trail > 0:
			c.key = true
			t.trail--
		case ind && !blank && !isLibraryFrame(line):
			c.key = true // a frame of the service's own code
		}
		if blank {
			t.blanks++
		} else {
			t.blanks = 0
		}
	}
	t.prev, t.prevInd = line, ind
	t.prevHead = !ind && !blank && t.in
	t.colon = !blank && strings.HasSuffix(line, ":")
	return c
}

// errorRank ranks an unindented error-looking line as a cause.
func errorRank(line string) int {
	switch {
	case strings.HasPrefix(line, "panic: ") || strings.HasPrefix(line, "fatal error: ") ||
		strings.HasPrefix(line, "Caused by: ") || strings.HasPrefix(line, "Uncaught ") ||
		strings.Contains(line, "panicked at") || strings.Contains(line, "Exception in thread "):
		return rankCrash
	case strings.Contains(line, "command not found") || strings.Contains(line, "No such file or directory") ||
		strings.Contains(line, "Permission denied") || strings.Contains(line, ": not found"):
		return rankShell
	case IsExitNotice(line):
		return rankExitNotice
	}
	return rankError
}

// IsExitNotice reports a line that says a process ended badly without
// saying why: what a runtime or a wrapper prints after the real cause
// ("exit status 2", "npm ERR!", "make: ***", "exited with code 1",
// "[sprites-mcp: …]"). A Result.Cause that is one is the weakest kind: a
// runtime error event, when there is one, says more.
func IsExitNotice(line string) bool {
	return strings.HasPrefix(line, "exit status ") || strings.HasPrefix(line, "npm ERR!") ||
		strings.HasPrefix(line, "make: ***") || strings.HasPrefix(line, "[sprites-mcp:") ||
		strings.Contains(line, "exited with code") || strings.Contains(line, "exit code") ||
		strings.Contains(line, "ELIFECYCLE")
}

// libraryMarks name the code of runtimes, standard libraries and
// frameworks in stack frames; a frame with none is the service's own.
var libraryMarks = [...]string{
	"/usr/local/go/", "/go/src/", "runtime.", "net/http.", "internal/poll.", // Go
	"site-packages", "/lib/python", "<frozen", // Python
	"node_modules", "node:", // Node.js
	"java.base/", "at java.", "at javax.", "at jdk.", "at sun.", "org.springframework.", "org.apache.", // JVM
	"/rustc/", "core::", "std::", "rust_begin_unwind", // Rust
	"/gems/", "/ruby/", // Ruby
	"^^^", // Python's marks under the failing expression
}

// isLibraryFrame reports an indented line of a stack that is not the
// service's own code.
func isLibraryFrame(line string) bool {
	for _, m := range libraryMarks {
		if strings.Contains(line, m) {
			return true
		}
	}
	return false
}

// isFrame reports a stack frame of Java, Node.js or Ruby.
func isFrame(line string) bool {
	l := strings.TrimLeft(line, " \t")
	return strings.HasPrefix(l, "at ") || strings.HasPrefix(l, "from ")
}

// isGoFuncLine reports a function line of a Go stack: "main.main()",
// "net/http.(*conn).serve(0xc0000b2000, {…})". It follows a file line.
func isGoFuncLine(line string) bool {
	if line == "" || !(isWord(line[0]) && line[0] < 0x80) || !strings.HasSuffix(line, ")") {
		return false
	}
	open := strings.IndexByte(line, '(')
	return open > 0 && strings.IndexByte(line[:open], ' ') < 0 && strings.IndexByte(line[:open], '.') > 0
}

func hasBlockPrefix(line string) bool {
	if line == "" {
		return false
	}
	for _, p := range blockPrefixes {
		if p[0] == line[0] && strings.HasPrefix(line, p) {
			return true
		}
	}
	return false
}

func isBlank(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] != ' ' && s[i] != '\t' && s[i] != '\r' {
			return false
		}
	}
	return true
}
