package prompts

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/mark3labs/mcp-go/mcp"

	"github.com/sprites-mcp/sprites-mcp/internal/present"
)

const deployName = "deploy_service"

var deployPrompt = mcp.NewPrompt(deployName,
	mcp.WithPromptTitle("Deploy a service"),
	mcp.WithPromptDescription("The calls that create a service and return as soon as it says it is up (a ready pattern), "+
		"confirm it serves, read its logs, and undo it; checked first against what already runs (a name already taken, "+
		"a need that does not exist, a port another service holds)."),
	mcp.WithArgument("service_name", mcp.ArgumentDescription("The name of the new service."), mcp.RequiredArgument()),
	mcp.WithArgument("cmd", mcp.ArgumentDescription("The command line to run, e.g. \"python3 -m http.server 8080\"."), mcp.RequiredArgument()),
	mcp.WithArgument("http_port", mcp.ArgumentDescription("The port it serves HTTP on, if any (1-65535).")),
	mcp.WithArgument("needs", mcp.ArgumentDescription("Services to start first, comma-separated.")),
	mcp.WithArgument("sprite", mcp.ArgumentDescription("The Sprite to run it on; default: the server's default sprite.")),
)

// readyGuess is the ready pattern suggested when the prompt cannot know
// what the program prints once it is up: the words servers commonly use.
const readyGuess = "(?i)listening|serving|ready|started"

func (p *Prompts) deploy(ctx context.Context, req mcp.GetPromptRequest) (*mcp.GetPromptResult, error) {
	a, err := args(req, deployPrompt)
	if err != nil {
		return nil, err
	}
	sprite, err := p.sprite(ctx, deployName, a)
	if err != nil {
		return nil, err
	}
	name := a["service_name"]
	if err := checkName(deployName, "service_name", name); err != nil {
		return nil, err
	}
	port := 0
	if v := a["http_port"]; v != "" {
		port, err = strconv.Atoi(v)
		if err != nil || port < 1 || port > 65535 {
			return nil, fmt.Errorf("%s: http_port must be a whole number from 1 to 65535; got %q", deployName, v)
		}
	}
	var needs []string
	for n := range strings.SplitSeq(a["needs"], ",") {
		if n = strings.TrimSpace(n); n != "" && !slices.Contains(needs, n) {
			if err := checkName(deployName, "needs", n); err != nil {
				return nil, err
			}
			needs = append(needs, n)
		}
	}

	svcs, err := p.list(ctx, sprite)
	if err != nil {
		return nil, err
	}
	var notes []string
	for _, n := range needs {
		if n == name {
			return nil, fmt.Errorf("%s: %s cannot need itself", deployName, name)
		}
		if !slices.Contains(names(svcs), n) {
			return nil, fmt.Errorf("%s: needs: %s; create it first", deployName, present.MissingService(sprite, n, names(svcs)))
		}
	}
	for _, s := range svcs {
		if s.Name == name {
			notes = append(notes, fmt.Sprintf("Note: %s already exists on %s (%s, cmd %s): service_create replaces its definition and restarts it.",
				name, sprite, present.StateOf(s.State).Status, cut(present.Field(s.Cmd), 80)))
		} else if port != 0 && s.HTTPPort != nil && *s.HTTPPort == port {
			notes = append(notes, fmt.Sprintf("Note: %s already holds http_port %d: the runtime refuses a second holder; pick another port or stop and delete %s first.",
				s.Name, port, s.Name))
		}
	}

	cmd, cargs := splitCommand(a["cmd"])
	create := []any{"service_name", name, "cmd", cmd}
	if len(cargs) > 0 {
		create = append(create, "args", cargs)
	}
	if port != 0 {
		create = append(create, "http_port", port)
	}
	if len(needs) > 0 {
		create = append(create, "needs", needs)
	}
	if unbufferedEnv(cmd) {
		create = append(create, "env", map[string]string{"PYTHONUNBUFFERED": "1"})
	}
	create = append(create, "ready", readyGuess, "duration", "30s")

	serves := fmt.Sprintf("2. Confirm it is up: %s shows status running, its pid and restart_count 0; a few seconds later the same call should say the same (a crash loop shows restarts and a next restart).",
		call("service_get", "service_name", name))
	if port != 0 {
		serves = fmt.Sprintf("2. Confirm it serves: %s shows it running with http_port %d; then make an HTTP request to port %d where it runs and expect an answer.",
			call("service_get", "service_name", name), port, port)
	}
	text := lines(
		fmt.Sprintf("Deploy %s on %s: run %s.", name, sprite, quote(a["cmd"])),
		strings.Join(notes, "\n"),
		"1. Create and start it, returning as soon as a line of its output says it is up:",
		"   "+call("service_create", create...),
		"   Set ready to a regular expression for the line your program prints once it serves; the guess above matches the usual words. "+
			"The answer is `ready` with the matching line; if it exits first, an error with its exit code and the line that says why "+
			"(then run the prompt debug_service with service_name "+name+"); if 30s pass without a match, an error saying what it is doing now.",
		"   A program that buffers its output when it is not on a terminal holds the line back until the buffer fills, and ready never matches: "+
			"make it write unbuffered (python: PYTHONUNBUFFERED=1, as above, or -u).",
		serves,
		fmt.Sprintf("3. Read its logs: %s; only errors: %s; or read the resource %s.",
			call("service_logs", "service_name", name, "lines", 50),
			call("service_logs", "service_name", name, "grep", "(?i)error|fatal|panic|exception"),
			present.LogsURI(sprite, name)),
		fmt.Sprintf("4. Undo it: %s, then %s (the definition is gone; its log file stays).",
			call("service_stop", "service_name", name), call("service_delete", "service_name", name)),
	)
	if sprite != p.defaultSprite {
		text += fmt.Sprintf("\nEvery call above also takes \"sprite\": %s.", quote(sprite))
	}
	ans := &answer{budget: p.maxChars}
	ans.guide(text, 0)
	return ans.result(fmt.Sprintf("Deploy %s on %s", name, sprite)), nil
}

// unbufferedEnv says the program is Python, which buffers stdout when it
// is not a terminal: its "Serving HTTP on ..." would reach the log, and the
// ready pattern, only once the buffer fills.
func unbufferedEnv(cmd string) bool {
	return strings.HasPrefix(filepath.Base(cmd), "python")
}

// splitCommand turns a command line into cmd and args: plain words are
// split on spaces; anything a shell would interpret (quotes, pipes,
// redirections, variables, globs) runs under sh -c, with exec so signals
// reach the program itself.
func splitCommand(line string) (string, []string) {
	fields := strings.Fields(line)
	if len(fields) == 1 {
		return fields[0], nil
	}
	if !strings.ContainsAny(line, "'\"`$|&;<>()*?[]{}~\\#") {
		return fields[0], fields[1:]
	}
	return "sh", []string{"-c", "exec " + line}
}
