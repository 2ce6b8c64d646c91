package tools

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/mark3labs/mcp-go/mcp"

	"github.com/sprites-mcp/sprites-mcp/client"
	"github.com/sprites-mcp/sprites-mcp/internal/config"
	"github.com/sprites-mcp/sprites-mcp/internal/present"
	"github.com/sprites-mcp/sprites-mcp/internal/summary"
	"github.com/sprites-mcp/sprites-mcp/schema"
)

// action is one lifecycle call whose answer is an event stream: create,
// start, restart (which want the service running) or stop (which wants it
// stopped).
type action struct {
	verb    string // create, start, restart, stop
	sprite  string
	service string
	window  time.Duration // the requested duration (or stop timeout)
	// ready, when set, ends the watch at the first output line it
	// matches (create, start, restart).
	ready *regexp.Regexp
	open  func(ctx context.Context) (*client.Stream, error)
}

func (a action) wantsRunning() bool { return a.verb != "stop" }

// run performs the action and summarises it: outcome line first, then the
// cause of a failure, counts, output, log path; the final state is read
// with Get after the stream ends. A missed outcome is a failed reply (full
// summary, isError); an outcome that already held is a plain success.
func (d *deps) run(ctx context.Context, a action) (reply[schema.ActionResult], error) {
	began := time.Now()
	if a.verb == "start" && a.ready != nil {
		// A runtime may answer the start of a running service with a
		// stream that only ends with the window (30s with ready); its
		// ready line came before this call. Ask first.
		if r, ok := d.alreadyHolds(ctx, a, nil); ok {
			r.text += "\nready: not checked, it was already running (its start-up lines are in service_logs)"
			return r, nil
		}
	}
	st, err := a.open(ctx)
	if err != nil {
		if client.IsConflict(err) {
			if r, ok := d.alreadyHolds(ctx, a, err); ok {
				return r, nil
			}
		}
		return reply[schema.ActionResult]{}, err
	}
	note := st.Note
	var answered *client.Service // a runtime that answered JSON instead of a stream
	if st.Service != nil {
		answered = st.Service
	}
	rw := newReadyWatch(a.ready, a.verb)
	sum, watched := d.watch(ctx, st, rw)
	// The caller's wait counts from its call: a start the runtime answers
	// slowly (a busy machine) leaves less of the window to the stream.
	waited := time.Since(began)

	out := schema.ActionResult{
		ServiceRef: schema.ServiceRef{Sprite: a.sprite, ServiceName: a.service}, Action: a.verb,
		WatchedSeconds: round1(watched.Seconds()),
		Note:           clip(note, present.MaxFieldChars),
		StreamSummary:  streamSummary(sum),
		ExitCode:       sum.ExitCode,
		Status:         "unknown",
	}
	for _, e := range sum.Errors {
		out.Errors = append(out.Errors, clip(e, present.MaxFieldChars))
	}

	svc, getErr := d.Services.Get(ctx, a.sprite, a.service)
	if getErr != nil && answered != nil {
		svc, getErr = answered, nil
	}
	var state schema.ServiceState
	if getErr == nil {
		state = stateOf(*svc, d.now())
		out.Service = &state
		out.Status, out.PID, out.RestartCount = state.Status, state.PID, state.RestartCount
	}

	out.Reached, out.Outcome = d.judge(a, sum, state, getErr == nil)
	if out.Ready = rw.result(began, waited); out.Ready != nil {
		switch {
		case out.Ready.Matched:
			out.Reached, out.Outcome = true, "ready"
		case out.Reached && out.Outcome != "already running":
			// Running, but it never said so: the caller asked for more.
			out.Reached, out.Outcome = false, "not ready"
		}
	}
	if !out.Reached {
		c := sum.Why(state.Error)
		if !summary.LooksLikeError(c) || c == state.Error || summary.IsExitNotice(c) {
			// The live stream may have lost the telling line (a runtime
			// drops events for a slow reader); the log file has them all.
			if lc := d.causeFromLog(ctx, a.sprite, a.service, began); lc != "" {
				c = lc
			}
		}
		if out.Outcome != "not ready" || summary.LooksLikeError(c) {
			// A service that is merely not ready yet has no cause to
			// name unless a line looks like one.
			out.Cause = clip(c, config.MaxLineChars)
		}
	}

	head := []string{outcomeLine(a, out, sum, watched)}
	switch r := out.Ready; {
	case r != nil && r.Matched:
		head = append(head, "line: "+r.Line)
	case r != nil && !out.Reached && out.Outcome != "not ready":
		// It failed some other way (died first): say the line never came.
		head = append(head, fmt.Sprintf("ready: no output line matched /%s/ before that", r.Pattern))
	}
	if out.Cause != "" {
		head = append(head, "cause: "+out.Cause)
	}
	for _, e := range out.Errors {
		if e != out.Cause {
			head = append(head, "runtime error: "+e)
		}
	}
	if getErr != nil {
		head = append(head, fmt.Sprintf("state: could not be read after the stream (%s); call service_get", clip(getErr.Error(), 200)))
	}
	if out.Note != "" {
		head = append(head, "note: "+out.Note)
	}
	if sum.Cut {
		head = append(head, fmt.Sprintf("stream cut before its end (%s): the summary covers what arrived", clip(orText(sum.StreamErr, "no complete event"), 200)))
	}
	head = append(head, countsLine(sum))
	foot := d.logFooter(a.sprite, a.service, sum.LogFile)
	text := assemble(head, sum.Output(), foot, d.MaxResultChars)
	return reply[schema.ActionResult]{
		data: out, text: text, failed: !out.Reached,
		links: []mcp.Content{d.logsLink(a.sprite, a.service)},
	}, nil
}

// causeLogLines is how far back causeFromLog looks.
const causeLogLines = 5000

// causeFromLog finds the line that says why, by the summariser's cause
// rule, among what the service wrote since since, in its log file. It
// returns "" when there is none or the log cannot be read: it only
// improves a failure report.
func (d *deps) causeFromLog(ctx context.Context, sprite, service string, since time.Time) string {
	// The clocks of runtime and server may differ a little.
	st, err := d.Services.Logs(ctx, sprite, service, client.LogsOptions{Lines: causeLogLines, Since: since.Add(-time.Second)})
	if err != nil {
		return ""
	}
	defer st.Close()
	// Only the cause is wanted, so the smallest budget will do: the cause
	// is chosen from every line, shown or not.
	sum := summary.New(summary.Config{MaxChars: 1000, MaxLineChars: config.MaxLineChars})
	for st.Next() {
		ev := st.Event()
		if ev.Type.IsOutput() {
			sum.Add(ev)
		}
	}
	if c := sum.Result(nil).Cause; !summary.IsExitNotice(c) {
		return c
	}
	return "" // an exit notice says no more than the state does
}

// judge decides whether the requested outcome holds and names it.
func (d *deps) judge(a action, sum summary.Result, st schema.ServiceState, haveState bool) (bool, string) {
	if a.wantsRunning() {
		switch {
		case sum.Exited:
			return false, "failed at start-up"
		case len(sum.Errors) > 0 && !sum.Started:
			return false, "failed to start"
		case len(sum.Errors) > 0 && (!haveState || st.Status != string(client.StatusRunning)):
			return false, "failed"
		case a.verb == "start" && !sum.Started && haveState && st.Status == string(client.StatusRunning):
			return true, "already running"
		case !haveState:
			// No final state: trust the stream, which saw the start and no exit.
			if sum.Started {
				return true, "started"
			}
			return false, "unknown"
		case st.Status == string(client.StatusRunning):
			return true, "running"
		case st.Status == string(client.StatusStarting):
			return true, "starting"
		default:
			return false, "not running (" + st.Status + ")"
		}
	}
	switch {
	case len(sum.Errors) > 0 && (!haveState || st.Status != string(client.StatusStopped)):
		return false, "failed"
	case !haveState:
		if sum.Stopped {
			return true, "stopped"
		}
		return false, "unknown"
	case st.Status == string(client.StatusStopped):
		return true, "stopped"
	case st.Status == string(client.StatusStopping):
		return false, "still stopping: processes remain"
	case st.Status == string(client.StatusFailed):
		// Not the 143-after-stop case (info already reads that as stopped).
		return true, "stopped (" + orText(st.Error, "failed") + ")"
	default:
		return false, "still " + st.Status
	}
}

// outcomeLine is the first line of the result:
// "web on local: running (pid 4242) — watched 5.0s, no exit".
func outcomeLine(a action, out schema.ActionResult, sum summary.Result, watched time.Duration) string {
	if r := out.Ready; r != nil && (r.Matched || out.Outcome == "not ready") {
		return readyLine(a, out)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s on %s: %s", a.service, a.sprite, out.Outcome)
	if out.PID > 0 && out.Reached {
		fmt.Fprintf(&b, " (pid %d)", out.PID)
	}
	if out.ExitCode != nil && (sum.Exited || !a.wantsRunning()) {
		fmt.Fprintf(&b, " (exit code %d)", *out.ExitCode)
	}
	if !out.Reached && out.Status != "unknown" && !strings.Contains(out.Outcome, out.Status) {
		fmt.Fprintf(&b, "; now %s", statusPhrase(*out.Service))
	}
	switch {
	case !a.wantsRunning():
		fmt.Fprintf(&b, " — took %s", watchSpan(watched))
	case !sum.Started && !out.Reached, out.Outcome == "already running":
		// Nothing ran, or nothing new: how long we watched says nothing.
	case a.window == 0:
		b.WriteString(" — not watched (duration 0)")
	case sum.Exited:
		fmt.Fprintf(&b, " — watched %s", watchSpan(watched))
	default:
		fmt.Fprintf(&b, " — watched %s, no exit", watchSpan(watched))
	}
	if out.RestartCount > 0 {
		fmt.Fprintf(&b, "; restarts %d", out.RestartCount)
	}
	if !out.Reached && out.Service != nil && out.Service.NextRestartAt != "" {
		b.WriteString("; the runtime will retry it (fix the cause, or service_stop to end the crash loop)")
	}
	return b.String()
}

// readyLine is the first line of a result with a ready pattern, matched
// ("web on local: ready after 1.2s (matched /listening on/) — pid 4242")
// or not ("web on local: not ready after 30.0s: no output line matched
// /listening on/; still running (pid 4242)").
func readyLine(a action, out schema.ActionResult) string {
	var b strings.Builder
	r := out.Ready
	took := watchSpan(time.Duration(r.Seconds * float64(time.Second)))
	if r.Matched {
		fmt.Fprintf(&b, "%s on %s: ready after %s (matched /%s/)", a.service, a.sprite, took, r.Pattern)
		if out.PID > 0 {
			fmt.Fprintf(&b, " — pid %d", out.PID)
		}
	} else {
		fmt.Fprintf(&b, "%s on %s: not ready after %s: no output line matched /%s/", a.service, a.sprite, took, r.Pattern)
		switch {
		case out.Service == nil:
			b.WriteString("; its state could not be read")
		case out.Status == string(client.StatusRunning):
			fmt.Fprintf(&b, "; still running (pid %d)", out.PID)
		default:
			fmt.Fprintf(&b, "; now %s", statusPhrase(*out.Service))
		}
	}
	if out.RestartCount > 0 {
		fmt.Fprintf(&b, "; restarts %d", out.RestartCount)
	}
	if !r.Matched {
		b.WriteString(". Its last lines are below; wait longer (duration), check the pattern, or read service_logs")
	}
	return b.String()
}

// alreadyHolds answers a 409 whose cause is that the outcome already holds:
// stopping a stopped service, starting a running one. ok is false when the
// conflict is something else (then the caller reports the 409). A stop
// answered "not running" (client.ErrNotRunning) is a success whatever a
// read right after says: the API's answer to the stop is the truth for the
// stop, and the read only adds the state (and a note when it disagrees).
func (d *deps) alreadyHolds(ctx context.Context, a action, conflict error) (reply[schema.ActionResult], bool) {
	if a.verb == "create" || a.verb == "restart" {
		return reply[schema.ActionResult]{}, false
	}
	notRunning := a.verb == "stop" && client.IsNotRunning(conflict)
	svc, err := d.Services.Get(ctx, a.sprite, a.service)
	if err != nil && !notRunning {
		return reply[schema.ActionResult]{}, false
	}
	var state schema.ServiceState
	if err == nil {
		state = stateOf(*svc, d.now())
	}
	stopped := err == nil && state.NextRestartAt == "" &&
		(state.Status == string(client.StatusStopped) || state.Status == string(client.StatusFailed))
	var outcome string
	switch {
	case a.verb == "stop" && (notRunning || stopped):
		outcome = "already stopped"
	case a.verb == "start" && err == nil && state.Status == string(client.StatusRunning):
		outcome = "already running"
	default:
		return reply[schema.ActionResult]{}, false
	}
	out := schema.ActionResult{
		ServiceRef: schema.ServiceRef{Sprite: a.sprite, ServiceName: a.service}, Action: a.verb, Outcome: outcome, Reached: true,
		Status: orText(state.Status, string(client.StatusStopped)), PID: state.PID, RestartCount: state.RestartCount,
		StreamSummary: schema.StreamSummary{Lines: []schema.OutputLine{}},
	}
	if err == nil {
		out.Service = &state
	}
	text := fmt.Sprintf("%s on %s: %s", a.service, a.sprite, outcome)
	if state.PID > 0 && (a.verb == "start" || stopped) {
		text += fmt.Sprintf(" (pid %d)", state.PID)
	}
	switch {
	case err != nil:
		text += fmt.Sprintf("\nnote: the API answered the stop with %q; its state could not be read after (%s)",
			clip(conflict.Error(), 200), clip(err.Error(), 200))
	case !stopped && a.verb == "stop":
		text += "\n" + serviceLine(state, d.now()) +
			fmt.Sprintf("\nnote: the API answered the stop with \"not running\"; a read right after says %s (a restart may be pending): call service_get to follow it", state.Status)
	default:
		text += "\n" + serviceLine(state, d.now())
	}
	return reply[schema.ActionResult]{data: out, text: text}, true
}

// fitAction bounds an action result's structured content.
func fitAction(out *schema.ActionResult, limit int) {
	fitStream(&out.StreamSummary, limit, func() int { return jsonChars(out) })
}

// logFooter is the end of a stream result: where the full log is.
func (d *deps) logFooter(sprite, service, logFile string) []string {
	more := fmt.Sprintf("more: service_logs (grep, stream, lines) or resource %s", present.LogsURI(sprite, service))
	if logFile == "" {
		return []string{more}
	}
	return []string{"log file: " + clip(logFile, present.MaxFieldChars), more}
}

// logsLink is the resource link to the service's log tail.
func (d *deps) logsLink(sprite, service string) mcp.Content {
	return mcp.NewResourceLink(present.LogsURI(sprite, service), service+" logs",
		"Latest log lines of "+service+" on "+sprite, "text/plain")
}

// watchSpan renders how long a stream was watched in tenths of seconds
// ("5.0s"), the unit of the duration argument's defaults.
func watchSpan(d time.Duration) string {
	switch {
	case d < 100*time.Millisecond:
		return fmt.Sprintf("%dms", d.Milliseconds())
	case d < time.Minute:
		return fmt.Sprintf("%.1fs", d.Seconds())
	}
	return shortSpan(d)
}

func round1(f float64) float64 { return float64(int64(f*10+0.5)) / 10 }

func orText(s, alt string) string {
	if s == "" {
		return alt
	}
	return s
}
