package evals

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
	"unicode/utf8"

	mcpclient "github.com/mark3labs/mcp-go/client"
	"github.com/mark3labs/mcp-go/client/transport"
	"github.com/mark3labs/mcp-go/mcp"
)

// maxResultChars is the --max-result-chars every scenario's server runs
// with, below the default so the bound is visibly the flag's.
const maxResultChars = 6000

// callTimeout bounds one tool call or resource read: far above any watch
// window a scenario asks for, so only a hang trips it.
const callTimeout = 60 * time.Second

// session is one scenario's server: the built binary on a fresh state
// directory, driven over stdio, with every call measured into rec.
type session struct {
	t     *testing.T
	c     *mcpclient.Client
	state string
	mark  string // SMCP_TEST_MARK of the server process
	// svcMark is the SMCP_TEST_MARK every service is given in its env
	// argument, so a check can tell the services' processes from the server.
	svcMark string
	api     *rawAPI
	rec     *record
	// forbidden are strings no tool result, structured content or resource
	// read may contain (a secret under test).
	forbidden []string
}

// result is one tool call's answer as the agent receives it.
type result struct {
	text       string
	isError    bool
	structured json.RawMessage // nil when the result has none
}

// errorf fails the scenario and keeps the first line of the first
// failure for the report.
func (s *session) errorf(format string, args ...any) {
	s.t.Helper()
	msg := fmt.Sprintf(format, args...)
	s.rec.failed(msg)
	s.t.Error(msg)
}

// fatalf is errorf that ends the scenario.
func (s *session) fatalf(format string, args ...any) {
	s.t.Helper()
	msg := fmt.Sprintf(format, args...)
	s.rec.failed(msg)
	s.t.Fatal(msg)
}

// decode unmarshals the structured content into v; a result without it
// fails the scenario, since every tool declares an output schema.
func (s *session) decode(op string, r result, v any) {
	s.t.Helper()
	if r.structured == nil {
		s.fatalf("%s: no structured content; text:\n%s", op, r.text)
	}
	if err := json.Unmarshal(r.structured, v); err != nil {
		s.fatalf("%s: structured content does not decode: %v\n%s", op, err, r.structured)
	}
}

// newSession starts the server for sc. Cleanups run in reverse: close the
// client (the server exits and stops its services), then insist that no
// process carrying the marker is left, then remove the state directory,
// and last record whether the scenario passed.
func newSession(t *testing.T, sc scenario) *session {
	t.Helper()
	began := time.Now()
	rec := book.add(sc)
	t.Cleanup(func() { rec.finish(!t.Failed(), time.Since(began)) })

	// Short on purpose: the runtime's socket lives in it and unix socket
	// paths are limited to 107 bytes.
	state, err := os.MkdirTemp("", "ev")
	if err != nil {
		t.Fatalf("state dir: %v", err)
	}
	t.Cleanup(func() { os.RemoveAll(state) })
	mark := fmt.Sprintf("ev-%s-%d", sc.name, time.Now().UnixNano())
	svcMark := mark + "-svc"
	t.Cleanup(func() {
		if left := assertNoLeftovers(t, 20*time.Second, mark, svcMark); len(left) > 0 {
			rec.failed(fmt.Sprintf("processes left behind: %v", left))
		}
	})

	env := []string{
		"SPRITES_API_URL=local", "SPRITES_MCP_STATE_DIR=" + state,
		// A developer's own credentials must not leak into the run.
		"SPRITES_TOKEN=", "SPRITE_TOKEN=", "SPRITES_MCP_AUTH_TOKEN=",
		"SMCP_TEST_MARK=" + mark,
	}
	stderr := newStderrTail(16 << 10)
	c, err := mcpclient.NewStdioMCPClientWithOptions(binPath, env,
		[]string{"--max-result-chars", strconv.Itoa(maxResultChars)},
		transport.WithCommandStderrWriter(stderr))
	if err != nil {
		t.Fatalf("start %s over stdio: %v", binPath, err)
	}
	// Closing stdin is how a client ends the server: it must exit cleanly
	// (a race-enabled build exits 66 after a data race). One exit is not
	// the server's doing: mcp-go's Close closes the stderr pipe before it
	// waits, so a server that logs its shutdown dies of SIGPIPE.
	t.Cleanup(func() {
		err := c.Close()
		if diedOfSIGPIPE(err) {
			err = nil
		}
		tail, race := stderr.state()
		if err != nil || race {
			msg := fmt.Sprintf("the server did not exit cleanly when its client closed (%v; data race reported: %v); its stderr ends:\n%s",
				err, race, lastBytes(tail, 4000))
			rec.failed(msg)
			t.Error(msg)
		}
	})

	ctx, cancel := context.WithTimeout(context.Background(), callTimeout)
	defer cancel()
	req := mcp.InitializeRequest{}
	req.Params.ProtocolVersion = sc.protocol
	req.Params.ClientInfo = mcp.Implementation{Name: "sprites-mcp-evals", Version: "1"}
	hello, err := c.Initialize(ctx, req)
	if err != nil {
		t.Fatalf("initialize (%s): %v", sc.protocol, err)
	}
	if hello.ProtocolVersion != sc.protocol {
		t.Fatalf("negotiated %s, want %s", hello.ProtocolVersion, sc.protocol)
	}
	api := newRawAPI(filepath.Join(state, "api.sock"))
	t.Cleanup(api.close)
	return &session{t: t, c: c, state: state, mark: mark, svcMark: svcMark, api: api, rec: rec}
}

// diedOfSIGPIPE reports whether err is the exit of a process killed by
// SIGPIPE.
func diedOfSIGPIPE(err error) bool {
	var ee *exec.ExitError
	if !errors.As(err, &ee) {
		return false
	}
	ws, ok := ee.Sys().(syscall.WaitStatus)
	return ok && ws.Signaled() && ws.Signal() == syscall.SIGPIPE
}

// lastBytes is the end of s, at most n bytes of it.
func lastBytes(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return "…" + s[len(s)-n:]
}

// env is a service's env argument: extra plus the marker that lets the
// checks find the service's processes.
func (s *session) env(extra map[string]string) map[string]any {
	m := map[string]any{"SMCP_TEST_MARK": s.svcMark}
	for k, v := range extra {
		m[k] = v
	}
	return m
}

// call makes one tool call as an agent would, checks the result bound and
// the forbidden strings, and records its size beside the raw API bytes of
// the same operation. A protocol error ends the scenario: every tool
// reports failures as results.
func (s *session) call(tool string, args map[string]any) result {
	s.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), callTimeout)
	defer cancel()
	req := mcp.CallToolRequest{}
	req.Params.Name = tool
	req.Params.Arguments = args
	from := time.Now()
	res, err := s.c.CallTool(ctx, req)
	to := time.Now()
	if err != nil {
		s.fatalf("%s %v: %v", tool, args, err)
	}
	r := result{isError: res.IsError}
	var b strings.Builder
	for _, content := range res.Content {
		if tc, ok := content.(mcp.TextContent); ok {
			b.WriteString(tc.Text)
		}
	}
	r.text = b.String()
	if res.StructuredContent != nil {
		if r.structured, err = json.Marshal(res.StructuredContent); err != nil {
			s.fatalf("%s: structured content does not encode: %v", tool, err)
		}
	}
	op := opLabel(tool, args)
	s.checkBound(op, "text", r.text)
	s.checkBound(op, "structured content", string(r.structured))
	s.checkForbidden(op, r.text, string(r.structured))
	raw, err := s.rawFor(ctx, tool, args, r, from, to)
	if err != nil {
		s.errorf("measure the raw API answer of %s: %v", op, err)
	}
	s.rec.add(op, utf8.RuneCountInString(r.text), utf8.RuneCountInString(string(r.structured)), raw)
	if os.Getenv("EVALS_SHOW") == "1" {
		s.t.Logf("%s answered:\n%s", op, r.text)
	}
	s.t.Logf("%s → isError=%v, %d chars (structured %d), raw API %d bytes", op, r.isError,
		utf8.RuneCountInString(r.text), len(r.structured), raw)
	return r
}

// opLabel names a call in the report: the tool, the service and the
// arguments that change what it reads.
func opLabel(tool string, args map[string]any) string {
	op := tool
	if name, ok := args["service_name"].(string); ok {
		op += " " + name
	}
	for _, k := range []string{"grep", "stream", "lines", "signal"} {
		if v, ok := args[k]; ok {
			op += fmt.Sprintf(" %s=%v", k, v)
		}
	}
	return op
}

// read reads a resource as an agent would, with the same checks and
// measures as call.
func (s *session) read(uri string) string {
	s.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), callTimeout)
	defer cancel()
	req := mcp.ReadResourceRequest{}
	req.Params.URI = uri
	res, err := s.c.ReadResource(ctx, req)
	if err != nil {
		s.fatalf("read %s: %v", uri, err)
	}
	var b strings.Builder
	for _, content := range res.Contents {
		if tc, ok := content.(mcp.TextResourceContents); ok {
			b.WriteString(tc.Text)
		}
	}
	text := b.String()
	op := "read " + uri
	s.checkBound(op, "contents", text)
	s.checkForbidden(op, text)
	raw, err := s.rawForURI(ctx, uri)
	if err != nil {
		s.errorf("measure the raw API answer of %s: %v", op, err)
	}
	s.rec.add(op, utf8.RuneCountInString(text), 0, raw)
	s.t.Logf("%s → %d chars, raw API %d bytes", op, utf8.RuneCountInString(text), raw)
	return text
}

func (s *session) checkBound(op, what, text string) {
	s.t.Helper()
	if n := utf8.RuneCountInString(text); n > maxResultChars {
		s.errorf("%s: %s is %d characters, over --max-result-chars %d", op, what, n, maxResultChars)
	}
}

func (s *session) checkForbidden(op string, texts ...string) {
	s.t.Helper()
	for _, f := range s.forbidden {
		for _, text := range texts {
			if strings.Contains(text, f) {
				s.errorf("%s: the answer contains the secret %q:\n%s", op, f, text)
			}
		}
	}
}

// rawFor is the size of what the Services API answered for the same
// operation: for reads, the same request made again on the socket; for
// operations that stream, the stream rebuilt from the log file (see
// streamBytes). service_logs with grep counts the whole log: the API has no
// filter, so an agent without one reads everything to find a line.
func (s *session) rawFor(ctx context.Context, tool string, args map[string]any, r result, from, to time.Time) (int64, error) {
	name, _ := args["service_name"].(string)
	switch tool {
	case "service_list":
		return s.api.get(ctx, servicePath("", ""))
	case "service_get":
		return s.api.get(ctx, servicePath(name, ""))
	case "service_logs":
		if g, _ := args["grep"].(string); g != "" {
			return s.api.get(ctx, servicePath(name, "/logs"))
		}
		lines := 100
		if n, ok := args["lines"].(int); ok {
			lines = n
		}
		return s.api.get(ctx, servicePath(name, "/logs?lines="+strconv.Itoa(lines)))
	case "service_create", "service_start", "service_restart", "service_stop":
		if r.structured == nil {
			return 0, nil // refused before any stream: a short error body
		}
		var out struct {
			ExitCode *int `json:"exit_code"`
		}
		_ = json.Unmarshal(r.structured, &out)
		return s.api.streamBytes(ctx, name, from, to, s.framing(tool, name, out.ExitCode, to))
	case "list_sprites":
		return s.api.get(ctx, "/v1/sprites")
	default: // service_signal and service_delete answer 204, no body
		return 0, nil
	}
}

// framing is the non-output events of a stream of tool's operation.
func (s *session) framing(tool, name string, exit *int, at time.Time) []map[string]any {
	ms := at.UnixMilli()
	done := map[string]any{"type": "complete", "timestamp": ms,
		"log_files": map[string]string{"combined": filepath.Join(s.state, "logs", "services", name+".log")}}
	if tool == "service_stop" {
		return []map[string]any{{"type": "stopping", "timestamp": ms}, {"type": "stopped", "exit_code": 143, "timestamp": ms}, done}
	}
	evs := []map[string]any{{"type": "started", "timestamp": ms}}
	if exit != nil {
		evs = append(evs, map[string]any{"type": "exit", "exit_code": *exit, "timestamp": ms})
	}
	return append(evs, done)
}

// rawForURI maps a resource to the API request that holds the same data.
func (s *session) rawForURI(ctx context.Context, uri string) (int64, error) {
	rest, ok := strings.CutPrefix(uri, "sprites://local/services")
	if !ok {
		return 0, fmt.Errorf("no API equivalent for %s", uri)
	}
	rest = strings.TrimPrefix(rest, "/")
	if rest == "" {
		return s.api.get(ctx, servicePath("", ""))
	}
	name, tail, _ := strings.Cut(rest, "/")
	if tail == "" {
		return s.api.get(ctx, servicePath(name, ""))
	}
	lines := "100"
	if _, q, ok := strings.Cut(tail, "?lines="); ok {
		lines = q
	}
	return s.api.get(ctx, servicePath(name, "/logs?lines="+lines))
}

// eventually repeats check every interval until it holds or within has
// passed; it reports whether it held. Checks that call tools count every
// try, as an agent's polling would.
func eventually(within, every time.Duration, check func() bool) bool {
	deadline := time.Now().Add(within)
	for {
		if check() {
			return true
		}
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(every)
	}
}

// processesWith lists the pids whose environment carries SMCP_TEST_MARK
// set to one of marks (the environment survives exec and shells, unlike a
// command line).
func processesWith(marks ...string) []int {
	var pids []int
	entries, _ := os.ReadDir("/proc")
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		environ, err := os.ReadFile(filepath.Join("/proc", e.Name(), "environ"))
		if err != nil {
			continue
		}
		for _, kv := range strings.Split(string(environ), "\x00") {
			if v, ok := strings.CutPrefix(kv, "SMCP_TEST_MARK="); ok && slices.Contains(marks, v) {
				pids = append(pids, pid)
				break
			}
		}
	}
	return pids
}

// assertNoLeftovers fails the test when a process carrying one of marks
// outlives the server by more than within, and kills it so it cannot
// outlive the test either. It returns the pids it found.
func assertNoLeftovers(t *testing.T, within time.Duration, marks ...string) []int {
	t.Helper()
	var left []int
	if eventually(within, 100*time.Millisecond, func() bool { left = processesWith(marks...); return len(left) == 0 }) {
		return nil
	}
	for _, pid := range left {
		if p, err := os.FindProcess(pid); err == nil {
			p.Kill() // best effort: the test fails either way
		}
	}
	t.Errorf("processes left behind after the server closed (killed now): %v", left)
	return left
}
