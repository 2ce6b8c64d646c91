package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	mcpclient "github.com/mark3labs/mcp-go/client"
	"github.com/mark3labs/mcp-go/client/transport"
	"github.com/mark3labs/mcp-go/mcp"
)

// maxResultChars is the --max-result-chars every scenario's server runs
// with, below the default so the bound is visibly the flag's.
const maxResultChars = 6000

// callTimeout bounds one tool call, read or prompt: far above any watch
// window a scenario asks for, so only a hang trips it.
const callTimeout = 60 * time.Second

// options are the runner's settings.
type options struct {
	bin    string // the sprites-mcp binary
	python string // the real python3 interpreter, ${python} in scenarios
	http   bool   // drive the server over streamable HTTP instead of stdio
	show   bool   // log every answer's text
	logf   func(format string, args ...any)
}

// session is one scenario's server: the built binary on a fresh state
// directory, driven by mcp-go's client, every answer measured into rec.
type session struct {
	sc      *Scenario
	opt     *options
	c       *mcpclient.Client
	proc    *exec.Cmd // the server process when driven over HTTP
	stderr  *stderrTail
	state   string
	mark    string // SMCP_TEST_MARK of the server process
	svcMark string // SMCP_TEST_MARK given to every service
	api     *rawAPI
	rec     *record
	vars    map[string]any
	secrets []string
	prompts map[string]bool // prompts the server lists
}

// stepFailed ends a scenario: the first failure is the one reported.
type stepFailed struct{ msg string }

func (e *stepFailed) Error() string { return e.msg }

func failf(format string, args ...any) error { return &stepFailed{fmt.Sprintf(format, args...)} }

// run runs sc from start to end and returns its record. Whatever happens,
// the server is closed, its exit checked, and no process carrying the
// scenario's marks may outlive it.
func run(sc *Scenario, opt *options) *record {
	rec := &record{sc: sc}
	began := time.Now()
	defer func() { rec.elapsed = time.Since(began) }()

	// Short on purpose: the runtime's socket lives in it and unix socket
	// paths are limited to 107 bytes.
	state, err := os.MkdirTemp("", "ev")
	if err != nil {
		rec.fail("state dir: %v", err)
		return rec
	}
	defer os.RemoveAll(state)
	mark := fmt.Sprintf("ev-%s-%d", sc.Name, time.Now().UnixNano())
	s := &session{sc: sc, opt: opt, state: state, mark: mark, svcMark: mark + "-svc", rec: rec,
		api: newRawAPI(filepath.Join(state, "api.sock"))}
	defer s.api.close()
	defer func() {
		if left := killLeftovers(20*time.Second, s.mark, s.svcMark); len(left) > 0 {
			rec.fail("processes left behind after the server closed (killed now): %v", left)
		}
	}()
	if err := s.vars0(); err != nil {
		rec.fail("%v", err)
		return rec
	}
	if err = s.start(); err != nil {
		err = fmt.Errorf("start the server: %w", err)
	} else {
		err = s.setup()
	}
	for i := range sc.Steps {
		if err != nil {
			break
		}
		err = s.step(i, &sc.Steps[i])
	}
	if err != nil {
		rec.fail("%v", err)
	}
	if err := s.close(); err != nil {
		rec.fail("%v", err)
	}
	rec.done = true
	return rec
}

// vars0 sets the variables every scenario may use.
func (s *session) vars0() error {
	raw := make([]byte, 16)
	if _, err := rand.Read(raw); err != nil {
		return err
	}
	s.vars = map[string]any{
		"python": s.opt.python,
		"state":  s.state,
		"secret": "tok_" + hex.EncodeToString(raw),
	}
	for _, name := range []string{"port", "port2"} {
		p, err := freePort()
		if err != nil {
			return err
		}
		s.vars[name] = float64(p)
	}
	for _, sec := range s.sc.Secrets {
		v, err := expandString(sec, s.vars)
		if err != nil {
			return fmt.Errorf("secrets: %w", err)
		}
		s.secrets = append(s.secrets, v)
	}
	return nil
}

// start starts the server and initializes a client with the scenario's
// protocol revision.
func (s *session) start() error {
	env := []string{
		"SPRITES_API_URL=local", "SPRITES_MCP_STATE_DIR=" + s.state,
		// A developer's own credentials must not leak into the run.
		"SPRITES_TOKEN=", "SPRITE_TOKEN=", "SPRITES_MCP_AUTH_TOKEN=", "SPRITES_MCP_HTTP=",
		"SMCP_TEST_MARK=" + s.mark,
		// Services inherit the server's environment: a developer's
		// PYTHONUNBUFFERED would hide output a service holds back.
		"PYTHONUNBUFFERED=",
		// A -race build sleeps 1s at exit by default; with the shutdown
		// after it, that overran the 2s mcp-go's stdio Close waits before
		// SIGTERM, and every scenario failed as "did not exit cleanly".
		// Races are reported when they happen, not at exit.
		"GORACE=atexit_sleep_ms=0",
	}
	args := append([]string{"--max-result-chars", strconv.Itoa(maxResultChars)}, s.sc.ServerArgs...)
	s.stderr = newStderrTail(16 << 10)
	ctx, cancel := context.WithTimeout(context.Background(), callTimeout)
	defer cancel()
	var err error
	if s.opt.http {
		err = s.startHTTP(ctx, env, args)
	} else {
		s.c, err = mcpclient.NewStdioMCPClientWithOptions(s.opt.bin, env, args, transport.WithCommandStderrWriter(s.stderr))
	}
	if err != nil {
		return err
	}
	req := mcp.InitializeRequest{}
	req.Params.ProtocolVersion = s.sc.Protocol
	req.Params.ClientInfo = mcp.Implementation{Name: "sprites-mcp-evals", Version: "1"}
	hello, err := s.c.Initialize(ctx, req)
	if err != nil {
		return fmt.Errorf("initialize (%s): %w", s.sc.Protocol, err)
	}
	if hello.ProtocolVersion != s.sc.Protocol {
		return fmt.Errorf("negotiated %s, want %s", hello.ProtocolVersion, s.sc.Protocol)
	}
	// Which prompts exist decides whether prompt steps can run.
	s.prompts = map[string]bool{}
	if hello.Capabilities.Prompts != nil {
		list, err := s.c.ListPrompts(ctx, mcp.ListPromptsRequest{})
		if err != nil {
			return fmt.Errorf("prompts/list: %w", err)
		}
		for _, p := range list.Prompts {
			s.prompts[p.Name] = true
		}
	}
	return nil
}

// startHTTP starts the server on a free loopback port and connects a
// streamable HTTP client once /healthz answers.
func (s *session) startHTTP(ctx context.Context, env, args []string) error {
	port, err := freePort()
	if err != nil {
		return err
	}
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	s.proc = exec.Command(s.opt.bin, append(args, "--http", addr)...)
	s.proc.Env = append(os.Environ(), env...)
	s.proc.Stderr = s.stderr
	if err := s.proc.Start(); err != nil {
		return err
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		res, err := http.Get("http://" + addr + "/healthz")
		if err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				break
			}
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("/healthz on %s did not answer within 30s: %v; stderr:\n%s", addr, err, lastBytes(s.stderrText(), 2000))
		}
		time.Sleep(100 * time.Millisecond)
	}
	s.c, err = mcpclient.NewStreamableHttpClient("http://" + addr + "/mcp")
	if err != nil {
		return err
	}
	return s.c.Start(ctx)
}

func (s *session) stderrText() string { t, _ := s.stderr.state(); return t }

// close ends the server as its client would and checks it exited cleanly
// (a race-enabled build exits 66 after a data race).
func (s *session) close() error {
	if s.c == nil && s.proc == nil {
		return nil // nothing started
	}
	var err error
	if s.c != nil {
		err = s.c.Close()
	}
	if s.proc != nil {
		// Over HTTP the client does not own the process: SIGTERM drains
		// in-flight calls, then the server exits 0.
		err = terminate(s.proc, 20*time.Second)
	} else if diedOfSIGPIPE(err) {
		// mcp-go's Close closes the stderr pipe before it waits, so a
		// server that logs its shutdown dies of SIGPIPE.
		err = nil
	}
	tail, race := s.stderr.state()
	if err != nil || race {
		return fmt.Errorf("the server did not exit cleanly when its client closed (%v; data race reported: %v); its stderr ends:\n%s",
			err, race, lastBytes(tail, 4000))
	}
	return nil
}

// setup defines the scenario's setup services on the runtime's socket.
func (s *session) setup() error {
	ctx, cancel := context.WithTimeout(context.Background(), callTimeout)
	defer cancel()
	for _, svc := range s.sc.Setup {
		v, err := expand(map[string]any{"cmd": svc.Cmd, "args": svc.Args, "env": svc.Env, "needs": svc.Needs, "http_port": svc.HTTPPort}, s.vars)
		if err != nil {
			return failf("setup %s: %v", svc.Name, err)
		}
		body := v.(map[string]any)
		env, _ := body["env"].(map[string]string)
		if env == nil {
			env = map[string]string{}
		}
		env["SMCP_TEST_MARK"] = s.svcMark
		body["env"] = env
		if body["http_port"] == nil {
			delete(body, "http_port")
		}
		if err := s.api.put(ctx, svc.Name, body); err != nil {
			return failf("setup %s: %v", svc.Name, err)
		}
		if svc.Running {
			if err := s.api.waitRunning(ctx, svc.Name); err != nil {
				return failf("setup %s: %v", svc.Name, err)
			}
		}
	}
	return nil
}

// step runs one step, polling it when it has a retry, and keeps what it
// saves.
func (s *session) step(i int, st *Step) error {
	label := fmt.Sprintf("step %d (%s)", i+1, st.kind())
	if st.Prompt != "" && !s.prompts[st.Prompt] {
		return failf("%s: the server does not list prompt %s", label, st.Prompt)
	}
	if st.Wait != "" {
		d, _ := time.ParseDuration(st.Wait)
		time.Sleep(d)
		return nil
	}
	if st.Write != "" {
		path, err := expandString(st.Write, s.vars)
		if err == nil {
			var content string
			if content, err = expandString(st.Content, s.vars); err == nil {
				err = os.WriteFile(path, []byte(content), 0o644)
			}
		}
		if err != nil {
			return failf("%s: write %s: %v", label, st.Write, err)
		}
		return nil
	}
	exp, err := expandExpect(st.Expect, s.vars)
	if err != nil {
		return failf("%s: %v", label, err)
	}
	deadline, every := time.Now(), 300*time.Millisecond
	if st.Retry != nil {
		within, _ := time.ParseDuration(st.Retry.Within)
		deadline = deadline.Add(within)
		if d, err := time.ParseDuration(st.Retry.Every); err == nil && d > 0 {
			every = d
		}
	}
	for {
		began := time.Now()
		a, op, err := s.do(st)
		if a.seconds == 0 { // a tool call times itself, without the raw API measure
			a.seconds = time.Since(began).Seconds()
		}
		if err != nil {
			return failf("%s %s: %v", label, op, err)
		}
		fails := exp.check(a)
		if len(fails) == 0 {
			return s.save(label, st, a)
		}
		if time.Now().After(deadline) {
			how := ""
			if st.Retry != nil {
				how = " (still, after " + st.Retry.Within + ")"
			}
			return failf("%s %s%s: %s; the answer:\n%s", label, op, how, strings.Join(fails, "; "), lastBytes(a.text, 3000))
		}
		time.Sleep(every)
	}
}

// expandExpect substitutes variables in an expectation: in texts as text
// (a mention of "${port}" is the port's digits), in field values as values
// (a field compared with "${pid}" is compared with the saved number).
func expandExpect(e *Expect, vars map[string]any) (*Expect, error) {
	if e == nil {
		return nil, nil
	}
	out := *e
	var err error
	strs := func(in []string) []string {
		if in == nil || err != nil {
			return in
		}
		o := make([]string, len(in))
		for i, x := range in {
			if o[i], err = expandString(x, vars); err != nil {
				return nil
			}
		}
		return o
	}
	out.Mentions, out.NotMentions, out.MentionsAny, out.Matches = strs(e.Mentions), strs(e.NotMentions), strs(e.MentionsAny), strs(e.Matches)
	if err == nil {
		out.EveryLine, err = expandString(e.EveryLine, vars)
	}
	for _, m := range []*map[string]any{&out.Count, &out.Fields} {
		if *m == nil || err != nil {
			continue
		}
		var v any
		if v, err = expand(*m, vars); err == nil {
			*m = v.(map[string]any)
		}
	}
	if err != nil {
		return nil, err
	}
	return &out, nil
}

func (s *session) save(label string, st *Step, a answer) error {
	for name, path := range st.Save {
		v, ok := lookup(a.structured, path)
		if !ok {
			return failf("%s: save %s: no field %s in the answer", label, name, path)
		}
		s.vars[name] = v
	}
	return nil
}

// do performs a step once and returns the answer and a label for it.
func (s *session) do(st *Step) (answer, string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), callTimeout)
	defer cancel()
	switch {
	case st.Call != "":
		return s.call(ctx, st)
	case st.Read != "":
		uri, err := expandString(st.Read, s.vars)
		if err != nil {
			return answer{}, st.Read, err
		}
		a, err := s.read(ctx, uri)
		return a, "read " + uri, err
	case st.Prompt != "":
		return s.prompt(ctx, st)
	case st.File != "":
		path, err := expandString(st.File, s.vars)
		if err != nil {
			return answer{}, st.File, err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return answer{}, "file " + path, err
		}
		n := strings.Count(string(b), "\n")
		return answer{text: string(b), structured: map[string]any{"lines": float64(n), "bytes": float64(len(b))}}, "file " + path, nil
	case st.Processes:
		pids := processesWith(s.svcMark)
		return answer{text: fmt.Sprint(pids), structured: map[string]any{"count": float64(len(pids))}}, "processes", nil
	}
	return answer{}, "", fmt.Errorf("empty step")
}

// call makes one tool call as an agent would. Every service gets the
// scenario's process mark in its env, so leftovers can be found.
func (s *session) call(ctx context.Context, st *Step) (answer, string, error) {
	v, err := expand(st.Args, s.vars)
	if err != nil {
		return answer{}, st.Call, err
	}
	args, _ := v.(map[string]any)
	if st.Call == "service_create" {
		env, _ := args["env"].(map[string]any)
		if env == nil {
			env = map[string]any{}
		}
		env["SMCP_TEST_MARK"] = s.svcMark
		args["env"] = env
	}
	op := opLabel(st.Call, args)
	req := mcp.CallToolRequest{}
	req.Params.Name = st.Call
	req.Params.Arguments = args
	from := time.Now()
	res, err := s.c.CallTool(ctx, req)
	to := time.Now()
	if err != nil {
		// Tools report failures as results; a protocol error is only
		// right where the scenario expects an error (a tool read-only
		// mode removed).
		if st.Expect == nil || st.Expect.Error == nil || !*st.Expect.Error {
			return answer{}, op, fmt.Errorf("protocol error: %v", err)
		}
		s.rec.add(op, utf8.RuneCountInString(err.Error()), 0, 0)
		return answer{text: err.Error(), isError: true}, op, nil
	}
	a := answer{isError: res.IsError, seconds: to.Sub(from).Seconds()}
	var b strings.Builder
	for _, content := range res.Content {
		if tc, ok := content.(mcp.TextContent); ok {
			b.WriteString(tc.Text)
		}
	}
	a.text = b.String()
	var structured []byte
	if res.StructuredContent != nil {
		structured, _ = json.Marshal(res.StructuredContent)
		_ = json.Unmarshal(structured, &a.structured)
	}
	if err := s.checkAnswer(op, a.text, string(structured)); err != nil {
		return a, op, err
	}
	raw, err := s.rawFor(ctx, st.Call, args, structured, from, to)
	if err != nil {
		return a, op, fmt.Errorf("measure the raw API answer: %v", err)
	}
	s.rec.add(op, utf8.RuneCountInString(a.text), utf8.RuneCount(structured), raw)
	s.logAnswer(op, a)
	return a, op, nil
}

// read reads a resource as an agent would; a JSON resource is also
// decoded for field expectations.
func (s *session) read(ctx context.Context, uri string) (answer, error) {
	op := "read " + uri
	res, err := s.c.ReadResource(ctx, mcp.ReadResourceRequest{Params: mcp.ReadResourceParams{URI: uri}})
	if err != nil {
		s.rec.add(op, utf8.RuneCountInString(err.Error()), 0, 0)
		return answer{text: err.Error(), isError: true}, nil
	}
	var b strings.Builder
	var a answer
	for _, content := range res.Contents {
		if tc, ok := content.(mcp.TextResourceContents); ok {
			b.WriteString(tc.Text)
			if tc.MIMEType == "application/json" {
				_ = json.Unmarshal([]byte(tc.Text), &a.structured)
			}
		}
	}
	a.text = b.String()
	if err := s.checkAnswer(op, a.text); err != nil {
		return a, err
	}
	raw, err := s.rawForURI(ctx, uri)
	if err != nil {
		return a, fmt.Errorf("measure the raw API answer: %v", err)
	}
	s.rec.add(op, utf8.RuneCountInString(a.text), 0, raw)
	s.logAnswer(op, a)
	return a, nil
}

// prompt gets a prompt as a client would. Its text is every text it
// carries (messages, embedded resources, links); its structure says what
// it holds: {"messages": N, "embedded": [URIs], "links": [URIs]}.
func (s *session) prompt(ctx context.Context, st *Step) (answer, string, error) {
	v, err := expand(st.Args, s.vars)
	if err != nil {
		return answer{}, st.Prompt, err
	}
	args := map[string]string{}
	for k, x := range v.(map[string]any) {
		args[k] = text(x)
	}
	op := "prompt " + st.Prompt
	if n := args["service_name"]; n != "" {
		op += " " + n
	}
	res, err := s.c.GetPrompt(ctx, mcp.GetPromptRequest{Params: mcp.GetPromptParams{Name: st.Prompt, Arguments: args}})
	if err != nil {
		s.rec.add(op, utf8.RuneCountInString(err.Error()), 0, 0)
		return answer{text: err.Error(), isError: true}, op, nil
	}
	var b strings.Builder
	embedded, links := []any{}, []any{}
	for _, m := range res.Messages {
		switch c := m.Content.(type) {
		case mcp.TextContent:
			b.WriteString(c.Text + "\n")
		case mcp.EmbeddedResource:
			if tc, ok := c.Resource.(mcp.TextResourceContents); ok {
				b.WriteString(tc.Text + "\n")
				embedded = append(embedded, tc.URI)
			}
		case mcp.ResourceLink:
			b.WriteString(c.URI + " " + c.Description + "\n")
			links = append(links, c.URI)
		}
	}
	a := answer{text: b.String(), structured: map[string]any{
		"messages": float64(len(res.Messages)), "embedded": embedded, "links": links, "description": res.Description}}
	if err := s.checkAnswer(op, a.text); err != nil {
		return a, op, err
	}
	s.rec.add(op, utf8.RuneCountInString(a.text), 0, 0)
	s.logAnswer(op, a)
	return a, op, nil
}

// checkAnswer holds every answer to the result bound and keeps secrets
// out of it.
func (s *session) checkAnswer(op string, texts ...string) error {
	for _, t := range texts {
		if n := utf8.RuneCountInString(t); n > maxResultChars {
			return fmt.Errorf("%s: an answer part is %d characters, over --max-result-chars %d", op, n, maxResultChars)
		}
		for _, sec := range s.secrets {
			if strings.Contains(t, sec) {
				return fmt.Errorf("%s: the answer contains the secret %q:\n%s", op, sec, lastBytes(t, 2000))
			}
		}
	}
	return nil
}

func (s *session) logAnswer(op string, a answer) {
	if s.opt.show {
		s.opt.logf("%s: %s → isError=%v:\n%s", s.sc.Name, op, a.isError, a.text)
	}
}

// opLabel names a call in the report: the tool, the service and the
// arguments that change what it reads.
func opLabel(tool string, args map[string]any) string {
	op := tool
	if name, ok := args["service_name"].(string); ok {
		op += " " + name
	}
	for _, k := range []string{"grep", "since", "stream", "lines", "signal"} {
		if v, ok := args[k]; ok {
			op += fmt.Sprintf(" %s=%v", k, text(v))
		}
	}
	return op
}

// rawFor is the size of what the Services API answered for the same
// operation: for reads, the same request made again on the socket; for
// operations that stream, the stream rebuilt from the log file (see
// streamBytes). service_logs with grep counts the whole log: the API has no
// filter, so an agent without one reads everything to find a line.
func (s *session) rawFor(ctx context.Context, tool string, args map[string]any, structured []byte, from, to time.Time) (int64, error) {
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
		lines := "100"
		if v, ok := args["lines"]; ok {
			lines = text(v)
		}
		return s.api.get(ctx, servicePath(name, "/logs?lines="+lines))
	case "service_create", "service_start", "service_restart", "service_stop":
		if structured == nil {
			return 0, nil // refused before any stream: a short error body
		}
		var out struct {
			ExitCode *int `json:"exit_code"`
		}
		_ = json.Unmarshal(structured, &out)
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
		return 0, nil // not ours: nothing to compare with
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

// freePort finds a TCP port on 127.0.0.1 that nothing listens on now.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("find a free port: %w", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// lastBytes is the end of s, at most n bytes of it.
func lastBytes(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return "…" + s[len(s)-n:]
}
