package main

import (
	"os/exec"
	"strings"
	"testing"
)

// TestImportsFlowOneWay keeps the architecture of docs/ARCHITECTURE.md
// one-way: main → internal/app (the wiring) → the HTTP transport, auth,
// tools, resources and prompts → client → internal/wire, with supervisor
// standing apart and sharing only the standard-library leaves internal/wire
// and internal/backoff. internal/config imports only client, so any layer
// may read its bounds. Each package may import only the packages of this
// module listed for it.
func TestImportsFlowOneWay(t *testing.T) {
	const mod = "github.com/sprites-mcp/sprites-mcp"
	allowed := map[string][]string{
		mod:                              {"internal/app", "internal/config"},
		mod + "/internal/app":            {"client", "supervisor", "tools", "resources", "prompts", "internal/auth", "internal/config", "internal/httpserver", "internal/dashboard"},
		mod + "/internal/httpserver":     {"internal/auth", "internal/config"},
		mod + "/internal/auth":           {"client", "tools", "resources", "internal/config"},
		mod + "/internal/config":         {"client"},
		mod + "/client":                  {"internal/wire", "internal/backoff", "internal/textcut"},
		mod + "/schema":                  {"client", "internal/config"},
		mod + "/internal/dashboard":      {"client", "tools", "resources", "internal/auth", "internal/present"},
		mod + "/supervisor":              {"internal/wire", "internal/backoff"},
		mod + "/internal/wire":           {},
		mod + "/internal/backoff":        {},
		mod + "/internal/summary":        {"client", "internal/config", "internal/textcut"},
		mod + "/internal/present":        {"client", "internal/summary"},
		mod + "/tools":                   {"client", "schema", "internal/config", "internal/present", "internal/summary", "internal/textcut"},
		mod + "/resources":               {"client", "internal/config", "internal/present", "internal/summary", "internal/wire", "internal/textcut"},
		mod + "/prompts":                 {"client", "internal/config", "internal/present", "internal/summary"},
		mod + "/internal/cmd/gendocs":    {"tools"},
		mod + "/internal/cmd/benchfloor": {},
		mod + "/internal/faultserver":    {},
		mod + "/internal/testenv":        {"client", "supervisor"},
		mod + "/internal/textcut":        {},
		mod + "/internal/soak":           {},
		mod + "/internal/httpbench":      {},
	}
	// The leaves that client and supervisor share use the standard library
	// alone, so nothing else is reached through them.
	stdOnly := map[string]bool{mod + "/internal/wire": true, mod + "/internal/backoff": true, mod + "/internal/textcut": true}
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
			if stdOnly[pkg] && strings.Contains(strings.SplitN(imp, "/", 2)[0], ".") {
				t.Errorf("%s imports %s; it may import only the standard library", pkg, imp)
			}
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
