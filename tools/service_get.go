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
	b.Grow(256)
	b.WriteString(i.Name)
	b.WriteString(" on ")
	b.WriteString(sprite)
	b.WriteString(": ")
	b.WriteString(strings.TrimPrefix(serviceLine(i.ServiceState, now), i.Name+": "))
	if i.RuntimeStatus != "" {
		b.WriteString("\nruntime status: ")
		b.WriteString(i.RuntimeStatus)
		b.WriteString(" (")
		b.WriteString(orText(i.Error, "no error"))
		b.WriteString(")")
	}
	if i.Error != "" && i.RuntimeStatus == "" && utf8.RuneCountInString(i.Error) > listErrorChars {
		// serviceLine shows a clipped error; give it whole here.
		b.WriteString("\nlast error: ")
		b.WriteString(i.Error)
	}
	b.WriteString("\ncmd: ")
	b.WriteString(i.Cmd)
	for _, a := range i.Args {
		b.WriteString(" ")
		b.WriteString(quoteArg(a))
	}
	if i.Dir != "" {
		b.WriteString("\ndir: ")
		b.WriteString(i.Dir)
	}
	if len(i.Env) > 0 {
		b.WriteString("\nenv:")
		for _, k := range sortedKeys(i.Env) {
			b.WriteString(" ")
			b.WriteString(k)
			b.WriteString("=")
			b.WriteString(i.Env[k])
		}
	}
	if i.StartedAt != "" {
		b.WriteString("\nstarted: ")
		b.WriteString(i.StartedAt)
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
