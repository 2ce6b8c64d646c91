//go:build unix

package main

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	mcpclient "github.com/mark3labs/mcp-go/client"
	"github.com/mark3labs/mcp-go/mcp"
)

// initialize runs the MCP handshake on c (started, for transports that need
// it) and checks the server agreed to protocol.
func initialize(t *testing.T, c *mcpclient.Client, protocol string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	req := mcp.InitializeRequest{}
	req.Params.ProtocolVersion = protocol
	req.Params.ClientInfo = mcp.Implementation{Name: "main_test", Version: "1"}
	res, err := c.Initialize(ctx, req)
	if err != nil {
		t.Fatalf("initialize (%s): %v", protocol, err)
	}
	if res.ProtocolVersion != protocol {
		t.Fatalf("negotiated %s, want %s", res.ProtocolVersion, protocol)
	}
}

// readOnlyTools are the tools a read-only caller sees, sorted.
var readOnlyTools = []string{"list_sprites", "service_get", "service_list", "service_logs"}

// assertReadOnly checks that c may read but change nothing: it lists only
// the read-only tools, and a call of service_create is refused by the
// server as an unknown tool rather than run. A probe service that would
// keep running if the call got through must then be absent, so a refusal
// that merely looked like a failed start cannot pass.
func assertReadOnly(t *testing.T, c *mcpclient.Client) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	list, err := c.ListTools(ctx, mcp.ListToolsRequest{})
	if err != nil {
		t.Fatalf("tools/list: %v", err)
	}
	var names []string
	for _, tool := range list.Tools {
		names = append(names, tool.Name)
		if tool.Annotations.ReadOnlyHint == nil || !*tool.Annotations.ReadOnlyHint {
			t.Errorf("a read-only caller is offered %s, which is not read-only", tool.Name)
		}
	}
	slices.Sort(names)
	if !slices.Equal(names, readOnlyTools) {
		t.Errorf("a read-only caller sees %v, want %v", names, readOnlyTools)
	}

	const probe = "ro-probe"
	req := mcp.CallToolRequest{}
	req.Params.Name = "service_create"
	req.Params.Arguments = map[string]any{"service_name": probe, "cmd": "sleep", "args": []string{"300"}, "duration": "0"}
	res, err := c.CallTool(ctx, req)
	switch {
	case err == nil:
		text, _ := resultText(res)
		t.Errorf("a read-only caller's service_create was answered as a call (isError=%v), not refused:\n%s", res.IsError, text)
	case !strings.Contains(err.Error(), "service_create") || !strings.Contains(err.Error(), "not found"):
		t.Errorf("a read-only caller's service_create: %v; want the tool refused as not found", err)
	}
	if text, isErr := callText(t, c, "service_get", map[string]any{"service_name": probe}); !isErr || !strings.Contains(text, `no service "`+probe+`"`) {
		t.Errorf("after a read-only caller's service_create, service_get %s (isError=%v):\n%s", probe, isErr, text)
	}
	if text, isErr := callText(t, c, "service_list", nil); isErr {
		t.Errorf("a read-only caller cannot list: %s", text)
	}
}

// resultText joins the text contents of a tool result.
func resultText(res *mcp.CallToolResult) (string, bool) {
	if res == nil {
		return "", false
	}
	var b strings.Builder
	for _, content := range res.Content {
		if tc, ok := content.(mcp.TextContent); ok {
			b.WriteString(tc.Text)
		}
	}
	return b.String(), res.IsError
}
