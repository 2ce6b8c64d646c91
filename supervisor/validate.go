package supervisor

import (
	"fmt"
	"slices"
	"strings"

	"github.com/sprites-mcp/sprites-mcp/internal/wire"
)

// validateName refuses names the API could not route or the log directory
// could not hold, by the one rule the client applies too (wire.ValidateName).
func validateName(name string) error {
	return wire.ValidateName(wire.KindService, name)
}

// definition is an immutable service definition: replaced whole on update,
// never changed in place, so a snapshot can be shared without copying. It
// is not wire.ServiceRequest, though it has its fields and JSON keys (so
// state.json reads like a PUT body): it has no name (the name is the key
// it is stored under), it holds only what definitionFrom checked, and it
// carries the runtime's own methods.
type definition struct {
	Cmd      string            `json:"cmd"`
	Args     []string          `json:"args,omitempty"`
	Env      map[string]string `json:"env,omitempty"`
	Dir      string            `json:"dir,omitempty"`
	Needs    []string          `json:"needs,omitempty"`
	HTTPPort *int              `json:"http_port,omitempty"`
}

// definitionFrom checks a PUT body and turns it into a definition. Graph
// checks (unknown needs, cycles, ports) need the other services and are
// done by the runtime.
func definitionFrom(name string, req ServiceRequest) (definition, error) {
	if req.Name != "" && req.Name != name {
		return definition{}, fmt.Errorf("body names service %q but the URL names %q; drop \"name\" from the body", req.Name, name)
	}
	if strings.TrimSpace(req.Cmd) == "" {
		return definition{}, fmt.Errorf("cmd is required: the executable to run, with its arguments in args")
	}
	for k := range req.Env {
		if k == "" || strings.ContainsAny(k, "=\x00") {
			return definition{}, fmt.Errorf("env key %q is invalid: it must be non-empty and contain no '=' or NUL", k)
		}
		if strings.ContainsRune(req.Env[k], 0) {
			return definition{}, fmt.Errorf("env value of %q contains a NUL byte", k)
		}
	}
	if req.HTTPPort != nil && (*req.HTTPPort < 1 || *req.HTTPPort > 65535) {
		return definition{}, fmt.Errorf("http_port %d is out of range 1-65535", *req.HTTPPort)
	}
	var needs []string
	for _, n := range req.Needs {
		if err := validateName(n); err != nil {
			return definition{}, fmt.Errorf("needs: %w", err)
		}
		if n == name {
			return definition{}, fmt.Errorf("dependency cycle: %s → %s", name, name)
		}
		if !slices.Contains(needs, n) {
			needs = append(needs, n)
		}
	}
	d := definition{
		Cmd:   req.Cmd,
		Args:  slices.Clone(req.Args),
		Dir:   req.Dir,
		Needs: needs,
	}
	if len(req.Env) > 0 {
		d.Env = make(map[string]string, len(req.Env))
		for k, v := range req.Env {
			d.Env[k] = v
		}
	}
	if req.HTTPPort != nil {
		d.HTTPPort = intPtr(*req.HTTPPort)
	}
	return d, nil
}

// equal reports whether two definitions would run the same process.
func (d definition) equal(o definition) bool {
	samePort := (d.HTTPPort == nil) == (o.HTTPPort == nil) &&
		(d.HTTPPort == nil || *d.HTTPPort == *o.HTTPPort)
	return d.Cmd == o.Cmd && slices.Equal(d.Args, o.Args) && d.Dir == o.Dir &&
		slices.Equal(d.Needs, o.Needs) && samePort && mapsEqual(d.Env, o.Env)
}

func mapsEqual(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}

// findCycle looks for a dependency path from start back to itself, given
// needsOf (which already includes start's proposed needs). The graph was
// acyclic before the change, so any new cycle passes through start. It
// returns the path as names, first and last equal, or nil.
func findCycle(start string, needsOf func(string) []string) []string {
	visited := map[string]bool{}
	var path []string
	var dfs func(n string) bool
	dfs = func(n string) bool {
		path = append(path, n)
		for _, m := range needsOf(n) {
			if m == start {
				path = append(path, m)
				return true
			}
			if !visited[m] {
				visited[m] = true
				if dfs(m) {
					return true
				}
			}
		}
		path = path[:len(path)-1]
		return false
	}
	if dfs(start) {
		return path
	}
	return nil
}

// topoOrder returns names so that every service comes after what it needs
// (Kahn's algorithm); needs outside names are ignored.
func topoOrder(names []string, needsOf func(string) []string) []string {
	in := make(map[string]bool, len(names))
	for _, n := range names {
		in[n] = true
	}
	indeg := map[string]int{}
	dependents := map[string][]string{}
	for _, n := range names {
		for _, m := range needsOf(n) {
			if in[m] {
				indeg[n]++
				dependents[m] = append(dependents[m], n)
			}
		}
	}
	var queue, order []string
	for _, n := range names {
		if indeg[n] == 0 {
			queue = append(queue, n)
		}
	}
	for len(queue) > 0 {
		n := queue[0]
		queue = queue[1:]
		order = append(order, n)
		for _, d := range dependents[n] {
			if indeg[d]--; indeg[d] == 0 {
				queue = append(queue, d)
			}
		}
	}
	return order
}
