package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sprites-mcp/sprites-mcp/tools"
)

// TestReadmeIsCurrent fails while README.md's tool table differs from the
// one gendocs writes.
func TestReadmeIsCurrent(t *testing.T) {
	path := filepath.Join("..", "..", "..", "README.md")
	doc, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read README: %v", err)
	}
	table := table(tools.All(tools.Deps{}))
	want, err := splice(string(doc), table)
	if err != nil {
		t.Fatal(err)
	}
	if want != string(doc) {
		t.Fatalf("README.md tool table is stale; run go generate ./tools\nwant:\n%s", table)
	}
}

// TestTable checks the table's content, independent of the README.
func TestTable(t *testing.T) {
	all := tools.All(tools.Deps{})
	table := table(all)
	lines := strings.Split(strings.TrimSpace(table), "\n")
	if len(lines) != 2+len(all) || len(all) != 10 {
		t.Fatalf("table has %d lines for %d tools:\n%s", len(lines), len(all), table)
	}
	for _, want := range []string{
		"| `service_logs` | Read the latest lines of a service's log",
		"**`service_name`**, **`cmd`**, `args`, `env`, `dir`, `needs`, `http_port`, `duration`, `ready` | destructive, idempotent |",
		"| `service_list` |",
		"`sprite` | read-only, idempotent |",
	} {
		if !strings.Contains(table, want) {
			t.Errorf("table lacks %q:\n%s", want, table)
		}
	}
}

// TestSplice rewrites only between the markers and refuses a README
// without them.
func TestSplice(t *testing.T) {
	doc := "# x\n\n" + begin + "\nold\n" + end + "\nafter\n"
	got, err := splice(doc, "new\n")
	if err != nil || got != "# x\n\n"+begin+"\nnew\n"+end+"\nafter\n" {
		t.Errorf("splice = %q, %v", got, err)
	}
	if _, err := splice("# no markers\n", "new\n"); err == nil {
		t.Error("splice accepted a README without markers")
	}
}

// TestFirstSentence keeps abbreviations inside the first sentence.
func TestFirstSentence(t *testing.T) {
	for in, want := range map[string]string{
		"One. Two.":                     "One.",
		"Use e.g. HUP to reload. More.": "Use e.g. HUP to reload.",
		"No stop":                       "No stop",
	} {
		if got := firstSentence(in); got != want {
			t.Errorf("firstSentence(%q) = %q, want %q", in, got, want)
		}
	}
}
