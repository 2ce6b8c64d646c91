package tools

import (
	"context"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/sprites-mcp/sprites-mcp/client"
	"github.com/sprites-mcp/sprites-mcp/internal/config"
	"github.com/sprites-mcp/sprites-mcp/internal/present"
	"github.com/sprites-mcp/sprites-mcp/internal/summary"
	"github.com/sprites-mcp/sprites-mcp/schema"
)

// textReserve is what a stream result keeps, out of MaxResultChars, for the
// lines around the output: outcome, cause, counts, errors, log path.
func (d *deps) textReserve() int { return min(2000, max(d.MaxResultChars/4, 600)) }

// summaryConfig sizes the summariser so its output plus the surrounding
// lines fit in one result.
func (d *deps) summaryConfig() summary.Config {
	return summary.Config{MaxChars: d.MaxResultChars - d.textReserve(), MaxLineChars: config.MaxLineChars}
}

// maxActionOutputChars bounds the output part of an action's result
// (create, start, stop, restart). The outcome is what an agent acts on;
// a start-up that printed 500 lines needs its first and last lines and its
// errors, not all 500 — service_logs is there for the rest.
const maxActionOutputChars = 3000

// watch consumes a stream into a bounded summary, sending throttled
// progress with the latest output line while it runs. It always closes the
// stream. The summary covers what arrived even when the stream was cut.
// With a ready watch it stops early, when ready says the watch is over:
// closing the stream cancels its request, and the summary is whole.
func (d *deps) watch(ctx context.Context, st *client.Stream, ready *readyWatch) (summary.Result, time.Duration) {
	start := time.Now()
	cfg := d.summaryConfig()
	cfg.MaxChars = min(cfg.MaxChars, maxActionOutputChars)
	sum := summary.New(cfg)
	p := progressFrom(ctx)
	early := false
	for st.Next() {
		ev := st.Event()
		sum.Add(ev)
		if ev.Type.IsOutput() {
			p.tick(sum.Latest)
		}
		if ready.see(ev) {
			early = true
			break
		}
	}
	err := st.Err()
	st.Close()
	if early && err == nil && !st.Complete() {
		// Ended by us, not cut: nothing that arrived is missing.
		sum.Add(client.Event{Type: client.EventComplete})
	}
	return sum.Result(err), time.Since(start)
}

// streamSummary is the structured form of a summary.
func streamSummary(r summary.Result) schema.StreamSummary {
	out := schema.StreamSummary{
		LinesSeen:   r.LinesSeen,
		BytesSeen:   r.BytesSeen,
		StdoutLines: r.StdoutLines,
		StderrLines: r.StderrLines,
		LinesShown:  r.LinesShown,
		Truncated:   r.Truncated,
		Cut:         r.Cut,
		StreamError: clip(r.StreamErr, present.MaxFieldChars),
		LogFile:     clip(r.LogFile, present.MaxFieldChars),
		Lines:       make([]schema.OutputLine, 0, len(r.Lines)),
	}
	for _, l := range r.Lines {
		ol := schema.OutputLine{Stream: l.Stream, Text: l.Text, Range: l.Range, Also: l.Also, OmittedBefore: l.OmittedBefore}
		if ol.Stream != "stderr" {
			ol.Stream = "stdout"
		}
		if l.Repeat > 1 {
			ol.Repeat = l.Repeat
		}
		out.Lines = append(out.Lines, ol)
	}
	return out
}

// countsLine says how much output there was and how much is shown:
// "output: 12 lines, 3.1 KB (stdout 10, stderr 2); all shown".
func countsLine(r summary.Result) string {
	if r.LinesSeen == 0 {
		return "output: none"
	}
	shown := "all shown"
	if r.Truncated || r.LinesShown < r.LinesSeen {
		shown = fmt.Sprintf("%d shown", r.LinesShown)
		if r.Omitted > 0 {
			shown += fmt.Sprintf(", %d omitted", r.Omitted)
		}
	}
	return fmt.Sprintf("output: %d line%s, %s (stdout %d, stderr %d); %s",
		r.LinesSeen, plural(r.LinesSeen), sizeText(r.BytesSeen), r.StdoutLines, r.StderrLines, shown)
}

// assemble joins the parts of a stream result. The output block is the
// part that gives way: if the whole would pass limit, the output is cut so
// the outcome (head) and the log path (foot) always survive.
func assemble(head []string, output string, foot []string, limit int) string {
	h := strings.Join(head, "\n")
	f := strings.Join(foot, "\n")
	fixed := utf8.RuneCountInString(h) + utf8.RuneCountInString(f) + 2
	if output != "" {
		output = squeezeMiddle(output, limit-fixed-1)
	}
	parts := []string{h}
	if output != "" {
		parts = append(parts, output)
	}
	if f != "" {
		parts = append(parts, f)
	}
	return strings.Join(parts, "\n")
}

// fitStream shrinks a stream summary's lines until size(), the JSON size of
// the whole result, is at most limit: it drops lines from the middle
// outwards (head and tail stay, as in the text) and records them in the
// next kept line's omitted_before. Each round re-encodes the result once
// (size()) and drops lines by their own measured cost; at most 8 rounds,
// so the work is bounded by 8 encodings of the result.
func fitStream(s *schema.StreamSummary, limit int, size func() int) {
	for round := 0; round < 8 && len(s.Lines) > 0; round++ {
		over := size() - limit
		if over <= 0 {
			return
		}
		over += 32 // the omitted_before key the neighbour gains
		for over > 0 && len(s.Lines) > 0 {
			mid := len(s.Lines) / 2
			dropped := s.Lines[mid]
			over -= jsonChars(dropped) + 1
			n := max(dropped.Repeat, 1) + dropped.OmittedBefore
			s.Lines = append(s.Lines[:mid], s.Lines[mid+1:]...)
			if mid < len(s.Lines) {
				s.Lines[mid].OmittedBefore += n
			}
		}
		s.LinesShown = len(s.Lines)
		s.Truncated = true
	}
}

// squeezeMiddle fits rendered output lines into room characters by dropping
// whole lines from the middle (head and tail carry the most meaning: how it
// started, how it ended) and marking the gap.
func squeezeMiddle(output string, room int) string {
	if utf8.RuneCountInString(output) <= room {
		return output
	}
	lines := strings.Split(output, "\n")
	size := make([]int, len(lines))
	total := 0
	for i, l := range lines {
		size[i] = utf8.RuneCountInString(l) + 1
		total += size[i]
	}
	lo, hi := len(lines)/2, len(lines)/2 // lines[lo:hi] are dropped
	marker := func() string { return fmt.Sprintf("… %d more lines omitted to fit the result …", hi-lo) }
	for total+utf8.RuneCountInString(marker())+1 > room && (lo > 0 || hi < len(lines)) {
		// Drop alternately after and before the gap, tail side first.
		if hi < len(lines) && (hi-lo)%2 == 0 || lo == 0 {
			total -= size[hi]
			hi++
		} else {
			lo--
			total -= size[lo]
		}
	}
	kept := append(append(append([]string{}, lines[:lo]...), marker()), lines[hi:]...)
	return cutText(strings.Join(kept, "\n"), max(room, 0))
}
