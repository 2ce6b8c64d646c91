package main

import (
	"os/exec"
	"strings"
	"testing"
)

// TestImportsFlowOneWay keeps the architecture of DESIGN.md section 1:
// main → tools/resources → client, with supervisor standing apart. Each
// package may import only the packages of this module listed for it.
func TestImportsFlowOneWay(t *testing.T) {
	const mod = "github.com/sprites-mcp/sprites-mcp"
	allowed := map[string][]string{
		mod:                       {"client", "resources", "supervisor", "tools"},
		mod + "/client":           {},
		mod + "/schema":           {"client"},
		mod + "/supervisor":       {},
		mod + "/internal/textcut": {},
		mod + "/internal/summary": {"client", "internal/textcut"},
		mod + "/internal/present": {"client", "internal/summary"},
		mod + "/tools":            {"client", "schema", "internal/present", "internal/summary"},
		mod + "/resources":        {"client", "internal/present", "internal/summary"},
	}
	out, err := exec.Command("go", "list", "-f", `{{.ImportPath}} {{join .Imports " "}}`, "./...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	seen := map[string]bool{}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		fields := strings.Fields(line)
		pkg, imports := fields[0], fields[1:]
		ok, known := allowed[pkg]
		if !known {
			if strings.HasPrefix(pkg, mod+"/evals") {
				continue // evals drive everything from outside, like a user
			}
			t.Errorf("package %s is not in the allow-list of imports_test.go: add it with what it may import", pkg)
			continue
		}
		seen[pkg] = true
		for _, imp := range imports {
			if !strings.HasPrefix(imp, mod) {
				continue
			}
			rel := strings.TrimPrefix(strings.TrimPrefix(imp, mod), "/")
			permitted := false
			for _, a := range ok {
				permitted = permitted || a == rel
			}
			if !permitted {
				t.Errorf("%s imports %s; allowed: %v", pkg, imp, ok)
			}
		}
	}
	for pkg := range allowed {
		if !seen[pkg] {
			t.Errorf("allow-list names %s, which no longer exists", pkg)
		}
	}
}
