// Command gendocs rewrites the README's tool table, between the
// <!-- tools:begin --> and <!-- tools:end --> markers, from the tools'
// own surface: the names, descriptions, input schemas and hints that
// tools.All declares. Run it with
//
//	go generate ./tools
//
// (tools/doc.go holds the directive). Its test fails while the README is
// stale.
package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"slices"
	"strings"

	"github.com/mark3labs/mcp-go/server"

	"github.com/sprites-mcp/sprites-mcp/tools"
)

const begin, end = "<!-- tools:begin -->", "<!-- tools:end -->"

func main() {
	readme := flag.String("readme", "README.md", "the README whose tool table to rewrite")
	flag.Parse()
	if err := rewrite(*readme); err != nil {
		fmt.Fprintln(os.Stderr, "gendocs:", err)
		os.Exit(1)
	}
}

// rewrite puts the current table into the README at path, writing only
// when it changed.
func rewrite(path string) error {
	doc, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	out, err := splice(string(doc), table(tools.All(tools.Deps{})))
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	if out == string(doc) {
		return nil
	}
	return os.WriteFile(path, []byte(out), 0o644)
}

// splice replaces what lies between the markers with the table.
func splice(doc, table string) (string, error) {
	i, j := strings.Index(doc, begin), strings.Index(doc, end)
	if i < 0 || j < i {
		return "", fmt.Errorf("no %s … %s markers: add them where the tool table goes", begin, end)
	}
	return doc[:i+len(begin)] + "\n" + table + doc[j:], nil
}

// table renders the tool table: name, what the tool does (its
// description's first sentence), its arguments (required ones in bold) and
// its hints.
func table(ts []server.ServerTool) string {
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

// propertyOrder returns the keys of the top-level "properties" object in
// the order they appear (a Go map would forget it).
func propertyOrder(raw json.RawMessage) []string {
	var top map[string]json.RawMessage
	if json.Unmarshal(raw, &top) != nil {
		return nil
	}
	dec := json.NewDecoder(bytes.NewReader(top["properties"]))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return nil
	}
	var keys []string
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return keys
		}
		keys = append(keys, tok.(string))
		var skip json.RawMessage
		if dec.Decode(&skip) != nil {
			return keys
		}
	}
	return keys
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
