package tools

import (
	"context"
	"encoding/json"
	"fmt"
	"runtime/debug"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	mcpclient "github.com/mark3labs/mcp-go/client"
	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"

	"github.com/sprites-mcp/sprites-mcp/client"
	"github.com/sprites-mcp/sprites-mcp/internal/faultserver"
	"github.com/sprites-mcp/sprites-mcp/prompts"
	"github.com/sprites-mcp/sprites-mcp/resources"
)

// The backend client's limits in the fault tests: short, so a fault that
// would hang costs seconds, yet long enough that a healthy answer on a
// loaded two-core machine under the race detector is never taken for a
// hung one (the same figures as the client's own fault table).
const (
	ftHeader = 3 * time.Second
	ftRead   = 5 * time.Second
	ftMargin = 2 * time.Second
	// ftWindow is the duration every watching tool is given.
	ftWindow = 300 * time.Millisecond
	// ftBound is how long one tool call may take: a tool waits out at most
	// a stream and a read (a start, then the read of its final state) or
	// two reads, each within its limit. (A 404 leads to more reads, to
	// suggest a name, but the fault server answers those at once.)
	ftBound = ftWindow + ftMargin + 2*ftRead
	// ftSlack is what a loaded machine may add before a call counts as hung.
	ftSlack = 10 * time.Second
	// ftHugeLine is the fault server's long line here: over the client's
	// 32 MB bound on a JSON answer, so list, get and list_sprites must
	// refuse it. The client's own table proves a 100 MB line; through ten
	// tools at once under the race detector that much only measures the
	// machine.
	ftHugeLine = 40 << 20
)

// faultTool is one tool call of the table.
type faultTool struct {
	name   string // the tool
	label  string // the call, when one tool is called twice
	stream bool   // the tool reads an event stream
	args   map[string]any
}

func faultTools() []faultTool {
	w := ftWindow.String()
	return []faultTool{
		{"service_list", "", false, nil},
		{"service_get", "", false, map[string]any{"service_name": "web"}},
		{"service_create", "", true, map[string]any{"service_name": "web", "cmd": "sleep", "args": []any{"1000"}, "duration": w}},
		{"service_start", "", true, map[string]any{"service_name": "web", "duration": w}},
		{"service_stop", "", true, map[string]any{"service_name": "web", "timeout": "1s"}},
		{"service_restart", "", true, map[string]any{"service_name": "web", "duration": w}},
		{"service_logs", "", true, map[string]any{"service_name": "web", "lines": 50}},
		{"service_logs", "service_logs follow", true, map[string]any{"service_name": "web", "duration": w}},
		{"service_delete", "", false, map[string]any{"service_name": "web"}},
		{"service_signal", "", false, map[string]any{"service_name": "web", "signal": "HUP"}},
		{"list_sprites", "", false, nil},
	}
}

// faultBackend is a client of a new fault server with the test's limits.
func faultBackend(t *testing.T, fault faultserver.Fault) *client.Client {
	t.Helper()
	srv := faultserver.New(t, fault)
	srv.HugeLineSize = ftHugeLine
	c, err := client.New(srv.URL, client.WithRetry(3, 10*time.Millisecond),
		client.WithHeaderTimeout(ftHeader), client.WithReadTimeout(ftRead),
		client.WithStreamMargin(ftMargin), client.WithLogger(quiet()))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// faultServer is the whole MCP surface (tools, resources, prompts) built
// as internal/app builds it, on backend c, with an in-process client. It
// has no panic recovery, so a panic fails the test instead of becoming an
// error result.
func faultServer(t *testing.T, c *client.Client) *mcpclient.Client {
	t.Helper()
	res := resources.New(resources.Deps{Services: c, DefaultSprite: "dev", Logger: quiet()})
	t.Cleanup(res.Close)
	pr := prompts.New(prompts.Deps{Services: c, Read: res.Read, DefaultSprite: "dev", Logger: quiet()})
	opts := []server.ServerOption{server.WithToolCapabilities(false)}
	opts = append(opts, res.ServerOptions()...)
	opts = append(opts, pr.ServerOptions()...)
	srv := server.NewMCPServer("sprites-mcp-faults", "0.0.0", opts...)
	srv.AddTools(All(Deps{Services: c, DefaultSprite: "dev", Logger: quiet()})...)
	res.Register(srv)
	pr.Register(srv)
	mc, err := mcpclient.NewInProcessClient(srv)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := mc.Start(ctx); err != nil {
		t.Fatal(err)
	}
	init := mcp.InitializeRequest{}
	init.Params.ClientInfo = mcp.Implementation{Name: "faults-test", Version: "0"}
	if _, err := mc.Initialize(ctx, init); err != nil {
		t.Fatalf("initialize: %v", err)
	}
	t.Cleanup(func() { mc.Close() })
	return mc
}

// bounded runs f, turning a panic into a message and giving up after
// limit (reported as hung): a hung call must fail the test, not hang it.
func bounded(limit time.Duration, f func(ctx context.Context)) (took time.Duration, panicked string, hung bool) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan string, 1)
	start := time.Now()
	go func() {
		defer func() {
			if p := recover(); p != nil {
				done <- fmt.Sprintf("%v\n%s", p, debug.Stack())
			}
		}()
		f(ctx)
		done <- ""
	}()
	select {
	case p := <-done:
		return time.Since(start), p, false
	case <-time.After(limit):
		return time.Since(start), "", true
	}
}

// faultFigures counts what the table drove, for RELIABILITY.md.
type faultFigures struct {
	mu                            sync.Mutex
	calls, errors, successes, cut int
	protocol                      int
	gaps                          int // answers that matched a known gap
	slowest                       time.Duration
}

func (f *faultFigures) gap() {
	f.mu.Lock()
	f.gaps++
	f.mu.Unlock()
}

func (f *faultFigures) add(isErr, cut, protocol bool, took time.Duration) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls++
	switch {
	case protocol:
		f.protocol++
	case isErr:
		f.errors++
	case cut:
		f.cut++
	default:
		f.successes++
	}
	f.slowest = max(f.slowest, took)
}

// TestEveryToolThroughEveryFault drives every tool through every fault of
// the fault server: each call ends within its bound with a tool error
// that says what happened and what to do next, or a result whose summary
// is marked as cut, or (where the fault leaves the answer whole) a plain
// success — never a hang, a panic or a protocol error, except for a
// refused token (401), which is a protocol error by design (errors.go).
func TestEveryToolThroughEveryFault(t *testing.T) {
	faults := append([]faultserver.Fault{faultserver.OK}, faultserver.All()...)
	var figs faultFigures
	// The long lines run alone first: next to the others they starve the
	// healthy answers of CPU on a small machine.
	for _, fault := range faults {
		t.Run(string(fault), func(t *testing.T) {
			if fault != faultserver.HugeLine {
				t.Parallel()
			}
			mc := faultServer(t, faultBackend(t, fault))
			// The calls of one fault run at once: most of them wait out a
			// limit, and the test's parallelism is only the core count.
			var wg sync.WaitGroup
			for _, tc := range faultTools() {
				wg.Go(func() { driveTool(t, mc, fault, tc, &figs) })
			}
			wg.Wait()
		})
	}
	t.Cleanup(func() {
		t.Logf("faults × tools: %d faults (and OK) × %d calls = %d calls: %d tool errors, %d marked cut, %d plain successes, %d protocol errors (401); %d known gaps; slowest %v",
			len(faults)-1, len(faultTools()), figs.calls, figs.errors, figs.cut, figs.successes, figs.protocol, figs.gaps, figs.slowest.Round(time.Millisecond))
	})
}

func driveTool(t *testing.T, mc *mcpclient.Client, fault faultserver.Fault, tc faultTool, figs *faultFigures) {
	label := tc.label
	if label == "" {
		label = tc.name
	}
	var (
		res *mcp.CallToolResult
		err error
	)
	took, panicked, hung := bounded(ftBound+2*ftSlack, func(ctx context.Context) {
		req := mcp.CallToolRequest{}
		req.Params.Name = tc.name
		req.Params.Arguments = tc.args
		res, err = mc.CallTool(ctx, req)
	})
	switch {
	case panicked != "":
		t.Errorf("%s: panic: %s", label, panicked)
		return
	case hung:
		t.Errorf("%s: no answer after %v (hung); its bound is %v", label, took, ftBound)
		return
	case took > ftBound+ftSlack:
		t.Errorf("%s: took %v; its bound is %v", label, took, ftBound)
	}
	if fault == faultserver.Status401 {
		// A refused token is the one protocol error: no retry by the
		// agent fixes it (errors.go).
		if err == nil || !strings.Contains(err.Error(), "unauthorized") {
			t.Errorf("%s: got %v, %s; want a protocol error saying unauthorized", label, err, describe(res))
		}
		figs.add(false, false, true, took)
		return
	}
	if err != nil {
		t.Errorf("%s: protocol error: %v", label, err)
		return
	}
	txt := text(res)
	cut := resultCut(res)
	figs.add(res.IsError, cut, false, took)
	if !utf8.ValidString(txt) || strings.TrimSpace(txt) == "" {
		t.Errorf("%s: empty or invalid text: %q", label, txt)
		return
	}
	msg := checkFaultResult(fault, tc, res.IsError, cut, txt)
	if msg == "" {
		return
	}
	for _, g := range knownGaps {
		if g.match(fault, tc, txt) {
			t.Logf("known gap (%s): %s: %s\n%s", g.fix, label, msg, firstLine(txt))
			figs.gap()
			return
		}
	}
	t.Errorf("%s: %s\n%s", label, msg, txt)
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}

// knownGaps are answers that miss the table's bar today, each with the fix
// it needs in a file this test does not own. They are logged, not failed,
// so that the table guards everything else; remove an entry once it is
// fixed (the table then holds the fix in place).
var knownGaps = []struct {
	fix   string
	match func(fault faultserver.Fault, tc faultTool, txt string) bool
}{}

// describe is a short account of a result for a failure message.
func describe(res *mcp.CallToolResult) string {
	if res == nil {
		return "no result"
	}
	return fmt.Sprintf("isError %v: %s", res.IsError, text(res))
}

// resultCut reports whether a result's structured content says its
// stream was cut.
func resultCut(res *mcp.CallToolResult) bool {
	b := res.RawStructuredContent
	if len(b) == 0 {
		var err error
		if b, err = json.Marshal(res.StructuredContent); err != nil {
			return false
		}
	}
	var v struct {
		Cut bool `json:"cut"`
	}
	_ = json.Unmarshal(b, &v)
	return v.Cut
}

// nextStep are the words with which a message tells the agent what to do.
var nextStep = []string{"retry", "try again", "call ", "wait", "check", "choose", "fix", "leave sprite out",
	"list_sprites", "service_get", "service_list", "service_logs"}

// checkFaultResult says what is wrong with a tool's answer to a fault, or "".
func checkFaultResult(fault faultserver.Fault, tc faultTool, isErr, cut bool, txt string) string {
	says := func(words ...string) bool {
		for _, w := range words {
			if strings.Contains(txt, w) {
				return true
			}
		}
		return false
	}
	// An error must say what happened and what to do next; the tool's own
	// name ("service_list failed: ...") is not a next step.
	if isErr && !slices.ContainsFunc(nextStep, func(w string) bool {
		return strings.Contains(strings.ReplaceAll(txt, tc.name, ""), w)
	}) {
		return "the tool error does not say what to do next"
	}
	ok := !isErr && !cut
	switch fault {
	case faultserver.OK, faultserver.InvalidUTF8:
		// The fault server's service is always running, so a stop whose
		// final read says so is rightly a failure.
		if tc.name == "service_stop" && isErr && says("still running") {
			break
		}
		if !ok {
			return "want a plain success from a healthy answer"
		}
	case faultserver.Status409:
		// The API's 409 to a stop is the truth: already stopped.
		if tc.name == "service_stop" {
			if !ok || !says("stopped") {
				return "want success: a stop answered 'not running' is already stopped"
			}
			break
		}
		if !isErr || !says("conflict", "not running") {
			return "want a tool error naming the conflict"
		}
	case faultserver.Status500, faultserver.Status502, faultserver.Status503:
		if !isErr || !says("50") {
			return "want a tool error naming the server error"
		}
	case faultserver.Status429:
		if !isErr || !says("wait 1s and retry") {
			return "want a tool error saying to wait 1s and retry"
		}
	case faultserver.Status404:
		if tc.name == "list_sprites" {
			// A backend without the sprites route serves one sprite
			// (TestSingleSpriteBackend): a 404 there is that answer.
			if !ok || !says("the only one here") {
				return "want the single-sprite answer"
			}
			break
		}
		if !isErr || !says("no service", "no sprite") {
			return "want a tool error saying what does not exist"
		}
	case faultserver.NoHeaders, faultserver.SlowDrip:
		if !isErr && !cut {
			return "want a tool error or a summary marked as cut"
		}
		if !says("did not answer in time") {
			return "want the message to say the API did not answer in time"
		}
	case faultserver.StallMidStream:
		if tc.name == "service_delete" || tc.name == "service_signal" {
			break // a 204 is whole once its headers are in
		}
		if !isErr && !cut {
			return "want a tool error or a summary marked as cut"
		}
		if !says("did not answer in time") {
			return "want the message to say the API did not answer in time"
		}
	case faultserver.ResetMidStream, faultserver.CutLine:
		if fault == faultserver.CutLine && (tc.name == "service_delete" || tc.name == "service_signal") {
			break // a 204 has no body to cut
		}
		if ok {
			return "want a tool error or a summary marked as cut"
		}
	case faultserver.NoComplete:
		// A stream without complete ended cleanly: what arrived is the
		// answer; the tools say no more than that.
		if isErr && !(tc.name == "service_stop" && says("still running")) {
			return "want a success: the stream ended cleanly"
		}
	case faultserver.HugeLine:
		if tc.stream {
			// Read whole (the line capped, the rest delivered) or cut by
			// the deadline on a slow machine: either way, said. An action
			// whose stream was read but whose state read after it met the
			// huge answer too is a failure that says so.
			if isErr && !says("did not answer in time") && !says("state: could not be read after the stream") {
				return "want the long line capped and the stream read, or a timeout"
			}
			if (ok || isErr) && tc.name != "service_logs" && !says("did not answer in time") && !says("after the long line") {
				return "the line after the long one is missing"
			}
			if ok && tc.name == "service_logs" && !says("after the long line") {
				return "the line after the long one is missing"
			}
			break
		}
		if tc.name != "service_delete" && tc.name != "service_signal" && !isErr {
			return "a 40 MB answer was accepted"
		}
	}
	return ""
}

// TestEveryResourceAndPromptThroughEveryFault reads each resource and
// gets each prompt through every fault: each ends within its bound with
// contents, or an error that says what happened — never a hang or a
// panic. A read's failure is a protocol error by the protocol's design
// (resources/read has no isError); a 401 must be one too.
func TestEveryResourceAndPromptThroughEveryFault(t *testing.T) {
	faults := append([]faultserver.Fault{faultserver.OK}, faultserver.All()...)
	type call struct {
		label string
		do    func(ctx context.Context, mc *mcpclient.Client) (string, error)
	}
	read := func(uri string) call {
		return call{uri, func(ctx context.Context, mc *mcpclient.Client) (string, error) {
			req := mcp.ReadResourceRequest{}
			req.Params.URI = uri
			res, err := mc.ReadResource(ctx, req)
			if err != nil {
				return "", err
			}
			var b strings.Builder
			for _, c := range res.Contents {
				if tc, ok := c.(mcp.TextResourceContents); ok {
					b.WriteString(tc.Text)
				}
			}
			return b.String(), nil
		}}
	}
	prompt := func(name string, args map[string]string) call {
		return call{"prompt " + name, func(ctx context.Context, mc *mcpclient.Client) (string, error) {
			req := mcp.GetPromptRequest{}
			req.Params.Name = name
			req.Params.Arguments = args
			res, err := mc.GetPrompt(ctx, req)
			if err != nil {
				return "", err
			}
			var b strings.Builder
			for _, m := range res.Messages {
				if tc, ok := m.Content.(mcp.TextContent); ok {
					b.WriteString(tc.Text)
				}
			}
			return b.String(), nil
		}}
	}
	calls := []call{
		read("sprites://dev/services"),
		read("sprites://dev/services/web"),
		read("sprites://dev/services/web/logs?lines=50"),
		prompt("debug_service", map[string]string{"service_name": "web"}),
		prompt("status_report", nil),
		prompt("deploy_service", map[string]string{"service_name": "web", "cmd": "sleep 1000"}),
	}
	var mu sync.Mutex
	var total, failed int
	for _, fault := range faults {
		t.Run(string(fault), func(t *testing.T) {
			if fault != faultserver.HugeLine {
				t.Parallel()
			}
			mc := faultServer(t, faultBackend(t, fault))
			var wg sync.WaitGroup
			for _, c := range calls {
				wg.Go(func() {
					var (
						txt string
						err error
					)
					took, panicked, hung := bounded(ftBound+2*ftSlack, func(ctx context.Context) { txt, err = c.do(ctx, mc) })
					mu.Lock()
					total++
					if err != nil {
						failed++
					}
					mu.Unlock()
					switch {
					case panicked != "":
						t.Errorf("%s: panic: %s", c.label, panicked)
					case hung:
						t.Errorf("%s: no answer after %v (hung)", c.label, took)
					case took > ftBound+ftSlack:
						t.Errorf("%s: took %v; its bound is %v", c.label, took, ftBound)
					case err == nil && (strings.TrimSpace(txt) == "" || !utf8.ValidString(txt)):
						t.Errorf("%s: empty or invalid contents %q", c.label, txt)
					case err != nil && (fault == faultserver.OK || fault == faultserver.InvalidUTF8):
						t.Errorf("%s: %v; want contents from a healthy answer", c.label, err)
					case err != nil && strings.TrimSpace(err.Error()) == "":
						t.Errorf("%s: an error without a message", c.label)
					case timeoutFault(fault) && !strings.Contains(txt+errText(err), "did not answer in time"):
						t.Errorf("%s: %q, %v; want it to say the API did not answer in time", c.label, firstLine(txt), err)
					}
				})
			}
			wg.Wait()
		})
	}
	t.Cleanup(func() {
		t.Logf("resources and prompts × faults: %d calls, %d errors, none hung", total, failed)
	})
}

// timeoutFault reports whether a fault holds every read answer back until
// the client's limit.
func timeoutFault(f faultserver.Fault) bool {
	return f == faultserver.NoHeaders || f == faultserver.SlowDrip || f == faultserver.StallMidStream
}

func errText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}
