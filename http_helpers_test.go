//go:build unix

package main

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sprites-mcp/sprites-mcp/internal/testenv"

	mcpclient "github.com/mark3labs/mcp-go/client"
	"github.com/mark3labs/mcp-go/client/transport"

	"github.com/sprites-mcp/sprites-mcp/internal/app"
	"github.com/sprites-mcp/sprites-mcp/internal/config"
)

// listenAddrFrom finds the address in the "http: listening" line of a JSON
// log.
func listenAddrFrom(log string) string {
	for _, line := range strings.Split(log, "\n") {
		var m struct {
			Msg  string `json:"msg"`
			Addr string `json:"addr"`
		}
		if json.Unmarshal([]byte(line), &m) == nil && m.Msg == "http: listening" {
			return m.Addr
		}
	}
	return ""
}

// httpTestServer is sprites-mcp's app.Run serving HTTP in this process on a
// free loopback port, over the real embedded runtime in a temp dir.
type httpTestServer struct {
	base string // http://127.0.0.1:PORT
	logs *testenv.SyncBuffer
	// stop cancels app.Run's context (as SIGTERM does) and returns its
	// error and how long it took to return; later calls return the same.
	stop func() (time.Duration, error)
}

func (s *httpTestServer) mcpURL() string { return s.base + "/mcp" }

// startHTTP runs the server with args added to --http 127.0.0.1:0 and env
// added to a clean environment; it stops (and must stop cleanly) at the end
// of the test.
func startHTTP(t *testing.T, args []string, env map[string]string) *httpTestServer {
	t.Helper()
	state := stateDir(t)
	vars := map[string]string{"HOME": state, "SPRITES_MCP_STATE_DIR": state, "SPRITES_API_URL": "local"}
	for k, v := range env {
		vars[k] = v
	}
	cfg, err := config.Parse(append([]string{"--http", "127.0.0.1:0", "--log-format", "json"}, args...),
		func(k string) string { return vars[k] })
	if err != nil {
		t.Fatalf("config.Parse: %v", err)
	}
	logs := &testenv.SyncBuffer{}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- app.Run(ctx, cfg, strings.NewReader(""), io.Discard, logs) }()
	var once sync.Once
	var stopErr error
	var took time.Duration
	stop := func() (time.Duration, error) {
		once.Do(func() {
			start := time.Now()
			cancel()
			select {
			case stopErr = <-done:
			case <-time.After(60 * time.Second):
				stopErr = errors.New("the HTTP server did not stop within 60s")
			}
			took = time.Since(start)
		})
		return took, stopErr
	}
	t.Cleanup(func() {
		if _, err := stop(); err != nil {
			t.Errorf("run: %v\n%s", err, logs.String())
		}
	})
	deadline := time.Now().Add(30 * time.Second)
	for {
		if addr := listenAddrFrom(logs.String()); addr != "" {
			s := &httpTestServer{base: "http://" + addr, logs: logs, stop: stop}
			waitHealthy(t, s.base)
			return s
		}
		select {
		case err := <-done:
			t.Fatalf("run ended before listening: %v\n%s", err, logs.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("no listening line within 30s\n%s", logs.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// waitHealthy waits until /healthz answers: the backend is up once it does.
func waitHealthy(t *testing.T, base string) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		resp, err := http.Get(base + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s/healthz did not answer 200 within 30s: %v", base, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// initializeBody is a legacy initialize request, the first thing any
// 2025-11-25 client sends.
const initializeBody = `{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25",` +
	`"capabilities":{},"clientInfo":{"name":"raw","version":"1"}}}`

// rawPost sends body to url as an MCP client would, with extra headers.
func rawPost(t *testing.T, url string, body io.Reader, headers map[string]string) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, url, body)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json, text/event-stream")
	for k, v := range headers {
		if k == "Host" {
			req.Host = v
			continue
		}
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("POST %s: %v", url, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	return resp, string(b)
}

func bearer(token string) map[string]string {
	return map[string]string{"Authorization": "Bearer " + token}
}

// connectHTTP is mcp-go's streamable HTTP client on url, initialised with
// protocol; it is closed at the end of the test.
func connectHTTP(t *testing.T, url, token, protocol string) *mcpclient.Client {
	t.Helper()
	var opts []transport.StreamableHTTPCOption
	if token != "" {
		opts = append(opts, transport.WithHTTPHeaders(bearer(token)))
	}
	c, err := mcpclient.NewStreamableHttpClient(url, opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := c.Start(ctx); err != nil {
		t.Fatal(err)
	}
	initialize(t, c, protocol)
	return c
}

// sha256Hex is what an auth file stores for token.
func sha256Hex(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// writeAuthFile writes content to a temp file and returns its path.
func writeAuthFile(t *testing.T, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "auth.json")
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// lineWaiter scans a child's stderr for the listening line.
func lineWaiter(r io.Reader, logs *testenv.SyncBuffer) <-chan string {
	addr := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(r)
		sc.Buffer(make([]byte, 64<<10), 1<<20)
		sent := false
		for sc.Scan() {
			logs.Write(append(sc.Bytes(), '\n'))
			if a := listenAddrFrom(sc.Text()); a != "" && !sent {
				addr <- a
				sent = true
			}
		}
		close(addr)
	}()
	return addr
}

// countLog counts the lines of a JSON log whose message is msg.
func countLog(logs string, msg string) int { return countLogAt(logs, "", msg) }

// countLogAt counts the lines of a JSON log whose message is msg at level
// ("" for any level).
func countLogAt(logs, level, msg string) int {
	n := 0
	for _, line := range strings.Split(logs, "\n") {
		var m struct {
			Level string `json:"level"`
			Msg   string `json:"msg"`
		}
		if json.Unmarshal([]byte(line), &m) == nil && m.Msg == msg && (level == "" || m.Level == level) {
			n++
		}
	}
	return n
}

// waitLog waits until the JSON log has at least n lines whose message is
// msg, and fails the test after within.
func waitLog(t *testing.T, logs *testenv.SyncBuffer, msg string, n int, within time.Duration) {
	t.Helper()
	deadline := time.Now().Add(within)
	for countLog(logs.String(), msg) < n {
		if time.Now().After(deadline) {
			t.Fatalf("fewer than %d %q lines in the log within %v:\n%s", n, msg, within, logs.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
}
