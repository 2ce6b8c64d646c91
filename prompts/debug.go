package prompts

import (
	"context"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/mark3labs/mcp-go/mcp"

	"github.com/sprites-mcp/sprites-mcp/client"
	"github.com/sprites-mcp/sprites-mcp/internal/present"
)

const debugName = "debug_service"

var debugPrompt = mcp.NewPrompt(debugName,
	mcp.WithPromptTitle("Debug a service"),
	mcp.WithPromptDescription("Why a service is failing or misbehaving: its state (status, the error or exit code, restarts, next restart), "+
		"the log line that says why, its last stderr lines and what to call next; its state and log tail are attached as resources. "+
		"A service that does not exist is an error naming the closest one and what exists."),
	mcp.WithArgument("service_name", mcp.ArgumentDescription("The service to debug."), mcp.RequiredArgument()),
	mcp.WithArgument("sprite", mcp.ArgumentDescription("The Sprite it runs on; default: the server's default sprite.")),
)

// debugLogLines is the log tail attached to debug_service: enough to see
// the end of the last run, little enough to fit beside the guide.
const debugLogLines = 40

func (p *Prompts) debug(ctx context.Context, req mcp.GetPromptRequest) (*mcp.GetPromptResult, error) {
	a, err := args(req, debugPrompt)
	if err != nil {
		return nil, err
	}
	sprite, err := p.sprite(ctx, debugName, a)
	if err != nil {
		return nil, err
	}
	name := a["service_name"]
	if err := checkName(debugName, "service_name", name); err != nil {
		return nil, err
	}
	svc, err := p.get(ctx, sprite, name)
	if err != nil {
		return nil, err
	}
	st := present.StateOf(svc.State)

	// The needs' states: a dependency that is down is the usual reason a
	// dependent fails, and the agent should look there first.
	var needsLine string
	var downNeed string
	if len(svc.Needs) > 0 {
		all, lerr := p.svc.List(ctx, sprite)
		byName := map[string]client.Service{}
		for _, s := range all {
			byName[s.Name] = s
		}
		parts := make([]string, 0, len(svc.Needs))
		for _, n := range svc.Needs {
			status := "unknown"
			if s, ok := byName[n]; ok {
				status = present.StateOf(s.State).Status
			} else if lerr == nil {
				status = "missing"
			}
			if status != string(client.StatusRunning) && downNeed == "" && lerr == nil {
				downNeed = n
			}
			parts = append(parts, n+" ("+status+")")
		}
		needsLine = "Needs: " + strings.Join(parts, ", ")
	}

	// The guide takes at most half the budget; the stderr lines at most a
	// quarter; the rest is for the attached state and log tail.
	guideBudget := p.maxChars / 2
	d := p.readDigest(ctx, sprite, name, st.Error, guideBudget)

	title := fmt.Sprintf("Debug %s on %s.", name, sprite)
	state := "State: " + stateLine(st, timeNow())
	why := ""
	switch {
	case d.cause != "" && !healthy(st.Status):
		why = "Why: " + d.cause
	case d.cause != "":
		why = "Last line that looks like an error: " + d.cause
	case !healthy(st.Status):
		why = "Why: nothing in its log or state says; the log tail below is all there is"
	}
	logNote := ""
	if d.err != nil {
		logNote = "Its log could not be read whole: " + cut(d.err.Error(), 200)
	}
	next := "Next:\n" + strings.Join(nextSteps(sprite, name, st, svc, downNeed, d), "\n")
	attached := fmt.Sprintf("Attached: its state (%s) and its last %d log lines (%s).",
		present.ServiceURI(sprite, name), debugLogLines, logsURI(sprite, name, debugLogLines))

	fixed := lines(title, state, needsLine, why, logNote, next, attached)
	room := min(p.maxChars/4, guideBudget-utf8.RuneCountInString(fixed)-2)
	stderr := stderrBlock(d, room)
	text := lines(title, state, needsLine, why, logNote, stderr, next, attached)

	stateURI, tailURI := present.ServiceURI(sprite, name), logsURI(sprite, name, debugLogLines)
	ans := &answer{budget: p.maxChars}
	ans.guide(text, linkCost(stateURI, name)+linkCost(tailURI, name+" logs"))
	ans.attach(ctx, p.read, stateURI, name, "application/json")
	ans.attach(ctx, p.read, tailURI, name+" logs", "text/plain")
	return ans.result(fmt.Sprintf("Debug %s on %s: %s", name, sprite, st.Status)), nil
}

// healthy reports whether a status needs no explaining.
func healthy(status string) bool {
	return status == string(client.StatusRunning) || status == string(client.StatusStarting)
}

// stateLine is the state in one line: status, pid, the error (which
// carries the exit code), restarts and the next restart.
func stateLine(st present.State, now time.Time) string {
	parts := []string{st.Status}
	if st.RuntimeStatus != "" {
		parts[0] += " (the runtime says " + st.RuntimeStatus + ")"
	}
	if st.PID != 0 {
		parts = append(parts, fmt.Sprintf("pid %d", st.PID))
	}
	if st.StartedAt != "" {
		parts = append(parts, "started "+st.StartedAt)
	}
	if st.Error != "" {
		parts = append(parts, "last run ended: "+st.Error)
	}
	parts = append(parts, fmt.Sprintf("%d restart%s", st.RestartCount, plural(st.RestartCount)))
	if st.NextRestartAt != "" {
		next := "next restart at " + st.NextRestartAt
		if at, err := time.Parse(time.RFC3339Nano, st.NextRestartAt); err == nil && at.After(now) {
			next += fmt.Sprintf(" (in %s)", at.Sub(now).Round(100*time.Millisecond))
		}
		parts = append(parts, next)
	}
	return strings.Join(parts, "; ")
}

// stderrBlock quotes the last stderr lines, newest kept, within room
// characters.
func stderrBlock(d digest, room int) string {
	if len(d.stderr) == 0 {
		if d.seen > 0 {
			return fmt.Sprintf("Stderr: none in the last %d log lines.", d.seen)
		}
		return "Log: empty so far."
	}
	head := func(n int) string {
		return fmt.Sprintf("Last %d stderr line%s (of %d in the last %d log lines):", n, plural(n), d.stderrN, d.seen)
	}
	kept := []string{}
	used := utf8.RuneCountInString(head(len(d.stderr)))
	for i := len(d.stderr) - 1; i >= 0; i-- {
		l := "  " + d.stderr[i]
		n := utf8.RuneCountInString(l) + 1
		if used+n > room {
			if len(kept) == 0 && room-used > 40 {
				kept = append(kept, cut(l, room-used-1))
			}
			break
		}
		used += n
		kept = append(kept, l)
	}
	if len(kept) == 0 {
		return ""
	}
	for i, j := 0, len(kept)-1; i < j; i, j = i+1, j-1 {
		kept[i], kept[j] = kept[j], kept[i]
	}
	return head(len(kept)) + "\n" + strings.Join(kept, "\n")
}

// nextSteps says what to call next, by what the state shows.
func nextSteps(sprite, name string, st present.State, svc *client.Service, downNeed string, d digest) []string {
	var steps []string
	if downNeed != "" {
		steps = append(steps, fmt.Sprintf("- It needs %s, which is not running: look there first (prompt debug_service with service_name %s, or %s).",
			downNeed, downNeed, call("service_get", "service_name", downNeed)))
	}
	restart := call("service_restart", "service_name", name, "duration", "5s")
	switch {
	case st.Status == string(client.StatusFailed) && st.NextRestartAt != "":
		steps = append(steps,
			"- It is crash-looping: the runtime restarts it with growing delays. Fix the cause above (its command, arguments, env, dir or a need), then "+restart+" to see it stay up;",
			"  or end the loop first: "+call("service_stop", "service_name", name)+".")
	case st.Status == string(client.StatusFailed):
		steps = append(steps, "- Fix the cause above, then "+call("service_start", "service_name", name, "duration", "5s")+": the answer says whether it stays up.")
	case st.Status == string(client.StatusStopped):
		steps = append(steps, "- It is stopped. "+call("service_start", "service_name", name, "duration", "5s")+" runs it again and watches its start.")
	case st.Status == string(client.StatusStarting):
		steps = append(steps, "- It is still starting: "+call("service_get", "service_name", name)+" in a few seconds says whether it came up.")
	default:
		steps = append(steps, "- It is "+st.Status+". If it misbehaves, "+restart+" restarts it and shows its start.")
	}
	steps = append(steps,
		"- More of its log: "+call("service_logs", "service_name", name, "stream", "stderr", "lines", 200)+
			"; only the errors: "+call("service_logs", "service_name", name, "grep", "(?i)error|fatal|panic|exception")+".")
	if svc.HTTPPort != nil {
		steps = append(steps, fmt.Sprintf("- It should serve http_port %d: when it runs, check that something answers there.", *svc.HTTPPort))
	}
	if d.err != nil {
		steps = append(steps, "- Its log was not fully readable here; read "+present.LogsURI(sprite, name)+" or call service_logs.")
	}
	return steps
}

// logsURI is the log tail resource with a line count.
func logsURI(sprite, name string, n int) string {
	return fmt.Sprintf("%s?lines=%d", present.LogsURI(sprite, name), n)
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}
