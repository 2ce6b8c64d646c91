package tools

import (
	"context"
	"strings"

	"github.com/google/shlex"
	"github.com/mark3labs/mcp-go/server"

	"github.com/sprites-mcp/sprites-mcp/client"
	"github.com/sprites-mcp/sprites-mcp/schema"
)

func serviceCreate(d *deps) server.ServerTool {
	return newTool(d, toolDef[schema.ServiceCreateArgs, schema.ActionResult]{
		name:  "service_create",
		title: "Create and start a service",
		description: "Define a service (replacing one of that name), start it and its needs, and watch it for duration (default 5s) " +
			"or, with ready, until an output line matches. The result says running or ready with the pid, or the exit code and " +
			"the line that says why it died. Check the outcome line before reporting success.",
		readOnly: false, destructive: true, idempotent: true,
		fit: fitAction,
		handle: func(ctx context.Context, in schema.ServiceCreateArgs) (reply[schema.ActionResult], error) {
			sprite, err := d.sprite(ctx, in.Sprite)
			if err != nil {
				return reply[schema.ActionResult]{}, err
			}
			service := string(in.ServiceName)
			window, err := watchWindow(in.Duration, in.Ready)
			if err != nil {
				return reply[schema.ActionResult]{}, err
			}
			cmd, args := string(in.Cmd), []string(in.Args)
			if len(args) == 0 {
				cmd, args = splitCommand(cmd)
			}
			req := client.ServiceRequest{Cmd: cmd, Args: args, Env: in.Env, Dir: string(in.Dir), Needs: in.Needs}
			if in.HTTPPort > 0 {
				port := int(in.HTTPPort)
				req.HTTPPort = &port
			}
			return d.run(ctx, action{verb: "create", sprite: sprite, service: service, window: window, ready: in.Ready.Regexp(),
				open: func(ctx context.Context) (*client.Stream, error) {
					return d.Services.Put(ctx, sprite, service, req, window)
				}})
		},
	})
}

// splitCommand splits a whole command line given as cmd ("python3 -m
// http.server 8000") into the program and its arguments the way a shell
// splits words (github.com/google/shlex: quotes group, a backslash escapes,
// an unquoted # starts a comment). Shell syntax (pipes, &&, $VAR) is not
// interpreted; a cmd without spaces, or one shlex cannot split (unbalanced
// quotes), is returned as it is.
func splitCommand(s string) (string, []string) {
	t := strings.TrimSpace(s)
	if !strings.ContainsAny(t, " \t\n") {
		return t, nil
	}
	words, err := shlex.Split(t)
	if err != nil || len(words) == 0 {
		return t, nil
	}
	return words[0], words[1:]
}
