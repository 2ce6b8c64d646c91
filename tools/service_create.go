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
		description: "Define a service (or replace the one of that name) and start it, then watch it for duration (default 5s). " +
			"The result says whether it is running, its pid, and if it died the exit code and the output line that says why; " +
			"output is summarised, never dumped. Needs are started first. Check the outcome line before reporting success.",
		readOnly: false, destructive: true, idempotent: true,
		fit: fitAction,
		handle: func(ctx context.Context, in schema.ServiceCreateArgs) (reply[schema.ActionResult], error) {
			sprite, err := d.sprite(ctx, in.Sprite)
			if err != nil {
				return reply[schema.ActionResult]{}, err
			}
			service := string(in.ServiceName)
			cmd, args := string(in.Cmd), []string(in.Args)
			if len(args) == 0 {
				cmd, args = splitCommand(cmd)
			}
			req := client.ServiceRequest{Cmd: cmd, Args: args, Env: in.Env, Dir: string(in.Dir), Needs: in.Needs}
			if in.HTTPPort > 0 {
				port := int(in.HTTPPort)
				req.HTTPPort = &port
			}
			return d.run(ctx, action{verb: "create", sprite: sprite, service: service, window: in.Duration.D(),
				open: func(ctx context.Context) (*client.Stream, error) {
					return d.Services.Put(ctx, sprite, service, req, in.Duration.D())
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
