package tools

import (
	"context"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"

	"github.com/sprites-mcp/sprites-mcp/client"
	"github.com/sprites-mcp/sprites-mcp/internal/present"
	"github.com/sprites-mcp/sprites-mcp/internal/summary"
	"github.com/sprites-mcp/sprites-mcp/internal/textcut"
	"github.com/sprites-mcp/sprites-mcp/schema"
)

// logScanLines is how far back grep and stream filters look: far enough to
// find an error from the last start, bounded so one call reads at most
// this many lines from the runtime.
const logScanLines = 50000

// keptLineBytes bounds what is kept of one matching line until the result
// is rendered; lines are cut at 500 characters there anyway.
const keptLineBytes = 2048

func serviceLogs(d *deps) server.ServerTool {
	return newTool(d, toolDef[schema.ServiceLogsArgs, schema.LogsResult]{
		name:  "service_logs",
		title: "Read a service's logs",
		description: "Read the latest lines of a service's log (default 100, at most 2000), filtered by grep (a regular expression), stream " +
			"and since (a time, or a duration back from now), optionally following new output for duration. " +
			"Lines are cleaned (ANSI stripped, secrets masked, long lines cut); a long result keeps head, tail and error lines.",
		readOnly: true, destructive: false, idempotent: true,
		fit: func(out *schema.LogsResult, limit int) {
			fitStream(&out.StreamSummary, limit, func() int { return jsonChars(out) })
		},
		handle: func(ctx context.Context, in schema.ServiceLogsArgs) (reply[schema.LogsResult], error) {
			sprite, err := d.sprite(ctx, in.Sprite)
			if err != nil {
				return reply[schema.LogsResult]{}, err
			}
			return d.logs(ctx, sprite, in)
		},
	})
}

// logs reads, filters and summarises a service's log.
func (d *deps) logs(ctx context.Context, sprite string, in schema.ServiceLogsArgs) (reply[schema.LogsResult], error) {
	re := in.Grep.Regexp() // the adapter checked it compiles
	filtered := re != nil || in.Stream != "both"
	// since is applied by the client on the lines' timestamps, within the
	// lines read: the latest Lines of the log when nothing else filters
	// (lines come oldest first, so the last Lines at or after since are
	// among them), else the latest logScanLines.
	// Resolved against the call's clock (the adapter checked it against
	// the wall clock): a refusal is the same argument error.
	since, err := in.Since.From("since", d.now())
	if err != nil {
		return reply[schema.LogsResult]{}, &argError{problems: []string{err.Error()}}
	}
	opts := client.LogsOptions{Lines: int(in.Lines), Follow: in.Duration.D(), Since: since}
	if filtered {
		opts.Lines = logScanLines
	}
	start := time.Now()
	st, err := d.Services.Logs(ctx, sprite, string(in.ServiceName), opts)
	if err != nil {
		return reply[schema.LogsResult]{}, err
	}
	ring := newEventRing(int(in.Lines))
	var (
		scanned, matched int
		logFiles         *client.LogFiles
		latest           string
		// A line longer than the runtime's event size arrives in pieces,
		// all but the last without a newline, per stream. A line is
		// counted once, at its first piece, and stream and grep decide on
		// that piece; later pieces of a kept line are appended to it up to
		// keptLineBytes. A later piece of a line that was not kept is
		// matched on its own, as if it were a line.
		open, keep [2]bool
	)
	p := progressFrom(ctx)
	for st.Next() {
		ev := st.Event()
		if ev.Type == client.EventComplete && ev.LogFiles != nil {
			logFiles = ev.LogFiles
		}
		if !ev.Type.IsOutput() {
			continue
		}
		k := 0
		if ev.Type == client.EventStderr {
			k = 1
		}
		continued := open[k]
		// A piece without its newline continues in the next event, unless
		// its data was cut (its end, newline included, is lost): then the
		// next event starts a line of its own.
		open[k] = !strings.HasSuffix(ev.Data, "\n") && !ev.Truncated
		if continued && keep[k] {
			ring.extend(ev)
			continue
		}
		if !continued {
			scanned++
			keep[k] = false
		}
		if in.Stream != "both" && string(ev.Type) != string(in.Stream) {
			continue
		}
		if re != nil && !re.MatchString(strings.TrimSuffix(summary.StripANSI(ev.Data), "\n")) {
			continue
		}
		matched++
		keep[k] = true
		ring.push(keepBounded(ev))
		latest = ev.Data
		p.tick(func() string { return summary.CleanLine(latest, 200) })
	}
	streamErr := st.Err()
	note := st.Note // e.g. the logs were read from the files (no logs route)
	st.Close()
	followed := time.Since(start)

	kept := ring.events()
	sum := summary.New(d.summaryConfig())
	for _, ev := range kept {
		sum.Add(ev)
	}
	if streamErr == nil {
		// A log stream need not end with complete; a clean end is whole.
		sum.Add(client.Event{Type: client.EventComplete, LogFiles: logFiles})
	}
	res := sum.Result(streamErr)

	out := schema.LogsResult{
		ServiceRef: schema.ServiceRef{Sprite: sprite, ServiceName: string(in.ServiceName)}, Grep: string(in.Grep), Stream: string(in.Stream),
		Matched: matched, Scanned: scanned, StreamSummary: streamSummary(res),
	}
	if !since.IsZero() {
		out.Since = since.UTC().Format(time.RFC3339)
	}
	if in.Duration > 0 {
		out.FollowedSeconds = round1(followed.Seconds())
	}
	head := []string{logsOutcome(sprite, in, out.Since, scanned, matched, len(kept), followed)}
	if res.Cut {
		head = append(head, fmt.Sprintf("stream cut before its end (%s): these are the lines that arrived", clip(orText(res.StreamErr, "no end"), 200)))
	}
	if res.LinesSeen > 0 {
		head = append(head, countsLine(res))
	}
	if note != "" {
		head = append(head, "note: "+clip(note, present.MaxFieldChars))
	}
	text := assemble(head, res.Output(), d.logFooter(sprite, string(in.ServiceName), res.LogFile), d.MaxResultChars)
	return reply[schema.LogsResult]{
		data: out, text: text,
		links: []mcp.Content{d.logsLink(sprite, string(in.ServiceName))},
	}, nil
}

// logsOutcome is the first line of a logs result.
// since is the start of the lines (RFC 3339) when since was given.
func logsOutcome(sprite string, in schema.ServiceLogsArgs, since string, scanned, matched, kept int, followed time.Duration) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s on %s: ", in.ServiceName, sprite)
	what := "log line"
	if in.Stream != "both" {
		what = string(in.Stream) + " line"
	}
	n := matched
	if in.Grep == "" && in.Stream == "both" {
		n = kept
	}
	what += plural(n)
	if since != "" {
		what += " since " + since
	}
	switch {
	case scanned == 0 && since != "":
		b.WriteString("no log lines since " + since)
	case scanned == 0:
		b.WriteString("no log lines yet")
	case in.Grep != "" && matched == 0:
		fmt.Fprintf(&b, "no %s match /%s/ in the latest %d", what, in.Grep, scanned)
	case in.Grep != "":
		fmt.Fprintf(&b, "%d %s matching /%s/ (of %d read)", matched, what, in.Grep, scanned)
		if kept < matched {
			fmt.Fprintf(&b, ", the last %d kept", kept)
		}
	case in.Stream != "both":
		fmt.Fprintf(&b, "%d %s (of %d read)", matched, what, scanned)
		if kept < matched {
			fmt.Fprintf(&b, ", the last %d kept", kept)
		}
	default:
		fmt.Fprintf(&b, "the last %d %s", kept, what)
	}
	if in.Duration > 0 {
		fmt.Fprintf(&b, " — followed %s", shortSpan(followed))
	}
	return b.String()
}

// keepBounded cuts an event's data so that what the ring holds is bounded
// by its size, not by the service's line lengths. A cut line keeps its
// newline so it is not joined to the next one.
func keepBounded(ev client.Event) client.Event {
	if len(ev.Data) <= keptLineBytes {
		return ev
	}
	nl := strings.HasSuffix(ev.Data, "\n")
	cut := keptLineBytes
	for cut > 0 && !utf8RuneStart(ev.Data[cut]) {
		cut--
	}
	ev.Data = strings.Clone(ev.Data[:cut])
	if nl {
		ev.Data += "\n"
	}
	ev.Truncated = true
	return ev
}

func utf8RuneStart(b byte) bool { return b&0xC0 != 0x80 }

// trimPartialRune drops an incomplete rune from the end of s.
func trimPartialRune(s string) string {
	for i := len(s) - 1; i >= 0 && i >= len(s)-utf8.UTFMax; i-- {
		if utf8RuneStart(s[i]) {
			if !utf8.FullRuneInString(s[i:]) {
				return s[:i]
			}
			break
		}
	}
	return s
}

// eventRing keeps the last n events, each bounded by keepBounded, in the
// one ring of the repository (textcut.Ring, counting events and bytes).
type eventRing struct{ *textcut.Ring[client.Event] }

func newEventRing(n int) *eventRing {
	size := func(ev client.Event) int { return len(ev.Data) }
	return &eventRing{textcut.NewRing(n, max(n, 1)*(keptLineBytes+1), size, nil)}
}

func (r *eventRing) push(ev client.Event) { r.Push(ev) }

// extend appends a continuation piece to the newest event of the same
// stream, keeping at most keptLineBytes of it; a piece of another stream
// (interleaved pieces) becomes an event of its own.
func (r *eventRing) extend(ev client.Event) {
	if r.Len() == 0 || r.At(r.Len()-1).Type != ev.Type {
		r.push(keepBounded(ev))
		return
	}
	r.UpdateNewest(func(last *client.Event) {
		nl := strings.HasSuffix(ev.Data, "\n")
		body := strings.TrimSuffix(last.Data, "\n")
		// Once a line has been cut, later pieces are dropped: appending one
		// would join text from after a gap to the kept start.
		if room := keptLineBytes - len(body); room > 0 && !last.Truncated {
			piece := keepBounded(client.Event{Data: ev.Data}).Data
			piece = strings.TrimSuffix(piece, "\n")
			if len(piece) > room {
				// Cut before the rune that piece[room] belongs to, as
				// keepBounded does: stripping continuation bytes from the end
				// of piece[:room] would leave that rune's lead byte.
				cut := room
				for cut > 0 && !utf8RuneStart(piece[cut]) {
					cut--
				}
				piece = piece[:cut]
				last.Truncated = true
			}
			body += piece
		} else {
			last.Truncated = true
		}
		if last.Truncated {
			// Pieces may split a rune between events; a line cut here must
			// not end in the first bytes of one.
			body = trimPartialRune(body)
		}
		if nl {
			body += "\n"
		}
		last.Data = body
	})
}

// events returns the kept events, oldest first.
func (r *eventRing) events() []client.Event { return r.Items() }
