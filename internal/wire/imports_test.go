package wire

import (
	"go/parser"
	"go/token"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestLeavesUseOnlyTheStandardLibrary keeps this package and
// internal/backoff leaves: the supervisor imports them, and must reach
// nothing else through them.
func TestLeavesUseOnlyTheStandardLibrary(t *testing.T) {
	files, _ := filepath.Glob("*.go")
	more, _ := filepath.Glob("../backoff/*.go")
	for _, f := range append(files, more...) {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		ast, err := parser.ParseFile(token.NewFileSet(), f, nil, parser.ImportsOnly)
		if err != nil {
			t.Fatal(err)
		}
		for _, imp := range ast.Imports {
			path, _ := strconv.Unquote(imp.Path.Value)
			if strings.Contains(strings.SplitN(path, "/", 2)[0], ".") || strings.HasPrefix(path, "github.com/") {
				t.Errorf("%s imports %s: only the standard library is allowed here", f, path)
			}
		}
	}
	if len(more) == 0 {
		t.Error("found no files of internal/backoff")
	}
}
