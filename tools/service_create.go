package tools

import (
	"context"
	"strings"

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
			return d.run(ctx, action{verb: "create", sprite: sprite, service: service, window: window, ready: readyPattern(in.Ready),
				open: func(ctx context.Context) (*client.Stream, error) {
					return d.Services.Put(ctx, sprite, service, req, window)
				}})
		},
	})
}

// splitCommand splits a whole command line given as cmd ("python3 -m
// http.server 8000") into the program and its arguments, the way a shell
// splits words: single and double quotes group, a backslash escapes the
// next character. Shell syntax (pipes, &&, $VAR) is not interpreted; a cmd
// without spaces, or with unbalanced quotes, is returned as it is.
func splitCommand(s string) (string, []string) {
	if !strings.ContainsAny(strings.TrimSpace(s), " \t\n") {
		return strings.TrimSpace(s), nil
	}
	var (
		words   []string
		cur     strings.Builder
		inWord  bool
		quote   rune
		escaped bool
	)
	for _, r := range s {
		switch {
		case escaped:
			cur.WriteRune(r)
			escaped, inWord = false, true
		case r == '\\' && quote != '\'':
			escaped, inWord = true, true
		case quote != 0:
			if r == quote {
				quote = 0
			} else {
				cur.WriteRune(r)
			}
		case r == '\'' || r == '"':
			quote, inWord = r, true
		case r == ' ' || r == '\t' || r == '\n':
			if inWord {
				words = append(words, cur.String())
				cur.Reset()
				inWord = false
			}
		default:
			cur.WriteRune(r)
			inWord = true
		}
	}
	if quote != 0 || escaped {
		return s, nil
	}
	if inWord {
		words = append(words, cur.String())
	}
	if len(words) == 0 {
		return s, nil
	}
	return words[0], words[1:]
}
