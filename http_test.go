//go:build unix

package main

import (
	"github.com/sprites-mcp/sprites-mcp/internal/testenv"

	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	mcpclient "github.com/mark3labs/mcp-go/client"
	"github.com/mark3labs/mcp-go/client/transport"
	"github.com/mark3labs/mcp-go/mcp"

	"github.com/sprites-mcp/sprites-mcp/internal/app"
	"github.com/sprites-mcp/sprites-mcp/internal/config"
)

func TestHTTPHealthzNeedsNoToken(t *testing.T) {
	s := startHTTP(t, nil, map[string]string{"SPRITES_MCP_AUTH_TOKEN": "tok-health"})
	resp, err := http.Get(s.base + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != 200 || body["up"] != true || body["backend"] != "embedded" || body["version"] != app.Version() {
		t.Errorf("healthz: %d %v", resp.StatusCode, body)
	}
	if len(body) != 3 {
		t.Errorf("healthz says more than up, version and backend: %v", body)
	}
}

func TestHTTPAuthRefusesMissingAndWrongTokens(t *testing.T) {
	const token = "tok-s3cret-value"
	s := startHTTP(t, nil, map[string]string{"SPRITES_MCP_AUTH_TOKEN": token})
	for _, tc := range []struct {
		name    string
		headers map[string]string
		status  int
	}{
		{"no token", nil, 401},
		{"wrong token", bearer("tok-wrong"), 401},
		{"not bearer", map[string]string{"Authorization": "Basic " + token}, 401},
		{"right token", bearer(token), 200},
	} {
		resp, body := rawPost(t, s.mcpURL(), strings.NewReader(initializeBody), tc.headers)
		if resp.StatusCode != tc.status {
			t.Errorf("%s: status %d, want %d: %s", tc.name, resp.StatusCode, tc.status, body)
			continue
		}
		if tc.status == 401 {
			if ch := resp.Header.Get("WWW-Authenticate"); !strings.HasPrefix(ch, "Bearer") {
				t.Errorf("%s: WWW-Authenticate = %q, want a Bearer challenge", tc.name, ch)
			}
			if !strings.Contains(body, "unauthorized") {
				t.Errorf("%s: body does not say why: %s", tc.name, body)
			}
		} else if !strings.Contains(body, `"protocolVersion":"2025-11-25"`) {
			t.Errorf("%s: not an initialize result: %s", tc.name, body)
		}
	}
	// Whoever reaches the port decides how many refusals there are: a
	// flood of them must not become a flood of warnings.
	for range 20 {
		if resp, _ := rawPost(t, s.mcpURL(), strings.NewReader(initializeBody), bearer("tok-wrong")); resp.StatusCode != 401 {
			t.Fatalf("wrong token: status %d, want 401", resp.StatusCode)
		}
	}
	if n := countLogAt(s.logs.String(), "WARN", "http: unauthenticated request"); n != 1 {
		t.Errorf("23 unauthenticated requests logged %d warnings, want 1 (the rest at debug)\n%s", n, s.logs.String())
	}
	if strings.Contains(s.logs.String(), token) || strings.Contains(s.logs.String(), "tok-wrong") {
		t.Errorf("a token reached the log:\n%s", s.logs.String())
	}
}

func TestHTTPOriginAndHostChecks(t *testing.T) {
	s := startHTTP(t, []string{"--allowed-origins", "https://app.example.com"}, nil)
	host := strings.TrimPrefix(s.base, "http://")
	for _, tc := range []struct {
		name    string
		headers map[string]string
		status  int
	}{
		{"no Origin (a program, not a page)", nil, 200},
		{"foreign Origin", map[string]string{"Origin": "http://evil.example.com"}, 403},
		{"opaque Origin", map[string]string{"Origin": "null"}, 403},
		{"loopback page of another port", map[string]string{"Origin": "http://127.0.0.1:1"}, 403},
		{"loopback page of this host", map[string]string{"Origin": "http://" + host}, 200},
		{"allowed Origin", map[string]string{"Origin": "https://APP.example.com"}, 200},
		{"DNS rebinding Host", map[string]string{"Host": "evil.example.com"}, 403},
		{"rebinding Host and Origin", map[string]string{"Host": "evil.example.com", "Origin": "http://evil.example.com"}, 403},
		{"localhost Host", map[string]string{"Host": "localhost:" + strings.Split(host, ":")[1]}, 200},
	} {
		resp, body := rawPost(t, s.mcpURL(), strings.NewReader(initializeBody), tc.headers)
		if resp.StatusCode != tc.status {
			t.Errorf("%s: status %d, want %d: %s", tc.name, resp.StatusCode, tc.status, body)
		}
		if tc.status == 403 && !strings.Contains(body, "forbidden") {
			t.Errorf("%s: body does not say why: %s", tc.name, body)
		}
	}
}

// chunked hides a reader's length, so the body arrives without
// Content-Length and the limit must hold while reading.
type chunked struct{ r io.Reader }

func (c chunked) Read(p []byte) (int, error) { return c.r.Read(p) }

func TestHTTPBodyOverOneMiBIs413(t *testing.T) {
	const token = "tok-body"
	s := startHTTP(t, nil, map[string]string{"SPRITES_MCP_AUTH_TOKEN": token})
	big := `{"jsonrpc":"2.0","id":1,"method":"ping","params":{"pad":"` + strings.Repeat("x", 2<<20) + `"}}`
	resp, body := rawPost(t, s.mcpURL(), strings.NewReader(big), bearer(token))
	if resp.StatusCode != http.StatusRequestEntityTooLarge {
		t.Errorf("2 MiB body with Content-Length: status %d, want 413: %.200s", resp.StatusCode, body)
	}
	resp, body = rawPost(t, s.mcpURL(), chunked{strings.NewReader(big)}, bearer(token))
	if resp.StatusCode != http.StatusRequestEntityTooLarge {
		t.Errorf("2 MiB chunked body: status %d, want 413: %.200s", resp.StatusCode, body)
	}
	// Just under the limit is a request like any other.
	pad := strings.Repeat("x", config.MaxRequestBody-len(initializeBody)-20)
	ok := strings.Replace(initializeBody, `"capabilities":{}`, `"capabilities":{},"pad":"`+pad+`"`, 1)
	resp, body = rawPost(t, s.mcpURL(), strings.NewReader(ok), bearer(token))
	if resp.StatusCode != 200 || len(ok) > config.MaxRequestBody {
		t.Errorf("%d-byte body: status %d: %.200s", len(ok), resp.StatusCode, body)
	}
}

func TestHTTPStatelessHasNoSession(t *testing.T) {
	for _, tc := range []struct {
		args    []string
		session bool
	}{{nil, true}, {[]string{"--stateless"}, false}} {
		s := startHTTP(t, tc.args, nil)
		resp, body := rawPost(t, s.mcpURL(), strings.NewReader(initializeBody), nil)
		if resp.StatusCode != 200 {
			t.Fatalf("%v: %d %s", tc.args, resp.StatusCode, body)
		}
		if got := resp.Header.Get("Mcp-Session-Id") != ""; got != tc.session {
			t.Errorf("%v: session id present = %v, want %v", tc.args, got, tc.session)
		}
	}
}

// TestHTTPServiceLifecycle: a service created over HTTP runs, under both
// protocol revisions, and is gone after delete.
func TestHTTPServiceLifecycle(t *testing.T) {
	const token = "tok-life"
	s := startHTTP(t, nil, map[string]string{"SPRITES_MCP_AUTH_TOKEN": token})
	for _, protocol := range []string{mcp.ProtocolVersion20251125, mcp.ProtocolVersion20260728} {
		t.Run(protocol, func(t *testing.T) {
			marker := fmt.Sprintf("smcp-http-%d", time.Now().UnixNano())
			c := connectHTTP(t, s.mcpURL(), token, protocol)
			text, isErr := callText(t, c, "service_create", map[string]any{
				"service_name": "web", "cmd": "sh", "env": markEnv(marker),
				"args":     []string{"-c", "echo listening " + marker + "; exec sleep 300"},
				"duration": "1s",
			})
			if isErr || !strings.Contains(text, "web on local: running") || !strings.Contains(text, "listening "+marker) {
				t.Fatalf("service_create (isError=%v):\n%s", isErr, text)
			}
			if len(processesWith(marker)) == 0 {
				t.Fatal("service_create said running but no process carries the marker")
			}
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			rreq := mcp.ReadResourceRequest{}
			rreq.Params.URI = "sprites://local/services/web"
			res, err := c.ReadResource(ctx, rreq)
			if err != nil || len(res.Contents) != 1 || !strings.Contains(res.Contents[0].(mcp.TextResourceContents).Text, `"running"`) {
				t.Errorf("read %s: %v %+v", rreq.Params.URI, err, res)
			}
			if text, isErr := callText(t, c, "service_delete", map[string]any{"service_name": "web"}); isErr || !strings.Contains(text, "deleted") {
				t.Errorf("service_delete (isError=%v):\n%s", isErr, text)
			}
			waitGone(t, marker, 15*time.Second)
		})
	}
}

// TestHTTPSigtermDrainsInFlightCalls runs the binary: a call in flight when
// SIGTERM arrives completes with its full result, then the server exits 0
// and its services stop with it.
func TestHTTPSigtermDrainsInFlightCalls(t *testing.T) {
	state := stateDir(t)
	marker := fmt.Sprintf("smcp-drain-%d", time.Now().UnixNano())
	const token = "tok-drain"
	cmd := exec.Command(binPath, "--http", "127.0.0.1:0", "--log-format", "json")
	cmd.Env = append(os.Environ(), serverEnv(state, "HOME="+state, "SPRITES_MCP_AUTH_TOKEN="+token)...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) })
	logs := &testenv.SyncBuffer{}
	addrc := lineWaiter(stderr, logs)
	var addr string
	select {
	case addr = <-addrc:
	case <-time.After(30 * time.Second):
		t.Fatalf("no listening line\n%s", logs.String())
	}
	if addr == "" {
		t.Fatalf("the server exited before listening\n%s", logs.String())
	}
	waitHealthy(t, "http://"+addr)

	c := connectHTTP(t, "http://"+addr+"/mcp", token, mcp.ProtocolVersion20251125)
	type result struct {
		text  string
		isErr bool
		err   error
	}
	resc := make(chan result, 1)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		defer cancel()
		req := mcp.CallToolRequest{}
		req.Params.Name = "service_create"
		req.Params.Arguments = map[string]any{"service_name": "slow", "cmd": "sh", "env": markEnv(marker),
			"args": []string{"-c", "echo up " + marker + " authlen=${#SPRITES_MCP_AUTH_TOKEN}; exec sleep 300"}, "duration": "4s"}
		res, err := c.CallTool(ctx, req)
		r := result{err: err}
		if res != nil {
			r.isErr = res.IsError
			for _, content := range res.Content {
				if tc, ok := content.(mcp.TextContent); ok {
					r.text += tc.Text
				}
			}
		}
		resc <- r
	}()
	deadline := time.Now().Add(20 * time.Second)
	for len(processesWith(marker)) == 0 {
		if time.Now().After(deadline) {
			t.Fatalf("the service never started\n%s", logs.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}

	select {
	case r := <-resc:
		if r.err != nil || r.isErr || !strings.Contains(r.text, "slow on local: running") || !strings.Contains(r.text, "watched 4") {
			t.Errorf("the in-flight call did not complete after SIGTERM: err=%v isError=%v\n%s\nlog:\n%s", r.err, r.isErr, r.text, logs.String())
		}
		// The server's own token must never reach a service it starts.
		if !strings.Contains(r.text, "up "+marker+" authlen=0") {
			t.Errorf("the service saw SPRITES_MCP_AUTH_TOKEN or printed nothing:\n%s", r.text)
		}
	case <-time.After(45 * time.Second):
		t.Fatalf("the in-flight call did not return\n%s", logs.String())
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("exit after SIGTERM: %v\n%s", err, logs.String())
		}
	case <-time.After(45 * time.Second):
		t.Fatalf("server did not exit after SIGTERM\n%s", logs.String())
	}
	waitGone(t, marker, 10*time.Second)
	if !strings.Contains(logs.String(), "draining") {
		t.Errorf("no drain in the log:\n%s", logs.String())
	}
}

// TestHTTPNonLoopbackWithoutAuthRefusesToStart runs the binary as a user
// would: it must exit at once with a message that says what to do.
func TestHTTPNonLoopbackWithoutAuthRefusesToStart(t *testing.T) {
	state := stateDir(t)
	for _, addr := range []string{"0.0.0.0:0", "[::]:0"} {
		cmd := exec.Command(binPath, "--http", addr)
		cmd.Env = append(os.Environ(), serverEnv(state, "SPRITES_MCP_AUTH_TOKEN=")...)
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &out
		err := runWithin(cmd, 30*time.Second)
		ee, ok := err.(*exec.ExitError)
		if !ok || ee.ExitCode() != 2 || !strings.Contains(out.String(), "SPRITES_MCP_AUTH_TOKEN or --auth-file") {
			t.Errorf("--http %s without auth: exit %v\n%s", addr, err, out.String())
		}
	}
}

// runWithin runs cmd, killing it after d.
func runWithin(cmd *exec.Cmd, d time.Duration) error {
	if err := cmd.Start(); err != nil {
		return err
	}
	timer := time.AfterFunc(d, func() { cmd.Process.Kill() })
	defer timer.Stop()
	return cmd.Wait()
}

// TestHTTPShutdownEndsListeningStreams: open notification streams (a
// legacy GET stream, a 2026-07-28 subscriptions/listen) are not calls to
// drain; a shutdown must not wait the whole grace period for them.
func TestHTTPShutdownEndsListeningStreams(t *testing.T) {
	s := startHTTP(t, []string{"--log-level", "debug"}, nil)

	//lint:ignore SA1019 the legacy GET stream is what this test must see ended
	legacy, err := mcpclient.NewStreamableHttpClient(s.mcpURL(), transport.WithContinuousListening())
	if err != nil {
		t.Fatal(err)
	}
	defer legacy.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := legacy.Start(ctx); err != nil {
		t.Fatal(err)
	}
	initialize(t, legacy, mcp.ProtocolVersion20251125)

	modern := connectHTTP(t, s.mcpURL(), "", mcp.ProtocolVersion20260728)
	acked := make(chan struct{}, 1)
	modern.OnNotification(func(n mcp.JSONRPCNotification) {
		if n.Method == "notifications/subscriptions/acknowledged" {
			select {
			case acked <- struct{}{}:
			default:
			}
		}
	})
	closeListen, err := modern.ListenAsync(context.Background(), mcp.SubscriptionFilter{ResourcesListChanged: true}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer closeListen()
	select {
	case <-acked:
	case <-time.After(20 * time.Second):
		t.Fatal("subscriptions/listen was never acknowledged")
	}
	// The legacy GET stream opens in the background: wait until the guard
	// has both streams (the GET and the listen) in hand.
	waitLog(t, s.logs, "http: listening stream open", 2, 20*time.Second)

	took, err := s.stop()
	if err != nil {
		t.Fatalf("run: %v\n%s", err, s.logs.String())
	}
	if took > config.HTTPDrainGrace/2 {
		t.Errorf("shutdown took %v with listening streams open; streams must not hold the drain (grace %v)", took, config.HTTPDrainGrace)
	}
}

func TestHTTPCORSPreflightForAllowedOrigins(t *testing.T) {
	s := startHTTP(t, []string{"--allowed-origins", "https://app.example.com"},
		map[string]string{"SPRITES_MCP_AUTH_TOKEN": "tok-cors"})
	for _, tc := range []struct {
		origin string
		status int
	}{{"https://app.example.com", 204}, {"https://evil.example.com", 403}} {
		req, _ := http.NewRequest(http.MethodOptions, s.mcpURL(), nil)
		req.Header.Set("Origin", tc.origin)
		req.Header.Set("Access-Control-Request-Method", "POST")
		req.Header.Set("Access-Control-Request-Headers", "authorization, content-type")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != tc.status {
			t.Errorf("preflight from %s: status %d, want %d", tc.origin, resp.StatusCode, tc.status)
		}
		if tc.status == 204 && resp.Header.Get("Access-Control-Allow-Origin") != tc.origin {
			t.Errorf("preflight from %s: Access-Control-Allow-Origin = %q", tc.origin, resp.Header.Get("Access-Control-Allow-Origin"))
		}
	}
	// The real request still needs the token.
	resp, _ := rawPost(t, s.mcpURL(), strings.NewReader(initializeBody), map[string]string{"Origin": "https://app.example.com"})
	if resp.StatusCode != 401 {
		t.Errorf("cross-origin request without a token: %d, want 401", resp.StatusCode)
	}
	resp, _ = rawPost(t, s.mcpURL(), strings.NewReader(initializeBody), map[string]string{"Origin": "https://app.example.com", "Authorization": "Bearer tok-cors"})
	if resp.StatusCode != 200 || resp.Header.Get("Access-Control-Allow-Origin") != "https://app.example.com" {
		t.Errorf("cross-origin request with the token: %d, ACAO %q", resp.StatusCode, resp.Header.Get("Access-Control-Allow-Origin"))
	}
}

// TestRunLeavesTheDefaultLoggerAlone: app.Run is called many times in one test
// process, so it must not replace the process-wide logger (main does).
func TestRunLeavesTheDefaultLoggerAlone(t *testing.T) {
	before := slog.Default()
	s := startHTTP(t, nil, nil)
	if _, err := s.stop(); err != nil {
		t.Fatalf("run: %v", err)
	}
	if slog.Default() != before {
		t.Error("app.Run replaced slog.Default()")
	}
}
