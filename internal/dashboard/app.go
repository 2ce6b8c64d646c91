package dashboard

import (
	"context"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"

	"github.com/sprites-mcp/sprites-mcp/tools"
)

// The MCP Apps extension (io.modelcontextprotocol/ui): a host that
// supports it fetches the ui:// resource a tool's _meta.ui.resourceUri
// names, renders it in a sandboxed frame next to the tool's result, and
// talks to it with JSON-RPC over postMessage (ui/initialize, then
// ui/notifications/tool-result with the result; the app may ask for
// tools/call and resources/read). A host without the extension ignores
// the _meta and never reads the resource.
const (
	// AppExtension is the extension's name in client capabilities.
	AppExtension = "io.modelcontextprotocol/ui"
	// AppMIMEType marks HTML as an MCP App.
	AppMIMEType = "text/html;profile=mcp-app"
	// AppURI is the services app, linked from service_list and
	// service_get.
	AppURI = tools.ServicesAppURI
)

// AppResource is the services view as an MCP App: the page of the
// dashboard with its styles and script inlined, fed by the host instead
// of by this server's HTTP API. It holds no data, so every client may
// read it.
func AppResource() server.ServerResource {
	return server.ServerResource{
		Resource: mcp.NewResource(AppURI, "services app",
			mcp.WithResourceTitle("Services view"),
			mcp.WithResourceDescription("The services of a sprite with status, pid, uptime, port, restarts and last error, "+
				"for hosts that render MCP Apps (io.modelcontextprotocol/ui) next to service_list and service_get."),
			mcp.WithMIMEType(AppMIMEType)),
		Handler: func(context.Context, mcp.ReadResourceRequest) ([]mcp.ResourceContents, error) {
			return []mcp.ResourceContents{mcp.TextResourceContents{URI: AppURI, MIMEType: AppMIMEType, Text: appHTML}}, nil
		},
	}
}

// HideFromPlainHosts keeps the app out of resources/list for a client that
// did not declare the extension, so that a host without it sees the
// resources it saw before. (A read of the URI still works: it holds no
// data.)
func HideFromPlainHosts(h *server.Hooks) {
	h.AddAfterListResources(func(ctx context.Context, _ any, _ *mcp.ListResourcesRequest, res *mcp.ListResourcesResult) {
		if res == nil || clientRendersApps(ctx) {
			return
		}
		kept := res.Resources[:0:0]
		for _, r := range res.Resources {
			if r.URI != AppURI {
				kept = append(kept, r)
			}
		}
		res.Resources = kept
	})
}

// clientRendersApps reports whether the client of ctx declared the
// extension: per request from 2026-07-28, else at initialisation.
func clientRendersApps(ctx context.Context) bool {
	var caps mcp.ClientCapabilities
	if info := server.RequestProtocolInfoFromContext(ctx); info != nil && info.Modern {
		if info.ClientCapabilities != nil {
			caps = *info.ClientCapabilities
		}
	} else if s, ok := server.ClientSessionFromContext(ctx).(server.SessionWithClientInfo); ok {
		caps = s.GetClientCapabilities()
	}
	_, ok := caps.Extensions[AppExtension]
	return ok
}
