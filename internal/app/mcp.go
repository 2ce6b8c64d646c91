package app

import (
	"log/slog"

	"github.com/mark3labs/mcp-go/server"

	"github.com/sprites-mcp/sprites-mcp/internal/auth"
	"github.com/sprites-mcp/sprites-mcp/internal/config"
	"github.com/sprites-mcp/sprites-mcp/internal/dashboard"
	"github.com/sprites-mcp/sprites-mcp/prompts"
	"github.com/sprites-mcp/sprites-mcp/resources"
	"github.com/sprites-mcp/sprites-mcp/tools"
)

// serverInstructions is sent at initialisation; clients show it to the
// model, so it says how to use the tools well in few words.
const serverInstructions = `Run and watch long-running services (web servers, workers, databases) inside Sprites.
List before changing (service_list). service_create defines and starts a service and reports whether it came up; read its result before claiming success.
Results are bounded summaries: the outcome line first, then the output lines that matter. For more output use service_logs with grep or stream filters, or read the logs resource.
Services restart on crashes; service_stop is sticky until service_start.`

// newMCPServer builds the MCP server on a backend: the tools, the
// resources, the prompts, the services MCP App, read-only filtering and
// per-client scopes. It returns the resources too (the dashboard shares
// their watchers); the returned func releases those watchers.
func newMCPServer(cfg config.Config, be *backend, log *slog.Logger) (*server.MCPServer, *resources.Resources, func()) {
	// All three see the backend through the caller's scope, so the sprite
	// names they mention are ones the caller may use; tools and prompts
	// also ask the scope about the sprite they resolved before any call.
	svcs := auth.ScopedServices{Services: be.client, DefaultSprite: be.defaultSprite}
	sc := auth.Scope{DefaultSprite: be.defaultSprite}
	res := resources.New(resources.Deps{
		Services:       svcs,
		DefaultSprite:  be.defaultSprite,
		MaxChars:       cfg.MaxResultChars,
		CanListSprites: be.canListSprite,
		Logger:         log,
	})
	opts := []server.ServerOption{
		server.WithInstructions(serverInstructions),
		server.WithToolCapabilities(false),
		server.WithRecovery(),
		server.WithResourceRecovery(),
	}
	pr := prompts.New(prompts.Deps{
		Services:       svcs,
		Read:           res.Read,
		DefaultSprite:  be.defaultSprite,
		MaxChars:       cfg.MaxResultChars,
		CanListSprites: be.canListSprite,
		ReadOnly:       cfg.ReadOnly,
		Authorize:      sc.Authorize,
		Logger:         log,
	})
	opts = append(opts, res.ServerOptions()...)
	opts = append(opts, pr.ServerOptions()...)
	if cfg.ReadOnly {
		opts = append(opts, server.WithToolFilter(tools.ReadOnlyFilter()))
	}
	// Per-client scopes of the HTTP transport; over stdio no request
	// carries a client and they let everything through.
	opts = append(opts, sc.ServerOptions()...)
	srv := server.NewMCPServer("sprites-mcp", Version(), opts...)
	sc.AddHooks(srv.GetHooks())
	srv.AddTools(tools.All(tools.Deps{
		Services:       svcs,
		DefaultSprite:  be.defaultSprite,
		MaxResultChars: cfg.MaxResultChars,
		OpenWorld:      be.openWorld,
		Authorize:      sc.Authorize,
		Logger:         log,
	})...)
	res.Register(srv)
	pr.Register(srv)
	// The services view for hosts that render MCP Apps; others do not
	// see it listed.
	srv.AddResources(dashboard.AppResource())
	dashboard.HideFromPlainHosts(srv.GetHooks())
	return srv, res, res.Close
}

// newDashboard is the page served at / over HTTP, on the same scoped
// backend and watchers as the MCP server.
func newDashboard(cfg config.Config, be *backend, res *resources.Resources, a *auth.Authenticator, log *slog.Logger) *dashboard.Dashboard {
	return dashboard.New(dashboard.Deps{
		Auth:           a,
		Resources:      res,
		Services:       auth.ScopedServices{Services: be.client, DefaultSprite: be.defaultSprite},
		DefaultSprite:  be.defaultSprite,
		CanListSprites: be.canListSprite,
		ReadOnly:       cfg.ReadOnly,
		Logger:         log,
	})
}
