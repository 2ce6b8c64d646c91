package prompts_test

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	mcpclient "github.com/mark3labs/mcp-go/client"
	"github.com/mark3labs/mcp-go/mcp"

	"github.com/sprites-mcp/sprites-mcp/client"
	"github.com/sprites-mcp/sprites-mcp/internal/testenv"
	"github.com/sprites-mcp/sprites-mcp/prompts"
)

func getPrompt(t *testing.T, c *mcpclient.Client, name string, args map[string]string) (*mcp.GetPromptResult, error) {
	t.Helper()
	return c.GetPrompt(testenv.Context(t, 40*time.Second), mcp.GetPromptRequest{Params: mcp.GetPromptParams{Name: name, Arguments: args}})
}

// guide is the text message of a prompt result (always the first).
func guide(t *testing.T, res *mcp.GetPromptResult) string {
	t.Helper()
	if len(res.Messages) == 0 {
		t.Fatal("prompt result has no messages")
	}
	tc, ok := res.Messages[0].Content.(mcp.TextContent)
	if !ok || res.Messages[0].Role != mcp.RoleUser {
		t.Fatalf("first message is %T (%s), want user text", res.Messages[0].Content, res.Messages[0].Role)
	}
	return tc.Text
}

// embedded returns the attached resources by URI.
func embedded(res *mcp.GetPromptResult) map[string]mcp.TextResourceContents {
	out := map[string]mcp.TextResourceContents{}
	for _, m := range res.Messages {
		if er, ok := m.Content.(mcp.EmbeddedResource); ok {
			if tc, ok := er.Resource.(mcp.TextResourceContents); ok {
				out[tc.URI] = tc
			}
		}
	}
	return out
}

// size counts every character of text a prompt result carries, as the
// budget counts them.
func size(res *mcp.GetPromptResult) int {
	n := 0
	for _, m := range res.Messages {
		switch c := m.Content.(type) {
		case mcp.TextContent:
			n += utf8.RuneCountInString(c.Text)
		case mcp.EmbeddedResource:
			if tc, ok := c.Resource.(mcp.TextResourceContents); ok {
				n += utf8.RuneCountInString(tc.Text)
			}
		case mcp.ResourceLink:
			n += utf8.RuneCountInString(c.URI + c.Name + c.Description)
		}
	}
	return n
}

func mustContain(t *testing.T, what, text string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(text, w) {
			t.Errorf("%s lacks %q:\n%s", what, w, text)
		}
	}
}

// TestPromptsListed checks the surface: three prompts, their arguments and
// which are required, under both revisions.
func TestPromptsListed(t *testing.T) {
	h := newHarness(t, 8000)
	for _, p := range protocols {
		t.Run(p.Name, func(t *testing.T) {
			c := h.connect(p.Opts, p.Name)
			res, err := c.ListPrompts(testenv.Context(t, 10*time.Second), mcp.ListPromptsRequest{})
			if err != nil {
				t.Fatal(err)
			}
			got := map[string][]string{}
			for _, pr := range res.Prompts {
				if pr.Description == "" {
					t.Errorf("%s has no description", pr.Name)
				}
				for _, a := range pr.Arguments {
					name := a.Name
					if a.Required {
						name += "*"
					}
					got[pr.Name] = append(got[pr.Name], name)
				}
			}
			want := map[string][]string{
				"debug_service":  {"service_name*", "sprite"},
				"deploy_service": {"service_name*", "cmd*", "http_port", "needs", "sprite"},
				"status_report":  {"sprite"},
			}
			for k, v := range want {
				if !slices.Equal(got[k], v) {
					t.Errorf("%s arguments %v, want %v", k, got[k], v)
				}
			}
			if len(got) != len(want) {
				t.Errorf("prompts %v, want %d", got, len(want))
			}
		})
	}
}

// TestReadOnly: a read-only server does not offer deploy_service, whose
// steps it would refuse.
func TestReadOnly(t *testing.T) {
	h := newHarness(t, 8000, func(d *prompts.Deps) { d.ReadOnly = true })
	c := h.connect(nil, mcp.ProtocolVersion20260728)
	res, err := c.ListPrompts(testenv.Context(t, 10*time.Second), mcp.ListPromptsRequest{})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, p := range res.Prompts {
		names = append(names, p.Name)
	}
	if !slices.Equal(names, []string{"debug_service", "status_report"}) {
		t.Errorf("read-only prompts %v, want debug_service and status_report", names)
	}
	if _, err := getPrompt(t, c, "deploy_service", map[string]string{"service_name": "web", "cmd": "x"}); err == nil {
		t.Error("deploy_service answered on a read-only server")
	}
}

// TestDebugCrashLoop: a service that prints noise, then a FATAL line on
// stderr, and exits 1. The prompt says it is failing, with restarts and
// the next restart, names the FATAL line as the cause, quotes the last
// stderr lines, points at the tools to call, and attaches the state and
// the log tail with the resources' URIs and contents. (The pause lets the
// noise reach the log before the stderr lines: stdout and stderr are two
// pipes, and the 40-line tail must end with the crash for the check.)
func TestDebugCrashLoop(t *testing.T) {
	h := newHarness(t, 8000)
	h.create("app", client.ServiceRequest{Cmd: "sh", Args: []string{"-c",
		`i=0; while [ $i -lt 300 ]; do echo "noise line $i"; i=$((i+1)); done; sleep 0.2; echo "warming up" >&2; echo "FATAL: config file /etc/app.yaml not found" >&2; exit 1`}})
	h.waitFor("app", func(s *client.Service) bool { return s.State.RestartCount >= 1 && !s.State.NextRestartAt.IsZero() })

	for _, p := range protocols {
		t.Run(p.Name, func(t *testing.T) {
			c := h.connect(p.Opts, p.Name)
			res, err := getPrompt(t, c, "debug_service", map[string]string{"service_name": "app"})
			if err != nil {
				t.Fatal(err)
			}
			text := guide(t, res)
			t.Logf("debug_service app:\n%s", text)
			mustContain(t, "debug_service", text,
				"Debug app on local", "Why: FATAL: config file /etc/app.yaml not found",
				"restart", "crash-looping", "warming up",
				`service_logs {"service_name": "app", "stream": "stderr"`, "service_stop", "service_restart")
			// The state line: failed (or starting again), the exit code, restarts.
			if !strings.Contains(text, "exit") || !strings.Contains(text, "restart") {
				t.Errorf("state line lacks the exit and restarts:\n%s", text)
			}
			if strings.Contains(text, "noise line 150") {
				t.Errorf("the guide quotes stdout noise:\n%s", text)
			}
			att := embedded(res)
			st, ok := att["sprites://local/services/app"]
			if !ok || st.MIMEType != "application/json" {
				t.Fatalf("state not attached (have %v)", keys(att))
			}
			var js struct {
				Name  string `json:"name"`
				State struct {
					RestartCount int `json:"restart_count"`
				} `json:"state"`
			}
			if err := json.Unmarshal([]byte(st.Text), &js); err != nil || js.Name != "app" || js.State.RestartCount < 1 {
				t.Errorf("attached state %s (err %v)", st.Text, err)
			}
			lg, ok := att["sprites://local/services/app/logs?lines=40"]
			if !ok || lg.MIMEType != "text/plain" {
				t.Fatalf("log tail not attached (have %v)", keys(att))
			}
			mustContain(t, "attached log tail", lg.Text, "FATAL: config file")
			if n := size(res); n > 8000 {
				t.Errorf("prompt is %d characters, over the 8000 budget", n)
			}
		})
	}
}

func keys[V any](m map[string]V) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

// TestDebugAttachesWhatResourcesServe: for a steady service, the attached
// state and log tail are exactly what a resources/read of the same URIs
// returns.
func TestDebugAttachesWhatResourcesServe(t *testing.T) {
	h := newHarness(t, 8000)
	h.create("web", client.ServiceRequest{Cmd: "sh", Args: []string{"-c", `echo "serving on 8080"; echo "slow request" >&2; exec sleep 1000`}})
	h.waitFor("web", running)
	time.Sleep(200 * time.Millisecond) // its two lines reach the log
	for _, p := range protocols {
		t.Run(p.Name, func(t *testing.T) {
			c := h.connect(p.Opts, p.Name)
			res, err := getPrompt(t, c, "debug_service", map[string]string{"service_name": "web", "sprite": "local"})
			if err != nil {
				t.Fatal(err)
			}
			text := guide(t, res)
			mustContain(t, "debug_service", text, "State: running", "pid ", "slow request", "service_restart")
			if strings.Contains(text, "Why:") {
				t.Errorf("a running service gets a 'Why':\n%s", text)
			}
			att := embedded(res)
			for _, uri := range []string{"sprites://local/services/web", "sprites://local/services/web/logs?lines=40"} {
				rr, err := c.ReadResource(testenv.Context(t, 10*time.Second), mcp.ReadResourceRequest{Params: mcp.ReadResourceParams{URI: uri}})
				if err != nil {
					t.Fatal(err)
				}
				want := rr.Contents[0].(mcp.TextResourceContents)
				if got, ok := att[uri]; !ok || got.Text != want.Text || got.MIMEType != want.MIMEType {
					t.Errorf("attached %s = %q (present %v), resources/read gives %q", uri, got.Text, ok, want.Text)
				}
			}
		})
	}
}

// TestDebugMissing: a missing service is an error naming the closest
// service and what exists; a bad name or an unknown argument is refused
// with what is accepted.
func TestDebugMissing(t *testing.T) {
	h := newHarness(t, 8000)
	h.create("web", client.ServiceRequest{Cmd: "sleep", Args: []string{"1000"}})
	h.create("worker", client.ServiceRequest{Cmd: "sleep", Args: []string{"1000"}})
	for _, p := range protocols {
		t.Run(p.Name, func(t *testing.T) {
			c := h.connect(p.Opts, p.Name)
			cases := []struct {
				args  map[string]string
				wants []string
			}{
				{map[string]string{"service_name": "wbe"}, []string{`no service "wbe" on local`, `did you mean "web"?`, "web, worker"}},
				{map[string]string{"service_name": "../x"}, []string{`service name "../x" contains '/'`, "a name is 1 to 63"}},
				{map[string]string{"service_name": "web", "sprite": "prod"}, []string{`no sprite "prod"`, `"local"`}},
				{map[string]string{"service_name": "web", "lines": "5"}, []string{`unknown argument "lines"`, "service_name, sprite"}},
				{map[string]string{}, []string{"service_name is required"}},
			}
			for _, tc := range cases {
				_, err := getPrompt(t, c, "debug_service", tc.args)
				if err == nil {
					t.Errorf("%v: no error", tc.args)
					continue
				}
				mustContain(t, fmt.Sprintf("error for %v", tc.args), err.Error(), tc.wants...)
			}
		})
	}
}

// TestDebugBudget: a service whose every line is long and error-looking
// still gets a prompt within a small budget, the guide whole and the
// attachment that does not fit turned into a link.
func TestDebugBudget(t *testing.T) {
	for _, budget := range []int{1000, 1500} {
		t.Run(fmt.Sprint(budget), func(t *testing.T) { testDebugBudget(t, budget) })
	}
}

func testDebugBudget(t *testing.T, budget int) {
	h := newHarness(t, budget)
	h.create("loud", client.ServiceRequest{Cmd: "sh", Args: []string{"-c",
		`i=0; while [ $i -lt 200 ]; do echo "ERROR $i $(printf 'x%.0s' $(seq 1 400))" >&2; i=$((i+1)); done; exec sleep 1000`}})
	h.waitFor("loud", running)
	time.Sleep(500 * time.Millisecond)
	for _, p := range protocols {
		t.Run(p.Name, func(t *testing.T) {
			c := h.connect(p.Opts, p.Name)
			res, err := getPrompt(t, c, "debug_service", map[string]string{"service_name": "loud"})
			if err != nil {
				t.Fatal(err)
			}
			if n := size(res); n > budget {
				t.Errorf("prompt is %d characters, over the %d budget", n, budget)
			}
			text := guide(t, res)
			mustContain(t, "guide", text, "State: running", "Next:", "Attached:")
			var links int
			for _, m := range res.Messages {
				if l, ok := m.Content.(mcp.ResourceLink); ok {
					links++
					mustContain(t, "link", l.URI, "sprites://local/services/loud")
				}
			}
			if links == 0 {
				t.Errorf("a %d-character budget cannot hold the log tail, yet nothing was linked", budget)
			}
		})
	}
}

// TestDeploy: the steps name the calls with their arguments (ready, the
// port, the needs), warn about a port another service holds and a name
// already taken, and refuse a need that does not exist.
func TestDeploy(t *testing.T) {
	h := newHarness(t, 8000)
	port := 18000 + int(time.Now().UnixNano()%1000)
	h.create("db", client.ServiceRequest{Cmd: "sleep", Args: []string{"1000"}, HTTPPort: &port})
	for _, p := range protocols {
		t.Run(p.Name, func(t *testing.T) {
			c := h.connect(p.Opts, p.Name)
			res, err := getPrompt(t, c, "deploy_service", map[string]string{
				"service_name": "web", "cmd": "python3 -m http.server 8080", "http_port": "8080", "needs": "db"})
			if err != nil {
				t.Fatal(err)
			}
			text := guide(t, res)
			mustContain(t, "deploy_service", text,
				`service_create {"service_name": "web", "cmd": "python3", "args": ["-m","http.server","8080"], "http_port": 8080, "needs": ["db"], `+
					`"env": {"PYTHONUNBUFFERED":"1"}, "ready": `,
				`"duration": "30s"`, "service_get", "HTTP request to port 8080",
				`service_logs {"service_name": "web", "lines": 50}`, "service_stop", "service_delete", "debug_service")

			// A shell line runs under sh -c; the port db holds is flagged.
			res, err = getPrompt(t, c, "deploy_service", map[string]string{
				"service_name": "db", "cmd": "echo hi | cat", "http_port": fmt.Sprint(port)})
			if err != nil {
				t.Fatal(err)
			}
			text = guide(t, res)
			mustContain(t, "deploy_service", text, `"cmd": "sh", "args": ["-c","exec echo hi | cat"]`, "db already exists on local")
			if strings.Contains(text, "PYTHONUNBUFFERED\":") {
				t.Errorf("deploy_service: a shell line got python's env:\n%s", text)
			}

			res, err = getPrompt(t, c, "deploy_service", map[string]string{
				"service_name": "api", "cmd": "./api", "http_port": fmt.Sprint(port)})
			if err != nil {
				t.Fatal(err)
			}
			mustContain(t, "deploy_service", guide(t, res), fmt.Sprintf("db already holds http_port %d", port))

			for args, want := range map[string]string{
				`{"service_name":"api","cmd":"./api","needs":"dbb"}`:   `no service "dbb" on local; did you mean "db"?`,
				`{"service_name":"api","cmd":"./api","http_port":"0"}`: "http_port must be a whole number from 1 to 65535",
				`{"service_name":"api","cmd":"./api","needs":"api"}`:   "cannot need itself",
				`{"service_name":"api"}`:                               "cmd is required",
				`{"service_name":"a b","cmd":"x"}`:                     `service name "a b" contains a space`,
			} {
				var a map[string]string
				_ = json.Unmarshal([]byte(args), &a)
				if _, err := getPrompt(t, c, "deploy_service", a); err == nil || !strings.Contains(err.Error(), want) {
					t.Errorf("%s: error %v, want %q", args, err, want)
				}
			}
		})
	}
}

// TestStatusReport: failing services first, each with the line that says
// why; healthy ones after, one line each.
func TestStatusReport(t *testing.T) {
	h := newHarness(t, 8000)
	h.create("web", client.ServiceRequest{Cmd: "sleep", Args: []string{"1000"}})
	h.create("broken", client.ServiceRequest{Cmd: "sh", Args: []string{"-c", `echo "panic: nil map" >&2; exit 2`}})
	h.waitFor("web", running)
	h.waitFor("broken", func(s *client.Service) bool { return s.State.RestartCount >= 1 })
	for _, p := range protocols {
		t.Run(p.Name, func(t *testing.T) {
			c := h.connect(p.Opts, p.Name)
			// broken is failed between its crashes but starting for a
			// moment at each restart (1 s, then 2 s, ... apart): a report
			// taken in that moment lists it as starting. Ask again then.
			var text string
			for end := time.Now().Add(10 * time.Second); ; time.Sleep(50 * time.Millisecond) {
				res, err := getPrompt(t, c, "status_report", nil)
				if err != nil {
					t.Fatal(err)
				}
				text = guide(t, res)
				if strings.Contains(text, "why: ") || time.Now().After(end) {
					break
				}
			}
			mustContain(t, "status_report", text, "Status of local: 2 services", "why: panic: nil map", "- web: running", "debug_service")
			if strings.Index(text, "- broken") > strings.Index(text, "- web") {
				t.Errorf("the failing service does not come first:\n%s", text)
			}
		})
	}
}

// TestComplete checks mcp-go's prompt completion path end to end (it
// reaches our provider with the prompt's name and the arguments already
// chosen) and what we offer: live service names for debug_service, the
// rest of a comma-separated needs list for deploy_service, the sprite.
func TestComplete(t *testing.T) {
	h := newHarness(t, 8000)
	for _, n := range []string{"web", "worker", "db"} {
		h.create(n, client.ServiceRequest{Cmd: "sleep", Args: []string{"1000"}})
	}
	for _, p := range protocols {
		t.Run(p.Name, func(t *testing.T) {
			c := h.connect(p.Opts, p.Name)
			complete := func(prompt, arg, value string, ctxArgs map[string]string) []string {
				t.Helper()
				res, err := c.Complete(testenv.Context(t, 10*time.Second), mcp.CompleteRequest{Params: mcp.CompleteParams{
					Ref:      mcp.PromptReference{Type: "ref/prompt", Name: prompt},
					Argument: mcp.CompleteArgument{Name: arg, Value: value},
					Context:  mcp.CompleteContext{Arguments: ctxArgs},
				}})
				if err != nil {
					t.Fatalf("complete %s %s=%q: %v", prompt, arg, value, err)
				}
				return res.Completion.Values
			}
			check := func(got []string, want ...string) {
				t.Helper()
				if want == nil {
					want = []string{}
				}
				if !slices.Equal(got, want) {
					t.Errorf("completion %q, want %q", got, want)
				}
			}
			check(complete("debug_service", "service_name", "", nil), "db", "web", "worker")
			check(complete("debug_service", "service_name", "w", map[string]string{"sprite": "local"}), "web", "worker")
			check(complete("debug_service", "service_name", "w", map[string]string{"sprite": "elsewhere"}))
			check(complete("debug_service", "sprite", "lo", nil), "local")
			check(complete("deploy_service", "needs", "", map[string]string{"service_name": "api"}), "db", "web", "worker")
			check(complete("deploy_service", "needs", "db,w", map[string]string{"service_name": "web"}), "db,worker")
			check(complete("deploy_service", "service_name", "", nil)) // a new name: nothing to offer
			check(complete("status_report", "sprite", "", nil), "local")
		})
	}
}
