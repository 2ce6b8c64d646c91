package resources_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/sprites-mcp/sprites-mcp/internal/testenv"
)

// TestListChangedAfterToolCall: a client that never subscribed still gets
// resources/list_changed after service_create and service_delete (DESIGN.md
// section 4). No watcher runs here, so only the tool hook can send it. The
// tools are stand-ins with the real names that change the real runtime;
// the create one answers isError, as service_create does when the process
// crashes during its wait, because the service exists all the same.
func TestListChangedAfterToolCall(t *testing.T) {
	h := newHarness(t)
	h.srv.AddTool(mcp.NewTool("service_create"), func(ctx context.Context, req mcp.CallToolRequest) (*mcp.CallToolResult, error) {
		st, err := h.api.Put(ctx, sprite, "made", sleeper(), 0)
		if err != nil {
			return mcp.NewToolResultError(err.Error()), nil
		}
		for st.Next() {
		}
		st.Close()
		return mcp.NewToolResultError("made crashed during its wait (stand-in)"), nil
	})
	h.srv.AddTool(mcp.NewTool("service_delete"), func(ctx context.Context, req mcp.CallToolRequest) (*mcp.CallToolResult, error) {
		if err := h.api.Delete(ctx, sprite, "made"); err != nil {
			return mcp.NewToolResultError(err.Error()), nil
		}
		return mcp.NewToolResultText("deleted"), nil
	})

	// 2025-11-25: list_changed goes to every session; on 2026-07-28 only a
	// subscriptions/listen stream can carry it, which would be a subscriber.
	c := h.connect(protocols[0].Opts, protocols[0].Name)
	for _, step := range []struct {
		tool    string
		present bool
	}{{"service_create", true}, {"service_delete", false}} {
		mark := c.notes.mark()
		if _, err := c.CallTool(testenv.Context(t, 30*time.Second), mcp.CallToolRequest{Params: mcp.CallToolParams{Name: step.tool}}); err != nil {
			t.Fatalf("%s: %v", step.tool, err)
		}
		if _, ok := c.notes.waitSince(mark, 10*time.Second, method(mcp.MethodNotificationResourcesListChanged)); !ok {
			t.Fatalf("no resources/list_changed within 10s of %s for a client that did not subscribe", step.tool)
		}
		if got := slices.Contains(concrete(t, c), "sprites://local/services/made"); got != step.present {
			t.Errorf("after %s the concrete resources list made: %v, want %v", step.tool, got, step.present)
		}
	}
}
