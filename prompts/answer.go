package prompts

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/mark3labs/mcp-go/mcp"
)

// answer builds one prompt's result within the budget: the characters of
// every text it carries (the guide, the attached contents, the links)
// count, and attachments that do not fit become links.
type answer struct {
	budget   int
	used     int
	reserved int // kept for the links of attachments not yet added
	msgs     []mcp.PromptMessage
}

// guide adds the text message; it must come first and fit (the handlers
// build it within their share of the budget, and cut is the last guard).
// reserve is kept free for the attachments that follow, so that even when
// they must become links the whole stays within the budget.
func (a *answer) guide(text string, reserve int) {
	a.reserved = reserve
	text = cut(text, a.budget-a.used-reserve)
	a.used += utf8.RuneCountInString(text)
	a.msgs = append(a.msgs, mcp.NewPromptMessage(mcp.RoleUser, mcp.NewTextContent(text)))
}

// attach reads uri through read and embeds its contents when they fit
// what is left of the budget; otherwise it links the resource, with a
// note saying why, so the client can still read it. A read that fails is
// said in the note: the guide stands without it.
func (a *answer) attach(ctx context.Context, read ReadFunc, uri, name, mime string) {
	// What this attachment may use: what is left, less what the later
	// ones keep for their links.
	own := linkCost(uri, name)
	a.reserved = max(0, a.reserved-own)
	room := a.budget - a.used - a.reserved
	contents, err := read(ctx, uri)
	var note string
	if err == nil {
		size := 0
		for _, c := range contents {
			if t, ok := c.(mcp.TextResourceContents); ok {
				size += utf8.RuneCountInString(t.Text)
			}
		}
		if len(contents) > 0 && size <= room {
			a.used += size
			for _, c := range contents {
				a.msgs = append(a.msgs, mcp.NewPromptMessage(mcp.RoleUser, mcp.NewEmbeddedResource(c)))
			}
			return
		}
		note = fmt.Sprintf("%s is %d characters, over what is left of the %d-character budget: read it", uri, size, a.budget)
	} else {
		note = "reading " + uri + " failed: " + cut(err.Error(), 200)
	}
	note = cut(note, max(0, room-own))
	a.used += own + utf8.RuneCountInString(note)
	a.msgs = append(a.msgs, mcp.NewPromptMessage(mcp.RoleUser, mcp.NewResourceLink(uri, name, note, mime)))
}

// linkCost is what a link to uri named name costs at least: attach's
// fallback, before its note.
func linkCost(uri, name string) int {
	return utf8.RuneCountInString(uri) + utf8.RuneCountInString(name)
}

func (a *answer) result(desc string) *mcp.GetPromptResult {
	return mcp.NewGetPromptResult(desc, a.msgs)
}

// cut returns s if it has at most n runes, else its first n-1 and "…".
func cut(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	if n <= 0 {
		return ""
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}

// call renders a tool call the way an agent makes it: the tool's name and
// its arguments as JSON, in the order given (pairs of name and value).
func call(tool string, kv ...any) string {
	var b bytes.Buffer
	b.WriteString(tool)
	b.WriteString(" {")
	for i := 0; i+1 < len(kv); i += 2 {
		if i > 0 {
			b.WriteString(", ")
		}
		k, _ := json.Marshal(kv[i])
		v, _ := json.Marshal(kv[i+1])
		b.Write(k)
		b.WriteString(": ")
		b.Write(v)
	}
	b.WriteString("}")
	return b.String()
}

// lines joins non-empty parts with newlines.
func lines(parts ...string) string {
	var kept []string
	for _, p := range parts {
		if p != "" {
			kept = append(kept, p)
		}
	}
	return strings.Join(kept, "\n")
}
