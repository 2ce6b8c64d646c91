package main

import (
	"context"
	"io"
	"log/slog"

	"github.com/mark3labs/mcp-go/server"

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
// resources, read-only filtering and per-client scopes. The returned func
// releases the resources' watchers.
func newMCPServer(cfg Config, be *backend, log *slog.Logger) (*server.MCPServer, func()) {
	// Both see the backend through the caller's scope, so the sprite names
	// they mention are ones the caller may use.
	svcs := scopedServices{Services: be.client, defaultSprite: be.defaultSprite}
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
	opts = append(opts, res.ServerOptions()...)
	if cfg.ReadOnly {
		opts = append(opts, server.WithToolFilter(tools.ReadOnlyFilter()))
	}
	// Per-client scopes of the HTTP transport; over stdio no request
	// carries a client and they let everything through.
	sc := scope{defaultSprite: be.defaultSprite}
	opts = append(opts, sc.serverOptions()...)
	srv := server.NewMCPServer("sprites-mcp", version(), opts...)
	sc.addHooks(srv.GetHooks())
	srv.AddTools(tools.All(tools.Deps{
		Services:       svcs,
		DefaultSprite:  be.defaultSprite,
		MaxResultChars: cfg.MaxResultChars,
		OpenWorld:      be.openWorld,
		Logger:         log,
	})...)
	res.Register(srv)
	return srv, res.Close
}

// serveStdio serves MCP on stdin/stdout until stdin closes or ctx ends.
func serveStdio(ctx context.Context, srv *server.MCPServer, stdin io.Reader, stdout io.Writer, log *slog.Logger) error {
	stdio := server.NewStdioServer(srv)
	stdio.SetErrorLogger(slog.NewLogLogger(log.Handler(), slog.LevelError))
	err := stdio.Listen(ctx, stdin, stdout)
	if err != nil && ctx.Err() != nil {
		return nil // a signal asked us to stop
	}
	return err
}
