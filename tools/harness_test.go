package tools

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	mcpclient "github.com/mark3labs/mcp-go/client"
	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"

	"github.com/sprites-mcp/sprites-mcp/client"
	"github.com/sprites-mcp/sprites-mcp/internal/testenv"
)

// The two protocol revisions every tool is tested under: the one desktop
// clients speak, and mcp-go's default.
var protocols = []string{mcp.ProtocolVersion20251125, mcp.ProtocolVersion20260728}

// markEnv tags every service a test starts (children inherit it), so the
// cleanup can prove that no process of the test is left.
const markEnv = "TOOLS_TEST_MARK"

func quiet() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// harness is a real MCP server built from All, over the real embedded
// runtime on a unix socket, driven by mcp-go's in-process client.
type harness struct {
	t      testing.TB
	sock   string // the runtime's socket
	api    *client.Client
	srv    *server.MCPServer
	mc     *mcpclient.Client
	mark   string
	mu     sync.Mutex
	notes  []mcp.JSONRPCNotification
	protoV string
}

type harnessOpts struct {
	protocol string
	readOnly bool
	maxChars int
	// through wraps the runtime's socket in a real HTTP server on
	// 127.0.0.1 that the tools use instead (to cut streams, hide routes).
	through func(sock string) http.Handler
	// noDefaultSprite builds the tools without a default sprite.
	noDefaultSprite bool
	// authorize is the tools' Authorize hook (nil allows everything).
	authorize func(ctx context.Context, sprite string) error
}

// runtimeFor starts an embedded runtime (internal/testenv) and returns a
// client of it and its socket; at the end of the test, once the runtime has
// stopped every service, it checks that no process marked mark is left.
func runtimeFor(t testing.TB, mark string) (*client.Client, string) {
	t.Helper()
	t.Cleanup(func() { assertNoProcesses(t, mark) }) // runs after the runtime's own cleanup
	rt := testenv.StartRuntime(t, "tt")
	return rt.Client, rt.Socket
}

func newHarness(t testing.TB, o harnessOpts) *harness {
	t.Helper()
	h := &harness{t: t, mark: newMark(), protoV: o.protocol}
	h.api, h.sock = runtimeFor(t, h.mark)
	sock := h.sock
	var svcs Services = h.api
	if o.through != nil {
		ts := httptest.NewServer(o.through(sock)) // binds 127.0.0.1
		t.Cleanup(ts.Close)
		c, err := client.New(ts.URL, client.WithLogger(quiet()))
		if err != nil {
			t.Fatal(err)
		}
		svcs = c
	}
	h.connect(svcs, o)
	return h
}

// connect builds the MCP server from All over svcs, with the default
// sprite local, and an in-process client of it, initialized.
func (h *harness) connect(svcs Services, o harnessOpts) {
	t := h.t
	t.Helper()
	opts := []server.ServerOption{server.WithToolCapabilities(false), server.WithOutputSchemaValidation()}
	if o.readOnly {
		opts = append(opts, server.WithToolFilter(ReadOnlyFilter()))
	}
	h.srv = server.NewMCPServer("sprites-mcp-test", "0.0.0", opts...)
	def := "local"
	if o.noDefaultSprite {
		def = ""
	}
	h.srv.AddTools(All(Deps{Services: svcs, DefaultSprite: def, MaxResultChars: o.maxChars, Logger: quiet(), Authorize: o.authorize})...)
	var copts []mcpclient.ClientOption
	if o.protocol != "" {
		copts = append(copts, mcpclient.WithProtocolVersion(o.protocol))
	}
	mc, err := mcpclient.NewInProcessClientWithOptions(h.srv, copts...)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := mc.Start(ctx); err != nil {
		t.Fatal(err)
	}
	mc.OnNotification(func(n mcp.JSONRPCNotification) {
		h.mu.Lock()
		h.notes = append(h.notes, n)
		h.mu.Unlock()
	})
	init := mcp.InitializeRequest{}
	init.Params.ClientInfo = mcp.Implementation{Name: "tools-test", Version: "0"}
	if _, err := mc.Initialize(ctx, init); err != nil {
		t.Fatalf("initialize: %v", err)
	}
	if o.protocol != "" && mc.ProtocolVersion() != o.protocol {
		t.Fatalf("negotiated %s, want %s", mc.ProtocolVersion(), o.protocol)
	}
	t.Cleanup(func() { mc.Close() })
	h.mc = mc
}

// call runs a tool and fails the test on a protocol error.
func (h *harness) call(name string, args map[string]any) *mcp.CallToolResult {
	h.t.Helper()
	res, err := h.callErr(name, args, nil)
	if err != nil {
		h.t.Fatalf("%s(%v): protocol error: %v", name, args, err)
	}
	return res
}

func (h *harness) callErr(name string, args map[string]any, meta *mcp.Meta) (*mcp.CallToolResult, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	req := mcp.CallToolRequest{}
	req.Params.Name = name
	req.Params.Arguments = args
	req.Params.Meta = meta
	return h.mc.CallTool(ctx, req)
}

// mustOK calls a tool and fails unless the result is a success.
func (h *harness) mustOK(name string, args map[string]any) *mcp.CallToolResult {
	h.t.Helper()
	res := h.call(name, args)
	if res.IsError {
		h.t.Fatalf("%s(%v) failed:\n%s", name, args, text(res))
	}
	return res
}

// mustFail calls a tool and fails unless the result is a tool error.
func (h *harness) mustFail(name string, args map[string]any) *mcp.CallToolResult {
	h.t.Helper()
	res := h.call(name, args)
	if !res.IsError {
		h.t.Fatalf("%s(%v) succeeded, want a tool error:\n%s", name, args, text(res))
	}
	return res
}

// waitRunning waits until service name runs: a create or start with
// duration 0 is answered before its exec.
func (h *harness) waitRunning(name string) {
	h.t.Helper()
	testenv.WaitForService(h.t, h.api, "local", name, 15*time.Second, func(s *client.Service) bool {
		return s.State.Status == client.StatusRunning
	})
}

// env tags a service's environment with the test's mark.
func (h *harness) env(extra ...string) map[string]any {
	m := map[string]any{markEnv: h.mark}
	for i := 0; i+1 < len(extra); i += 2 {
		m[extra[i]] = extra[i+1]
	}
	return m
}

// text is the first text content of a result.
func text(res *mcp.CallToolResult) string {
	for _, c := range res.Content {
		if tc, ok := c.(mcp.TextContent); ok {
			return tc.Text
		}
	}
	return ""
}

// structured decodes a result's structured content into v.
func structured(t testing.TB, res *mcp.CallToolResult, v any) {
	t.Helper()
	var b []byte
	if len(res.RawStructuredContent) > 0 {
		b = res.RawStructuredContent
	} else {
		var err error
		if b, err = json.Marshal(res.StructuredContent); err != nil {
			t.Fatal(err)
		}
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		t.Fatalf("structured content %s does not decode into %T: %v", b, v, err)
	}
}

func newMark() string {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// assertNoProcesses fails if any process carrying mark in its environment
// is still alive (zombies excepted: they hold nothing).
func assertNoProcesses(t testing.TB, mark string) {
	t.Helper()
	want := []byte(markEnv + "=" + mark)
	deadline := time.Now().Add(5 * time.Second)
	for {
		var left []string
		dirs, _ := filepath.Glob("/proc/[0-9]*")
		for _, d := range dirs {
			env, err := os.ReadFile(filepath.Join(d, "environ"))
			if err != nil || !bytes.Contains(env, want) {
				continue
			}
			stat, _ := os.ReadFile(filepath.Join(d, "stat"))
			if i := bytes.LastIndexByte(stat, ')'); i > 0 && i+2 < len(stat) && stat[i+2] == 'Z' {
				continue
			}
			cmdline, _ := os.ReadFile(filepath.Join(d, "cmdline"))
			left = append(left, filepath.Base(d)+" "+strings.ReplaceAll(string(cmdline), "\x00", " "))
		}
		if len(left) == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Errorf("processes of the test left behind: %v", left)
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// progressNotes returns the progress notifications received so far.
func (h *harness) progressNotes() []mcp.JSONRPCNotification {
	h.mu.Lock()
	defer h.mu.Unlock()
	var out []mcp.JSONRPCNotification
	for _, n := range h.notes {
		if n.Method == "notifications/progress" {
			out = append(out, n)
		}
	}
	return out
}
