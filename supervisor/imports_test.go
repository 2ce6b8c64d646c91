//go:build linux

package supervisor

import (
	"go/parser"
	"go/token"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestImportsStandAlone keeps the runtime apart from the rest of the
// repository: of this module it shares only the wire contract and the
// backoff schedule, two leaf packages of the standard library.
func TestImportsStandAlone(t *testing.T) {
	const mod = "github.com/sprites-mcp/sprites-mcp/"
	allowed := []string{"golang.org/x/sys/",
		mod + "internal/wire", mod + "internal/backoff"}
	files, _ := filepath.Glob("*.go")
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		ast, err := parser.ParseFile(token.NewFileSet(), f, nil, parser.ImportsOnly)
		if err != nil {
			t.Fatal(err)
		}
		for _, imp := range ast.Imports {
			path, _ := strconv.Unquote(imp.Path.Value)
			std := !strings.Contains(strings.SplitN(path, "/", 2)[0], ".")
			ok := std
			for _, a := range allowed {
				ok = ok || strings.HasPrefix(path, a)
			}
			if !ok {
				t.Errorf("%s imports %s: the supervisor may use only the standard library, x/sys, internal/wire and internal/backoff", f, path)
			}
		}
	}
}
