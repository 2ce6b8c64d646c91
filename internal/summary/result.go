package summary

import (
	"strconv"
	"strings"

	"github.com/sprites-mcp/sprites-mcp/internal/textcut"
)

// Result is the digest of one stream.
type Result struct {
	Started    bool     // a started event was seen
	Exited     bool     // an exit event was seen
	ExitCode   *int     // from exit, else from stopped
	Stopping   bool     // a stopping event was seen
	Stopped    bool     // a stopped event was seen
	Errors     []string // data of error events (cleaned, bounded count: the first ones and the last)
	ErrorsSeen int      // error events seen, shown or not
	Complete   bool     // complete event seen
	Cut        bool     // stream ended with an error or without complete
	StreamErr  string   // the stream's error text, when any
	LogFile    string   // from complete's log_files (combined, else stdout, else stderr)
	// Cause is the output line that most likely says why the service
	// failed, cleaned, or "" when no line looks like an error: the message
	// of a crash report (Go panic or fatal error, Python's exception, the
	// exception before Java, Node.js or Ruby frames with Java's innermost
	// "Caused by:", Rust's panic with its message), else a shell's failure,
	// else the last error-looking line, and the runtime's exit notice
	// ("exit status 2") only when nothing else was printed. It is chosen
	// from every line of the stream, shown or not.
	Cause string

	LinesSeen                int   // output lines seen (stdout+stderr)
	BytesSeen                int64 // output bytes seen (stdout+stderr)
	StdoutLines, StderrLines int
	StdoutBytes, StderrBytes int64
	// LinesShown counts the output lines Lines stands for, a collapsed run
	// of repeats counting each of its lines: LinesShown + Omitted == LinesSeen.
	LinesShown   int
	Omitted      int    // output lines not shown
	OmittedAtEnd int    // lines omitted after the last shown line: rendered as a final marker
	Truncated    bool   // some output not shown or some line cut
	Lines        []Line // shown lines in stream order

	maxChars int // the budget Output keeps to; 0 means DefaultMaxChars
}

// Line is one shown line of output.
type Line struct {
	Stream string // "stdout" or "stderr"
	Text   string // cleaned: ANSI stripped, secrets masked, cut at MaxLineChars with "…[cut N chars]"
	// Repeat is >1 when consecutive lines were folded: identical lines
	// rendered "text (×N)", or lines that differ only in numbers, ids,
	// paths or quoted values rendered as their template ("request <n>
	// served") with "(×N, Range)".
	Repeat int
	Range  string // for a folded run that varies: the first and last value of what varied, "1…3000"
	// Also names lone lines of other shapes that came inside a folded run
	// and are counted in its Repeat: ×12 "GET /healthz 200".
	Also          string
	OmittedBefore int // lines omitted just before this one: rendered as "… N lines omitted …"
}

// Output renders Lines as text within Config.MaxChars: "[stderr] " prefix on stderr lines,
// "(×N)" for repeats and "(×N, Range)" for folded runs, "… N lines omitted …" markers where lines were dropped.
// Lines are joined by "\n" with none at the end. Characters are counted as
// runes (Unicode code points), newlines included. A Result whose Lines were
// not chosen by Summarizer.Result (or were changed) is still held to the
// budget: the text is cut and ends with "…".
func (r Result) Output() string {
	budget := r.maxChars
	if budget <= 0 {
		budget = DefaultMaxChars
	}
	var b strings.Builder
	sep := func() {
		if b.Len() > 0 {
			b.WriteByte('\n')
		}
	}
	for _, l := range r.Lines {
		if l.OmittedBefore > 0 {
			sep()
			b.WriteString(omittedMarker(l.OmittedBefore))
		}
		sep()
		if l.Stream == "stderr" {
			b.WriteString(stderrPrefix)
		}
		b.WriteString(l.Text)
		if l.Repeat > 1 {
			b.WriteString(repeatSuffix(l.Repeat, l.Range, l.Also))
		}
	}
	if r.OmittedAtEnd > 0 {
		sep()
		b.WriteString(omittedMarker(r.OmittedAtEnd))
	}
	return textcut.Cut(b.String(), budget, "…")
}

const stderrPrefix = "[stderr] "

func omittedMarker(n int) string {
	if n == 1 {
		return "… 1 line omitted …"
	}
	return "… " + strconv.Itoa(n) + " lines omitted …"
}

func repeatSuffix(n int, rng, also string) string {
	s := " (×" + strconv.Itoa(n)
	if rng != "" {
		s += ", " + rng
	}
	if also != "" {
		s += "; also " + also
	}
	return s + ")"
}

// Why is the one line a failure report gives as its cause, the same for
// every tool, resource and prompt: the stream's Cause, unless that is only
// an exit notice and the runtime reported an error event; else the first
// runtime error; else the last stderr line shown; else stateErr (the
// service state's own error, which the caller passes cleaned).
func (r Result) Why(stateErr string) string {
	if r.Cause != "" && !(IsExitNotice(r.Cause) && len(r.Errors) > 0) {
		return r.Cause
	}
	if len(r.Errors) > 0 {
		return r.Errors[0]
	}
	for i := len(r.Lines) - 1; i >= 0; i-- {
		if r.Lines[i].Stream == "stderr" && strings.TrimSpace(r.Lines[i].Text) != "" {
			return r.Lines[i].Text
		}
	}
	return stateErr
}
