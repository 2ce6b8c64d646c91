package tools

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"

	"github.com/sprites-mcp/sprites-mcp/client"
	"github.com/sprites-mcp/sprites-mcp/schema"
)

// ServicesAppURI is the MCP App (extension io.modelcontextprotocol/ui) that
// shows services to a person; hosts with the extension render it next to
// service_list's and service_get's results, others ignore the _meta.
const ServicesAppURI = "ui://sprites-mcp/services"

// withServicesApp links t to the services app.
func withServicesApp(t server.ServerTool) server.ServerTool {
	t.Tool.Meta = &mcp.Meta{AdditionalFields: map[string]any{"ui": map[string]any{"resourceUri": ServicesAppURI}}}
	return t
}

func serviceList(d *deps) server.ServerTool {
	return withServicesApp(newTool(d, toolDef[schema.ServiceListArgs, schema.ServiceListResult]{
		name:        "service_list",
		title:       "List services",
		description: "List a sprite's services, one line each: status, pid, uptime, port, needs, restarts, last error. Call it before changing anything.",
		readOnly:    true, destructive: false, idempotent: true,
		fit: fitList,
		handle: func(ctx context.Context, in schema.ServiceListArgs) (reply[schema.ServiceListResult], error) {
			sprite, err := d.sprite(ctx, in.Sprite)
			if err != nil {
				return reply[schema.ServiceListResult]{}, err
			}
			list, err := d.Services.List(ctx, sprite)
			if err != nil {
				return reply[schema.ServiceListResult]{}, err
			}
			out, text := d.renderList(sprite, list)
			return reply[schema.ServiceListResult]{data: out, text: text}, nil
		},
	}))
}

// renderList builds service_list's structured content and its text: a
// header with counts by status, then one line per service, within the
// result bound (later services give way, and the text says how many).
func (d *deps) renderList(sprite string, list []client.Service) (schema.ServiceListResult, string) {
	now := d.now()
	list = slices.Clone(list)
	slices.SortFunc(list, func(a, b client.Service) int { return strings.Compare(a.Name, b.Name) })
	out := schema.ServiceListResult{Sprite: sprite, Total: len(list), Services: make([]schema.ServiceState, 0, len(list))}
	counts := map[string]int{}
	for _, s := range list {
		i := stateOf(s, now)
		counts[i.Status]++
		out.Services = append(out.Services, i)
	}
	var b strings.Builder
	if len(list) == 0 {
		fmt.Fprintf(&b, "no services on %s; create one with service_create", sprite)
		return out, b.String()
	}
	fmt.Fprintf(&b, "%d service%s on %s:", len(list), plural(len(list)), sprite)
	sep := " "
	for _, st := range []string{"running", "starting", "stopping", "failed", "stopped", "unknown"} {
		if counts[st] > 0 {
			fmt.Fprintf(&b, "%s%d %s", sep, counts[st], st)
			sep = ", "
		}
	}
	// Keep room for the "… N more" line.
	room := d.MaxResultChars - 80
	for i, s := range out.Services {
		line := serviceLine(s, now)
		if b.Len()+len(line)+1 > room {
			fmt.Fprintf(&b, "\n… %d more not shown (result size limit); call service_get for one", len(out.Services)-i)
			break
		}
		b.WriteByte('\n')
		b.WriteString(line)
	}
	return out, b.String()
}

// fitList drops services from the end of the structured list until it fits.
func fitList(out *schema.ServiceListResult, limit int) {
	size := jsonChars(out)
	for len(out.Services) > 0 && size > limit {
		last := out.Services[len(out.Services)-1]
		out.Services = out.Services[:len(out.Services)-1]
		out.Truncated = true
		size -= jsonChars(last) + 1
	}
	for len(out.Services) > 0 && jsonChars(out) > limit {
		out.Services = out.Services[:len(out.Services)-1]
	}
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}
