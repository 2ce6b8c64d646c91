// Command sprites-mcp is an MCP server that lets AI agents run and watch
// long-running services through the Sprites Services API. With no account
// it runs them as real processes on this machine (the embedded runtime).
//
// main wires the parts; everything with behaviour lives in the packages.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"
	"time"

	"github.com/lmittmann/tint"
	"golang.org/x/sys/unix"

	"github.com/sprites-mcp/sprites-mcp/supervisor"
)

func main() {
	cfg, err := parseConfig(os.Args[1:], os.Getenv, os.Stderr)
	switch {
	case errors.Is(err, errHelp):
		os.Exit(0)
	case err != nil:
		fmt.Fprintf(os.Stderr, "sprites-mcp: %v\nRun sprites-mcp --help for usage.\n", err)
		os.Exit(2)
	case cfg.ShowVersion:
		fmt.Println("sprites-mcp", version())
		return
	}

	// The process-wide default (which also formats the standard log
	// package's output, such as a library's stray line) is set here, not in
	// run: tests run run many times in one process.
	slog.SetDefault(newLogger(os.Stderr, cfg.LogLevel, cfg.LogFormat))

	// A client that goes away closes our stdout and stderr; a write to them
	// must fail with EPIPE, not kill us before the services are stopped.
	signal.Ignore(syscall.SIGPIPE)
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, cfg, os.Stdin, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintf(os.Stderr, "sprites-mcp: %v\n", err)
		os.Exit(1)
	}
}

// shutdownGrace bounds how long stopping the embedded runtime's services
// may take at exit.
const shutdownGrace = 15 * time.Second

// run serves until ctx ends or, over stdio, until stdin closes.
func run(ctx context.Context, cfg Config, stdin io.Reader, stdout, stderr io.Writer) error {
	log := newLogger(stderr, cfg.LogLevel, cfg.LogFormat)

	if cfg.Command == "supervisor" {
		log.Info("supervisor", "version", version(), "state_dir", cfg.StateDir)
		return supervisor.Run(ctx, supervisor.Config{StateDir: cfg.StateDir, Logger: log})
	}

	// Over HTTP, a bad auth file or a busy port fails before the backend
	// starts any service.
	var httpT *httpTransport
	if cfg.HTTP != "" {
		t, err := listenHTTP(cfg, log)
		if err != nil {
			return err
		}
		defer t.ln.Close()
		httpT = t
	}

	be, err := openBackend(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer func() {
		// The request context is gone by now; give the services their
		// grace period on a fresh one.
		sctx, cancel := context.WithTimeout(context.Background(), shutdownGrace)
		defer cancel()
		if err := be.close(sctx); err != nil {
			log.Error("shutdown", "err", err)
		}
	}()
	transport := "stdio"
	if httpT != nil {
		transport = "http"
	}
	log.Info("sprites-mcp", "version", version(), "backend", be.kind, "sprite", be.defaultSprite,
		"read_only", cfg.ReadOnly, "transport", transport)
	if httpT != nil {
		srv, closeServer := newMCPServer(cfg, be, log)
		defer closeServer()
		return httpT.serve(ctx, cfg, srv, be.kind, log)
	}

	if f, ok := stdin.(*os.File); ok && isTerminal(f) {
		fmt.Fprint(stderr, terminalHint)
	}
	srv, closeServer := newMCPServer(cfg, be, log)
	defer closeServer()
	return serveStdio(ctx, srv, stdin, stdout, log)
}

const terminalHint = `sprites-mcp speaks MCP on stdin/stdout; it is meant to be started by an MCP
client, not typed at. Add it to Claude Code with
    claude mcp add sprites -- sprites-mcp
or to Claude Desktop, VS Code or Cursor as a stdio server with the command
"sprites-mcp" (see README.md). Press Ctrl-D or Ctrl-C to quit.
`

func isTerminal(f *os.File) bool {
	_, err := unix.IoctlGetTermios(int(f.Fd()), unix.TCGETS)
	return err == nil
}

// newLogger writes to w only: stdout belongs to MCP.
func newLogger(w io.Writer, level slog.Level, format string) *slog.Logger {
	if format == "json" {
		return slog.New(slog.NewJSONHandler(w, &slog.HandlerOptions{Level: level}))
	}
	return slog.New(tint.NewHandler(w, &tint.Options{Level: level, TimeFormat: time.TimeOnly,
		NoColor: !isTerminalWriter(w)}))
}

func isTerminalWriter(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && isTerminal(f)
}

// version is the module version when built from a tagged module, else the
// VCS revision, else "dev".
func version() string {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "dev"
	}
	if v := bi.Main.Version; v != "" && v != "(devel)" {
		return v
	}
	for _, s := range bi.Settings {
		if s.Key == "vcs.revision" && len(s.Value) >= 12 {
			return "dev-" + s.Value[:12]
		}
	}
	return "dev"
}
