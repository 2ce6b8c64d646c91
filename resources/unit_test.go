package resources

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/sprites-mcp/sprites-mcp/client"
)

// TestTailBounds: whatever the lines, a tail keeps the newest that fit both
// the count and the budget, in order, and counts the rest exactly.
func TestTailBounds(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for iter := range 300 {
		maxLines := 1 + rng.IntN(300)
		budget := 200 + rng.IntN(3000)
		n := rng.IntN(600)
		tl := newTail(maxLines, budget)
		var all []string
		for i := range n {
			line := fmt.Sprintf("%d:%s", i, strings.Repeat("é", rng.IntN(120)))
			all = append(all, line)
			tl.add(line)
		}
		kept := tl.ring.Items()
		chars := 0
		for _, l := range kept {
			chars += utf8.RuneCountInString(l) + 1
		}
		if chars > budget {
			t.Fatalf("iter %d: %d characters kept over a %d budget", iter, chars, budget)
		}
		if len(kept) > maxLines {
			t.Fatalf("iter %d: %d lines kept over %d", iter, len(kept), maxLines)
		}
		if n > 0 && len(kept) == 0 {
			t.Fatalf("iter %d: nothing kept of %d lines", iter, n)
		}
		// The kept lines are the newest, in order.
		for i, l := range kept {
			if want := all[n-len(kept)+i]; l != want {
				t.Fatalf("iter %d: kept line %d is %q, want %q", iter, i, l, want)
			}
		}
		if got, want := tl.omitted(), min(n, maxLines)-len(kept); got != want {
			t.Fatalf("iter %d: omitted %d, want %d", iter, got, want)
		}
	}
}

// TestTailRender: notes for omitted lines and a cut stream, within budget.
func TestTailRender(t *testing.T) {
	tl := newTail(100, 700)
	for i := range 100 {
		tl.add(fmt.Sprintf("line %03d %s", i, strings.Repeat("x", 40)))
	}
	out := tl.render(ref{kind: kindLogs, sprite: "local", service: "web"}, fmt.Errorf("connection reset"))
	if n := utf8.RuneCountInString(out); n > 700+notesReserve {
		t.Errorf("rendered %d characters over %d", n, 700+notesReserve)
	}
	if !strings.HasPrefix(out, fmt.Sprintf("… %d earlier lines not shown", tl.omitted())) {
		t.Errorf("no omitted note first:\n%s", out)
	}
	if !strings.Contains(out, "line 099") || !strings.HasSuffix(out, "… log of web on local cut short: connection reset\n") {
		t.Errorf("newest line or cut note missing:\n%s", out)
	}
}

func svc(name string, pid int) client.Service {
	return client.Service{Name: name, Cmd: "sleep", Args: []string{"1000"},
		State: client.State{Status: client.StatusRunning, PID: pid, RestartCount: 2}}
}

// TestRenderListBudget: the list stays valid JSON within budget and says how
// many services it left out.
func TestRenderListBudget(t *testing.T) {
	var svcs []client.Service
	for i := range 200 {
		svcs = append(svcs, svc(fmt.Sprintf("service-%03d", i), 1000+i))
	}
	for _, budget := range []int{1000, 4000, 8000, 100000} {
		out := renderList("local", svcs, budget)
		if n := utf8.RuneCountInString(out); n > budget {
			t.Errorf("budget %d: list of %d characters", budget, n)
		}
		var l listJSON
		if err := json.Unmarshal([]byte(out), &l); err != nil {
			t.Fatalf("budget %d: not JSON: %v\n%s", budget, err, out)
		}
		if l.Count != 200 || len(l.Services)+l.Omitted != 200 || l.Truncated != (l.Omitted > 0) {
			t.Errorf("budget %d: count %d, shown %d, omitted %d, truncated %v", budget, l.Count, len(l.Services), l.Omitted, l.Truncated)
		}
		if budget == 100000 && l.Truncated {
			t.Errorf("200 services do not fit 100000 characters?")
		}
		if len(l.Services) > 0 && (l.Services[0].Name != "service-000" || l.Services[0].PID != 1000 || l.Services[0].RestartCount != 2) {
			t.Errorf("budget %d: first entry %+v", budget, l.Services[0])
		}
	}
}

// TestRenderServiceBudget: a service with a huge env and args stays within
// budget, valid JSON, and says what it cut.
func TestRenderServiceBudget(t *testing.T) {
	s := svc("web", 42)
	s.Env = map[string]string{}
	for i := range 100 {
		s.Env[fmt.Sprintf("VAR_%03d", i)] = strings.Repeat("v", 300)
	}
	s.Env["GITHUB_TOKEN"] = "ghp_abcdefghijklmnopqrstuvwxyz0123456789"
	for range 50 {
		s.Args = append(s.Args, strings.Repeat("a", 200))
	}
	for _, budget := range []int{1000, 8000, 40000, 1 << 20} {
		out := renderService("local", &s, budget)
		if n := utf8.RuneCountInString(out); n > budget {
			t.Errorf("budget %d: %d characters", budget, n)
		}
		var got serviceJSON
		if err := json.Unmarshal([]byte(out), &got); err != nil {
			t.Fatalf("budget %d: not JSON: %v", budget, err)
		}
		if got.Name != "web" || got.State.PID != 42 || got.LogsURI != "sprites://local/services/web/logs" {
			t.Errorf("budget %d: %+v", budget, got)
		}
		if budget < 1<<20 && (!got.Truncated || got.Note == "") {
			t.Errorf("budget %d: cut without saying so", budget)
		}
		if strings.Contains(out, "ghp_abcdefghijklmnopqrstuvwxyz0123456789") {
			t.Errorf("budget %d: the token shows", budget)
		}
	}
}

// TestRenderServiceLastResort: when even without args and env the service
// does not fit (long cmd, dir and error, many long needs), the last step
// still keeps it within budget, as valid JSON that says what it cut.
func TestRenderServiceLastResort(t *testing.T) {
	s := svc("web", 42)
	s.Cmd = "/" + strings.Repeat("c", 600)
	s.Dir = "/" + strings.Repeat("d", 600)
	s.State.Error = strings.Repeat("e", 600)
	s.Args = []string{"x"}
	for i := range 200 {
		s.Needs = append(s.Needs, fmt.Sprintf("need-%03d-%s", i, strings.Repeat("n", 50)))
	}
	for _, budget := range []int{1000, 2000, 5000} {
		out := renderService("local", &s, budget)
		if n := utf8.RuneCountInString(out); n > budget {
			t.Errorf("budget %d: %d characters", budget, n)
		}
		var got serviceJSON
		if err := json.Unmarshal([]byte(out), &got); err != nil {
			t.Fatalf("budget %d: not JSON: %v", budget, err)
		}
		if got.Name != "web" || !got.Truncated || !strings.Contains(got.Note, "needs shown") {
			t.Errorf("budget %d: %+v", budget, got)
		}
	}
}

// TestRenderSharesStateRules: the resource reads a service's state by the
// same rules as service_get (package present): a requested stop that the
// runtime reports as failed reads stopped, and the error is cleaned.
func TestRenderSharesStateRules(t *testing.T) {
	s := svc("web", 42)
	s.State = client.State{Status: client.StatusFailed, PID: 42, Error: "\x1b[31mexited with code 143\x1b[0m"}
	var got serviceJSON
	if err := json.Unmarshal([]byte(renderService("local", &s, 8000)), &got); err != nil {
		t.Fatal(err)
	}
	if got.State.Status != "stopped" || got.State.RuntimeStatus != "failed" || got.State.PID != 0 || got.State.Error != "exited with code 143" {
		t.Errorf("state = %+v", got.State)
	}
}
