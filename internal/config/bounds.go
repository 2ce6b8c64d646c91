package config

import "time"

// The bounds sprites-mcp keeps, in one place. Each is a promise to a
// caller (an agent's context window, an operator's shutdown) or a defence
// against one (a body, a file, a header that would not end).
const (
	// DefaultMaxResultChars is the default bound of one tool result or
	// resource, in characters (--max-result-chars).
	DefaultMaxResultChars = 8000
	// MinMaxResultChars is the floor of --max-result-chars: below it a
	// summary cannot say anything useful (an outcome line and a cause need
	// a few hundred characters).
	MinMaxResultChars = 1000
	// MaxMaxResultChars is the cap of --max-result-chars: above it a
	// result stops being a summary.
	MaxMaxResultChars = 100_000

	// DefaultLogLines is the log tail a caller gets when it names no size
	// (service_logs, the logs resource); MaxLogLines is the most it may
	// ask for.
	DefaultLogLines = 100
	MaxLogLines     = 2000

	// MaxLineChars cuts each output line an agent is shown (summaries,
	// log tails, prompts), with a marker saying how much was cut.
	MaxLineChars = 500

	// MaxAPIDeadline caps --api-header-timeout, --api-timeout and
	// --stream-margin: a call that may wait longer than this is a hang
	// under another name.
	MaxAPIDeadline = 10 * time.Minute

	// ShutdownGrace bounds how long stopping the embedded runtime's
	// services may take at exit.
	ShutdownGrace = 15 * time.Second
)

// Bounds of the streamable HTTP transport.
const (
	// MaxRequestBody is the largest request body /mcp accepts. MCP
	// requests are small; a larger body is a mistake or an attack.
	MaxRequestBody = 1 << 20
	// MaxHeaderBytes bounds a request's headers.
	MaxHeaderBytes = 64 << 10
	// ReadHeaderTimeout keeps a slow client from holding a connection
	// before it has even said what it wants.
	ReadHeaderTimeout = 10 * time.Second
	// IdleTimeout closes kept-alive connections nobody uses.
	IdleTimeout = 2 * time.Minute
	// HTTPDrainGrace bounds how long a shutdown waits for in-flight calls
	// (a create watches its service for up to a few minutes at most; an
	// operator's SIGTERM should not wait longer than this).
	HTTPDrainGrace = 30 * time.Second
	// RefusalWarnEvery is how often a refused request may log at Warn:
	// whoever reaches the port decides how many refusals there are.
	RefusalWarnEvery = time.Minute
	// MaxAuthFileBytes bounds the auth file; a real one is a few KiB.
	MaxAuthFileBytes = 1 << 20
)
