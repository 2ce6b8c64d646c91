package tools

import (
	"context"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"

	"github.com/sprites-mcp/sprites-mcp/schema"
)

func serviceGet(d *deps) server.ServerTool {
	return withServicesApp(newTool(d, toolDef[schema.ServiceGetArgs, schema.ServiceResult]{
		name:  "service_get",
		title: "Show a service",
		description: "Show one service's state (status, pid, uptime, port, restarts, last error, next restart) and definition " +
			"(cmd, args, env with secrets masked, dir, needs). service_logs has its output.",
		readOnly: true, destructive: false, idempotent: true,
		fit: fitGet,
		handle: func(ctx context.Context, in schema.ServiceGetArgs) (reply[schema.ServiceResult], error) {
			sprite, err := d.sprite(ctx, in.Sprite)
			if err != nil {
				return reply[schema.ServiceResult]{}, err
			}
			service := string(in.ServiceName)
			svc, err := d.Services.Get(ctx, sprite, service)
			if err != nil {
				return reply[schema.ServiceResult]{}, err
			}
			i := info(*svc, d.now(), true)
			return reply[schema.ServiceResult]{
				data:  schema.ServiceResult{Sprite: sprite, Service: i},
				text:  serviceText(sprite, i, d.now()),
				links: []mcp.Content{d.logsLink(sprite, i.Name)},
			}, nil
		},
	}))
}

// serviceText renders one service for people: the state line first, then
// the definition, one item a line.
func serviceText(sprite string, i schema.ServiceInfo, now time.Time) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s on %s: %s", i.Name, sprite, strings.TrimPrefix(serviceLine(i.ServiceState, now), i.Name+": "))
	if i.RuntimeStatus != "" {
		fmt.Fprintf(&b, "\nruntime status: %s (%s)", i.RuntimeStatus, orText(i.Error, "no error"))
	}
	if i.Error != "" && i.RuntimeStatus == "" && utf8.RuneCountInString(i.Error) > listErrorChars {
		// serviceLine shows a clipped error; give it whole here.
		fmt.Fprintf(&b, "\nlast error: %s", i.Error)
	}
	cmd := i.Cmd
	for _, a := range i.Args {
		cmd += " " + quoteArg(a)
	}
	fmt.Fprintf(&b, "\ncmd: %s", cmd)
	if i.Dir != "" {
		fmt.Fprintf(&b, "\ndir: %s", i.Dir)
	}
	if len(i.Env) > 0 {
		parts := make([]string, 0, len(i.Env))
		for _, k := range sortedKeys(i.Env) {
			parts = append(parts, k+"="+i.Env[k])
		}
		fmt.Fprintf(&b, "\nenv: %s", strings.Join(parts, " "))
	}
	if i.StartedAt != "" {
		fmt.Fprintf(&b, "\nstarted: %s", i.StartedAt)
	}
	return b.String()
}

// quoteArg quotes an argument that a reader would otherwise split.
func quoteArg(a string) string {
	if a == "" || strings.ContainsAny(a, " \t\n'\"\\$&|;<>()") {
		return "'" + strings.ReplaceAll(a, "'", `'\''`) + "'"
	}
	return a
}

// fitGet bounds service_get's structured content: a definition with many or
// huge env values and arguments loses env entries, then arguments, from the
// end, and as a last step cmd, dir and error are cut short. Whatever it
// drops, Truncated and Note say so, because the text (cut at the same
// bound) may not show the rest either.
func fitGet(out *schema.ServiceResult, limit int) {
	if jsonChars(out) <= limit {
		return
	}
	s := &out.Service
	env, args := len(s.Env), len(s.Args)
	out.Truncated = true
	for {
		out.Note = fmt.Sprintf("%d of %d env entries and %d of %d arguments left out to fit the %d-character limit",
			env-len(s.Env), env, args-len(s.Args), args, limit)
		if jsonChars(out) <= limit {
			return
		}
		switch {
		case len(s.Env) > 0:
			keys := sortedKeys(s.Env)
			delete(s.Env, keys[len(keys)-1])
		case len(s.Args) > 0:
			s.Args = s.Args[:len(s.Args)-1]
		default:
			s.Cmd, s.Error, s.Dir = clip(s.Cmd, 100), clip(s.Error, 100), clip(s.Dir, 100)
			out.Note += "; cmd, dir and error cut to 100 characters"
			return
		}
	}
}
