package tools

import (
	"context"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"
)

// All returns the tools in their documented order: reads first, then the
// lifecycle, then delete and signal, then list_sprites (the README's table
// and docs/ARCHITECTURE.md follow it). There is no init() registration:
// this list is the inventory.
func All(d Deps) []server.ServerTool {
	dd := newDeps(d)
	return []server.ServerTool{
		serviceList(dd),
		serviceGet(dd),
		serviceCreate(dd),
		serviceStart(dd),
		serviceStop(dd),
		serviceRestart(dd),
		serviceLogs(dd),
		serviceDelete(dd),
		serviceSignal(dd),
		listSprites(dd),
	}
}

// ReadOnlyFilter keeps only the tools whose readOnlyHint is true. mcp-go
// applies tool filters to listing and to calling, so with --read-only a
// write tool can be neither seen nor called.
func ReadOnlyFilter() server.ToolFilterFunc {
	return func(_ context.Context, ts []mcp.Tool) []mcp.Tool {
		out := make([]mcp.Tool, 0, len(ts))
		for _, t := range ts {
			if t.Annotations.ReadOnlyHint != nil && *t.Annotations.ReadOnlyHint {
				out = append(out, t)
			}
		}
		return out
	}
}
