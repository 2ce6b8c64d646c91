package resources

import (
	"context"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/sprites-mcp/sprites-mcp/client"
	"github.com/sprites-mcp/sprites-mcp/internal/config"
	"github.com/sprites-mcp/sprites-mcp/internal/summary"
	"github.com/sprites-mcp/sprites-mcp/internal/textcut"
)

// notesReserve is the part of the budget kept for the notes around the
// lines (omitted count, a cut stream), so they always fit.
const notesReserve = 300

// readLogs returns the last rf.lines lines of a service's log as text,
// cleaned like the tools' output and within the character budget: when the
// lines do not all fit, the newest are kept and the text says how many
// earlier ones were left out. Memory is bounded by the budget, not by the
// log.
func (r *Resources) readLogs(ctx context.Context, rf ref) (string, error) {
	st, err := r.svc.Logs(ctx, rf.sprite, rf.service, client.LogsOptions{Lines: rf.lines})
	if err != nil {
		return "", r.explain(ctx, rf, err)
	}
	defer st.Close()

	t := r.newLogTail(rf)
	for st.Next() {
		t.addEvent(st.Event())
	}
	streamErr := st.Err()

	if t.seen == 0 && streamErr == nil {
		// An empty log is normal for a quiet service, but a runtime that
		// answers an unknown service with an empty log must not make a
		// missing service look like a quiet one.
		if _, gerr := r.svc.Get(ctx, rf.sprite, rf.service); gerr != nil {
			return "", r.explain(ctx, rf, gerr)
		}
		return quietLog(rf), nil
	}
	return t.render(rf, streamErr), nil
}

// quietLog is the text of a log with no output yet.
func quietLog(rf ref) string {
	return fmt.Sprintf("(no log output from %s on %s yet)\n", rf.service, rf.sprite)
}

// newLogTail is the tail of the logs resource for rf: its line count and
// character budget, with the resource's cleaning.
func (r *Resources) newLogTail(rf ref) *tail {
	return newTail(rf.lines, r.maxChars-notesReserve)
}

// addEvent adds the lines of one log event, cleaned (ANSI stripped, cut,
// secrets masked), stderr lines marked; other events are skipped.
func (t *tail) addEvent(ev client.Event) {
	if !ev.Type.IsOutput() {
		return
	}
	prefix := ""
	if ev.Type == client.EventStderr {
		prefix = "[stderr] "
	}
	data := strings.TrimSuffix(ev.Data, "\n")
	for line := range strings.SplitSeq(data, "\n") {
		t.add(prefix + t.cleaners[ev.Type].Clean(line))
	}
}

// tail keeps the newest lines that fit both a line count and a character
// budget, dropping the oldest first (a textcut.Ring counting characters,
// newlines included).
type tail struct {
	maxLines, maxChars int
	ring               *textcut.Ring[string]
	seen               int // lines added
	cleaners           map[client.EventType]*summary.Cleaner
}

func newTail(maxLines, maxChars int) *tail {
	maxChars = max(maxChars, 1)
	size := func(l string) int { return utf8.RuneCountInString(l) + 1 }
	return &tail{maxLines: maxLines, maxChars: maxChars, ring: textcut.NewRing(maxLines, maxChars, size, nil),
		// One cleaner per stream: a private key printed line by line is
		// only recognisable across lines.
		cleaners: map[client.EventType]*summary.Cleaner{
			client.EventStdout: {MaxChars: config.MaxLineChars},
			client.EventStderr: {MaxChars: config.MaxLineChars},
		}}
}

func (t *tail) kept() int { return t.ring.Len() }

func (t *tail) add(line string) {
	t.seen++
	t.ring.Push(line)
	// A single line longer than the whole budget (only possible with a
	// budget under config.MaxLineChars) is cut to fit: the ring keeps the newest
	// line whatever its size.
	if t.ring.Bytes() > t.maxChars {
		t.ring.UpdateNewest(func(l *string) { *l = textcut.Cut(*l, t.maxChars-1, "") })
	}
}

// omitted is how many of the requested lines the budget left out. Lines a
// backend sends beyond the requested count were not asked for, so they do
// not count.
func (t *tail) omitted() int { return min(t.seen, t.maxLines) - t.kept() }

// render writes the kept lines, with notes for what was left out.
func (t *tail) render(rf ref, streamErr error) string {
	var b strings.Builder
	if n := t.omitted(); n > 0 {
		fmt.Fprintf(&b, "… %d earlier lines not shown (%d-character budget); the newest %d follow …\n",
			n, t.maxChars+notesReserve, t.kept())
	}
	for i := range t.ring.Len() {
		b.WriteString(*t.ring.At(i))
		b.WriteByte('\n')
	}
	if streamErr != nil {
		msg := summary.CleanLine(streamErr.Error(), 200)
		fmt.Fprintf(&b, "… log of %s on %s cut short: %s\n", rf.service, rf.sprite, msg)
	}
	return b.String()
}
