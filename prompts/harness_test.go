package prompts_test

import (
	"context"
	"testing"
	"time"

	mcpclient "github.com/mark3labs/mcp-go/client"
	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"

	"github.com/sprites-mcp/sprites-mcp/client"
	"github.com/sprites-mcp/sprites-mcp/internal/testenv"
	"github.com/sprites-mcp/sprites-mcp/prompts"
	"github.com/sprites-mcp/sprites-mcp/resources"
)

const sprite = "local"

// protocols are the two revisions every protocol-facing test runs under.
var protocols = testenv.Protocols

// harness is the embedded runtime, the Services API client on it, and an
// MCP server with the resources and the prompts, built as the server
// wiring builds it.
type harness struct {
	t   testing.TB
	api *client.Client
	srv *server.MCPServer
}

func newHarness(t testing.TB, maxChars int, tweak ...func(*prompts.Deps)) *harness {
	t.Helper()
	api := startRuntime(t)
	res := resources.New(resources.Deps{Services: api, DefaultSprite: sprite, MaxChars: maxChars, Logger: testenv.QuietLogger(t)})
	t.Cleanup(res.Close)
	h := &harness{t: t, api: api}
	// The prompts attach what a client reading the resource gets: in
	// this test that is literally a client reading it from the same
	// server, so "same URI, same content" is what is checked.
	deps := prompts.Deps{
		Services:      api,
		Read:          h.readThroughServer,
		DefaultSprite: sprite,
		MaxChars:      maxChars,
		Logger:        testenv.QuietLogger(t),
	}
	for _, f := range tweak {
		f(&deps)
	}
	pr := prompts.New(deps)
	opts := append(res.ServerOptions(), pr.ServerOptions()...)
	h.srv = server.NewMCPServer("sprites-mcp-test", "0.0.0", append(opts, server.WithResourceRecovery())...)
	res.Register(h.srv)
	pr.Register(h.srv)
	return h
}

// readThroughServer reads a resource from the harness server with an
// in-process client of its own.
func (h *harness) readThroughServer(ctx context.Context, uri string) ([]mcp.ResourceContents, error) {
	c, err := mcpclient.NewInProcessClient(h.srv)
	if err != nil {
		return nil, err
	}
	defer c.Close()
	if err := c.Start(ctx); err != nil {
		return nil, err
	}
	if _, err := c.Initialize(ctx, mcp.InitializeRequest{Params: mcp.InitializeParams{
		ClientInfo: mcp.Implementation{Name: "prompts-read", Version: "0"}}}); err != nil {
		return nil, err
	}
	res, err := c.ReadResource(ctx, mcp.ReadResourceRequest{Params: mcp.ReadResourceParams{URI: uri}})
	if err != nil {
		return nil, err
	}
	return res.Contents, nil
}

// connect opens an in-process client speaking proto.
func (h *harness) connect(opts []mcpclient.ClientOption, want string) *mcpclient.Client {
	h.t.Helper()
	c, err := mcpclient.NewInProcessClientWithOptions(h.srv, opts...)
	if err != nil {
		h.t.Fatal(err)
	}
	ctx := testenv.Context(h.t, 20*time.Second)
	if err := c.Start(ctx); err != nil {
		h.t.Fatal(err)
	}
	h.t.Cleanup(func() { c.Close() })
	if _, err := c.Initialize(ctx, mcp.InitializeRequest{Params: mcp.InitializeParams{
		ClientInfo: mcp.Implementation{Name: "prompts-test", Version: "0"}}}); err != nil {
		h.t.Fatalf("initialize: %v", err)
	}
	if got := c.ProtocolVersion(); got != want {
		h.t.Fatalf("negotiated protocol %q, want %q", got, want)
	}
	return c
}

// create defines and starts a service without waiting for its state.
func (h *harness) create(name string, req client.ServiceRequest) {
	h.t.Helper()
	st, err := h.api.Put(testenv.Context(h.t, 20*time.Second), sprite, name, req, 0)
	if err != nil {
		h.t.Fatalf("create %s: %v", name, err)
	}
	for st.Next() {
	}
	st.Close()
}

// waitFor polls the service until ok holds, or fails the test after 30 s.
func (h *harness) waitFor(name string, ok func(*client.Service) bool) *client.Service {
	h.t.Helper()
	return testenv.WaitForService(h.t, h.api, sprite, name, 30*time.Second, ok)
}

func running(s *client.Service) bool {
	return s.State.Status == client.StatusRunning && s.State.PID > 0
}

// startRuntime starts the embedded runtime (internal/testenv) and returns
// a client on it.
func startRuntime(t testing.TB) *client.Client { return testenv.StartRuntime(t, "pr").Client }
