// Command sprites-mcp is an MCP server that lets AI agents run and watch
// long-running services through the Sprites Services API. With no account
// it runs them as real processes on this machine (the embedded runtime).
//
// main parses the configuration, runs internal/app and turns the outcome
// into an exit code: 0 done, 1 failed, 2 misconfigured.
package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	"github.com/sprites-mcp/sprites-mcp/internal/app"
	"github.com/sprites-mcp/sprites-mcp/internal/config"
)

func main() {
	cfg, err := config.Parse(os.Args[1:], os.Getenv)
	switch {
	case errors.Is(err, config.ErrHelp):
		config.Usage(os.Stderr)
		os.Exit(0)
	case err != nil:
		fmt.Fprintf(os.Stderr, "sprites-mcp: %v\nRun sprites-mcp --help for usage.\n", err)
		os.Exit(2)
	case cfg.ShowVersion:
		fmt.Println("sprites-mcp", app.Version())
		return
	}

	// The process-wide default (which also formats the standard log
	// package's output, such as a library's stray line) is set here, not in
	// app.Run: tests run it many times in one process.
	slog.SetDefault(app.NewLogger(os.Stderr, cfg.LogLevel, cfg.LogFormat))

	// A client that goes away closes our stdout and stderr; a write to them
	// must fail with EPIPE, not kill us before the services are stopped.
	signal.Ignore(syscall.SIGPIPE)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := app.Run(ctx, cfg, os.Stdin, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintf(os.Stderr, "sprites-mcp: %v\n", err)
		os.Exit(1)
	}
}
