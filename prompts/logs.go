package prompts

import (
	"context"
	"strings"

	"github.com/sprites-mcp/sprites-mcp/client"
	"github.com/sprites-mcp/sprites-mcp/internal/config"
	"github.com/sprites-mcp/sprites-mcp/internal/summary"
)

// digestLines is how far back in a service's log a prompt looks for the
// line that says why: as far as the tools look when a live stream lost it.
const digestLines = 5000

// maxStderrShown bounds the stderr lines a prompt quotes.
const maxStderrShown = 10

// digest is what a prompt quotes of a service's log.
type digest struct {
	cause   string   // the line that says why, "" when none stands out
	stderr  []string // the last stderr lines, cleaned, oldest first
	seen    int      // output lines read
	stderrN int      // stderr lines among them
	err     error    // the log could not be read, or was cut
}

// readDigest reads the end of a service's log once, through a bounded
// summary (memory follows its budget, not the log), and picks the cause
// with the rule of the tools: the last error-looking line, else the
// runtime's error events, else the last stderr line, else the state's
// error. stateErr is the state's error.
func (p *Prompts) readDigest(ctx context.Context, sprite, service, stateErr string, budget int) digest {
	var d digest
	st, err := p.svc.Logs(ctx, sprite, service, client.LogsOptions{Lines: digestLines})
	if err != nil {
		d.err = err
		d.cause = stateErr
		return d
	}
	defer st.Close()
	sum := summary.New(summary.Config{MaxChars: max(budget, 1000), MaxLineChars: config.MaxLineChars})
	cleaner := summary.Cleaner{MaxChars: config.MaxLineChars}
	ring := make([]string, 0, maxStderrShown)
	for st.Next() {
		ev := st.Event()
		// The runtime's own markers ("[sprites-mcp: …]") are not the
		// service's words.
		if ev.Type.IsOutput() && strings.HasPrefix(ev.Data, "[sprites-mcp:") {
			continue
		}
		sum.Add(ev)
		if ev.Type != client.EventStderr {
			continue
		}
		for line := range strings.SplitSeq(strings.TrimSuffix(ev.Data, "\n"), "\n") {
			if strings.TrimSpace(line) == "" {
				continue
			}
			if len(ring) == maxStderrShown {
				ring = append(ring[:0], ring[1:]...)
			}
			ring = append(ring, cleaner.Clean(line))
		}
	}
	d.err = st.Err()
	r := sum.Result(d.err)
	d.seen, d.stderrN, d.stderr = r.LinesSeen, r.StderrLines, ring
	d.cause = r.Why(summary.CleanLine(stateErr, config.MaxLineChars))
	return d
}
