// Package app wires sprites-mcp together: it chooses the backend, builds
// the MCP server on it (tools, resources, read-only filter, client
// scopes), and runs it over stdio or streamable HTTP until its context
// ends; or it runs the embedded runtime alone (the supervisor command).
package app

import (
	"context"
	"fmt"
	"io"
	"os"

	"github.com/sprites-mcp/sprites-mcp/internal/config"
	"github.com/sprites-mcp/sprites-mcp/internal/httpserver"
	"github.com/sprites-mcp/sprites-mcp/supervisor"
)

// Run serves until ctx ends or, over stdio, until stdin closes. It logs to
// stderr only and leaves process-wide state (the default logger, signals)
// to its caller, so tests run it many times in one process; the one
// exception is the garbage collector's pace over HTTP (gcpace.go), set
// once per process unless GOGC is.
func Run(ctx context.Context, cfg config.Config, stdin io.Reader, stdout, stderr io.Writer) error {
	log := NewLogger(stderr, cfg.LogLevel, cfg.LogFormat)

	if cfg.Command == "supervisor" {
		log.Info("supervisor", "version", Version(), "state_dir", cfg.StateDir)
		return supervisor.Run(ctx, supervisor.Config{StateDir: cfg.StateDir, Logger: log})
	}

	// Over HTTP, a bad auth file or a busy port fails before the backend
	// starts any service.
	var ln *httpserver.Listener
	if cfg.HTTP != "" {
		l, err := httpserver.Listen(cfg, log)
		if err != nil {
			return err
		}
		defer l.Close()
		ln = l
		paceGC()
	}

	be, err := openBackend(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer func() {
		// The request context is gone by now; give the services their
		// grace period on a fresh one.
		sctx, cancel := context.WithTimeout(context.Background(), config.ShutdownGrace)
		defer cancel()
		if err := be.close(sctx); err != nil {
			log.Error("shutdown", "err", err)
		}
	}()
	transport := "stdio"
	if ln != nil {
		transport = "http"
	}
	log.Info("sprites-mcp", "version", Version(), "backend", be.kind, "sprite", be.defaultSprite,
		"read_only", cfg.ReadOnly, "transport", transport)

	srv, res, closeServer := newMCPServer(cfg, be, log)
	defer closeServer()
	if ln != nil {
		return ln.Serve(ctx, srv, Version(), be.kind, newDashboard(cfg, be, res, ln.Authenticator(), log))
	}
	if f, ok := stdin.(*os.File); ok && isTerminal(f) {
		fmt.Fprint(stderr, terminalHint)
	}
	return serveStdio(ctx, srv, stdin, stdout, log)
}
