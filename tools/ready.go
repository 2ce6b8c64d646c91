package tools

import (
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/sprites-mcp/sprites-mcp/client"
	"github.com/sprites-mcp/sprites-mcp/internal/config"
	"github.com/sprites-mcp/sprites-mcp/internal/summary"
	"github.com/sprites-mcp/sprites-mcp/schema"
)

// Readiness by output: with a ready pattern, create, start and restart
// watch the start's event stream until an output line matches, and return
// then, instead of sleeping through the whole window. Only the event
// stream is read, so it works on every backend; when the line comes, the
// stream's request is cancelled (Stream.Close) and the service runs on.

// watchWindow is how long a start is watched: the duration given, else
// the default, longer with a ready pattern (a service may take a while to
// say it is up). A ready pattern with duration 0 could never match: it is
// refused as an argument error.
func watchWindow(d *schema.WatchDuration, ready schema.Pattern) (time.Duration, error) {
	switch {
	case d == nil && ready != "":
		return schema.DefaultReadyWatch, nil
	case d == nil:
		return schema.DefaultWatch, nil
	case ready != "" && *d == 0:
		return 0, &argError{problems: []string{fmt.Sprintf("duration 0 leaves no time to wait for ready; omit duration (%s) or give the longest wait", schema.DefaultReadyWatch)}}
	}
	return d.D(), nil
}

// readyWatch follows one stream for its ready line.
type readyWatch struct {
	re *regexp.Regexp
	// armed is false until the new process has started, for a restart
	// whose stream first carries the old process's last words.
	armed bool

	matched bool
	line    string    // the matching line, cleaned
	at      time.Time // when it arrived
}

// newReadyWatch returns nil without a pattern; its methods accept nil.
func newReadyWatch(re *regexp.Regexp, verb string) *readyWatch {
	if re == nil {
		return nil
	}
	return &readyWatch{re: re, armed: verb != "restart"}
}

// see looks at one event and reports whether the watch is over: a line
// matched, or the process exited before one did (the failure is then
// reported at once, not at the end of the window).
func (w *readyWatch) see(ev client.Event) bool {
	if w == nil {
		return false
	}
	switch {
	case ev.Type == client.EventStarted:
		w.armed = true
	case ev.Type == client.EventExit:
		return true
	case ev.Type.IsOutput() && w.armed:
		text := summary.StripANSI(strings.TrimRight(ev.Data, "\r\n"))
		if w.re.MatchString(text) {
			w.matched, w.at = true, time.Now()
			w.line = summary.CleanLine(text, config.MaxLineChars)
			return true
		}
	}
	return false
}

// result is the structured readiness, seconds counted from began.
func (w *readyWatch) result(began time.Time, waited time.Duration) *schema.Readiness {
	if w == nil {
		return nil
	}
	r := &schema.Readiness{Pattern: w.re.String(), Matched: w.matched, Line: w.line}
	if w.matched {
		r.Seconds = round1(w.at.Sub(began).Seconds())
	} else {
		r.Seconds = round1(waited.Seconds())
	}
	return r
}
