package app

import (
	"context"
	"io"
	"log/slog"
	"os"

	"github.com/mark3labs/mcp-go/server"
	"golang.org/x/term"
)

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

// terminalHint greets someone who started the server by hand.
const terminalHint = `sprites-mcp speaks MCP on stdin/stdout; it is meant to be started by an MCP
client, not typed at. Add it to Claude Code with
    claude mcp add sprites -- sprites-mcp
or to Claude Desktop, VS Code or Cursor as a stdio server with the command
"sprites-mcp" (see README.md). Press Ctrl-D or Ctrl-C to quit.
`

// isTerminal reports whether f is a terminal, on every platform.
func isTerminal(f *os.File) bool { return term.IsTerminal(int(f.Fd())) }
