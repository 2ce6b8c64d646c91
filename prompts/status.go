package prompts

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/mark3labs/mcp-go/mcp"

	"github.com/sprites-mcp/sprites-mcp/client"
	"github.com/sprites-mcp/sprites-mcp/internal/present"
)

const statusName = "status_report"

var statusPrompt = mcp.NewPrompt(statusName,
	mcp.WithPromptTitle("Status of every service"),
	mcp.WithPromptDescription("Every service of a Sprite in one line each, the unhealthy ones first with the log line that says why "+
		"(for up to 5 of them), and what to call next."),
	mcp.WithArgument("sprite", mcp.ArgumentDescription("The Sprite to report on; default: the server's default sprite.")),
)

// maxCauses bounds the log reads of one status report.
const maxCauses = 5

func (p *Prompts) status(ctx context.Context, req mcp.GetPromptRequest) (*mcp.GetPromptResult, error) {
	a, err := args(req, statusPrompt)
	if err != nil {
		return nil, err
	}
	sprite, err := p.sprite(ctx, statusName, a)
	if err != nil {
		return nil, err
	}
	svcs, err := p.list(ctx, sprite)
	if err != nil {
		return nil, err
	}
	if len(svcs) == 0 {
		ans := &answer{budget: p.maxChars}
		ans.guide(fmt.Sprintf("%s has no services yet. The prompt deploy_service walks through creating one.", sprite), 0)
		return ans.result("Status of " + sprite), nil
	}
	// Unhealthy first, then by name: what needs attention leads.
	slices.SortFunc(svcs, func(x, y client.Service) int {
		hx, hy := healthy(present.StateOf(x.State).Status), healthy(present.StateOf(y.State).Status)
		if hx != hy {
			if hy {
				return -1
			}
			return 1
		}
		return strings.Compare(x.Name, y.Name)
	})
	var rows []string
	bad, explained := 0, 0
	for _, s := range svcs {
		st := present.StateOf(s.State)
		row := "- " + s.Name + ": " + stateLine(st, timeNow())
		if len(s.Needs) > 0 {
			row += "; needs " + strings.Join(s.Needs, ", ")
		}
		if s.HTTPPort != nil {
			row += fmt.Sprintf("; http_port %d", *s.HTTPPort)
		}
		if !healthy(st.Status) && st.Status != string(client.StatusStopped) {
			bad++
			if explained < maxCauses {
				explained++
				if d := p.readDigest(ctx, sprite, s.Name, st.Error, 2000); d.cause != "" {
					row += "\n  why: " + cut(d.cause, 300)
				}
			}
		}
		rows = append(rows, row)
	}
	head := fmt.Sprintf("Status of %s: %d service%s, %d failing.", sprite, len(svcs), plural(len(svcs)), bad)
	next := "Next: for a failing service, run the prompt debug_service with its service_name; " +
		call("service_list") + " gives the same list as structured data."
	// Rows that do not fit are counted, never cut mid-way.
	room := p.maxChars - utf8.RuneCountInString(head) - utf8.RuneCountInString(next) - 80
	used, shown := 0, 0
	for _, r := range rows {
		n := utf8.RuneCountInString(r) + 1
		if used+n > room {
			break
		}
		used += n
		shown++
	}
	body := strings.Join(rows[:shown], "\n")
	if shown < len(rows) {
		body += fmt.Sprintf("\n… %d more services not shown (%d-character budget); read %s for all of them",
			len(rows)-shown, p.maxChars, present.ListURI(sprite))
	}
	ans := &answer{budget: p.maxChars}
	ans.guide(lines(head, body, next), 0)
	return ans.result("Status of " + sprite), nil
}
