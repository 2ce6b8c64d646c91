package tools

import (
	"encoding/json"
	"slices"
	"strings"

	"github.com/mark3labs/mcp-go/server"
)

// MarkdownTable renders the README's tool table from the registry: name,
// what the tool does (its description's first sentence), its arguments
// (required ones in bold) and its hints.
func MarkdownTable(ts []server.ServerTool) string {
	var b strings.Builder
	b.WriteString("| tool | what it does | arguments | hints |\n|---|---|---|---|\n")
	for _, st := range ts {
		t := st.Tool
		var req struct {
			Required []string `json:"required"`
		}
		_ = json.Unmarshal(t.RawInputSchema, &req)
		var args []string
		for _, name := range propertyOrder(t.RawInputSchema) {
			if slices.Contains(req.Required, name) {
				args = append(args, "**`"+name+"`**")
			} else {
				args = append(args, "`"+name+"`")
			}
		}
		b.WriteString("| `" + t.Name + "` | " + cell(firstSentence(t.Description)) + " | " +
			strings.Join(args, ", ") + " | " + hintText(st) + " |\n")
	}
	return b.String()
}

// hintText names the hints that are true: "read-only, idempotent".
func hintText(st server.ServerTool) string {
	a := st.Tool.Annotations
	var hints []string
	on := func(p *bool) bool { return p != nil && *p }
	if on(a.ReadOnlyHint) {
		hints = append(hints, "read-only")
	}
	if on(a.DestructiveHint) {
		hints = append(hints, "destructive")
	}
	if on(a.IdempotentHint) {
		hints = append(hints, "idempotent")
	}
	if on(a.OpenWorldHint) {
		hints = append(hints, "open-world")
	}
	if len(hints) == 0 {
		return "–"
	}
	return strings.Join(hints, ", ")
}

// firstSentence is the description up to its first ". " that does not
// end an abbreviation.
func firstSentence(s string) string {
	from := 0
	for {
		i := strings.Index(s[from:], ". ")
		if i < 0 {
			return s
		}
		end := from + i
		if !strings.HasSuffix(s[:end], "e.g") && !strings.HasSuffix(s[:end], "i.e") {
			return s[:end+1]
		}
		from = end + 2
	}
}

// cell escapes a table cell.
func cell(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "|", `\|`), "\n", " ")
}
