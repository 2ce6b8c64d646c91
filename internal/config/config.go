// Package config reads sprites-mcp's configuration from its flags and
// environment, and holds every bound the server keeps (bounds.go). Parse
// is a pure function of its arguments: it touches no file, socket or
// global, so each rule is tested by calling it.
package config

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/sprites-mcp/sprites-mcp/client"
)

// Config is everything the flags and the environment decide.
type Config struct {
	// Command is "serve" (the MCP server) or "supervisor" (the runtime alone).
	Command string

	API            string // "", "local", "unix:///path.sock" or an http(s) URL
	Token          string // SPRITES_TOKEN, else SPRITE_TOKEN, trimmed; never logged
	Sprite         string // default sprite for tools and resources
	StateDir       string // embedded runtime state, absolute
	ReadOnly       bool
	MaxResultChars int
	LogLevel       slog.Level

	// Deadlines of every call to the backend (the client's options of the
	// same names): one try's wait for response headers, a whole call that
	// is not a stream (retries included), and what a stream gets beyond
	// its requested window.
	APIHeaderTimeout time.Duration
	APIReadTimeout   time.Duration
	StreamMargin     time.Duration
	LogFormat        string // "text" or "json"

	// HTTP is the listen address of the streamable HTTP transport; empty
	// means stdio. A bare port (":8080") is bound on loopback.
	HTTP           string
	AuthFile       string   // --auth-file: clients, token digests and scopes
	AuthToken      string   // SPRITES_MCP_AUTH_TOKEN; never logged
	AllowedOrigins []string // normalised scheme://host[:port], lower case
	Stateless      bool

	ShowVersion bool
}

// ErrHelp is Parse's answer to --help: print Usage and exit 0.
var ErrHelp = errors.New("help requested")

// rawFlags holds the flags that are checked or converted after parsing.
type rawFlags struct {
	level   string
	origins string
}

// flags declares every flag on cfg and raw, with defaults from getenv.
func flags(cfg *Config, raw *rawFlags, getenv func(string) string, readOnly bool) *flag.FlagSet {
	fs := flag.NewFlagSet("sprites-mcp", flag.ContinueOnError)
	fs.SetOutput(io.Discard) // Parse returns errors; it prints nothing
	fs.StringVar(&cfg.API, "api", getenv("SPRITES_API_URL"),
		"backend: `URL` of the Sprites API (https://…), unix:///path.sock, or local for the embedded runtime (env SPRITES_API_URL; default: chosen automatically)")
	fs.StringVar(&cfg.Sprite, "sprite", getenv("SPRITES_MCP_SPRITE"),
		"default `sprite` for tools and resources (env SPRITES_MCP_SPRITE; default local on the embedded runtime)")
	fs.StringVar(&cfg.StateDir, "state-dir", getenv("SPRITES_MCP_STATE_DIR"),
		"`dir`ectory of the embedded runtime's state, logs and socket (env SPRITES_MCP_STATE_DIR; default $XDG_STATE_HOME/sprites-mcp or ~/.local/state/sprites-mcp; on macOS ~/Library/Application Support/sprites-mcp)")
	fs.BoolVar(&cfg.ReadOnly, "read-only", readOnly,
		"offer only the tools that change nothing (env SPRITES_MCP_READ_ONLY)")
	fs.IntVar(&cfg.MaxResultChars, "max-result-chars", DefaultMaxResultChars,
		fmt.Sprintf("bound on each tool result, in characters (%d–%d)", MinMaxResultChars, MaxMaxResultChars))
	fs.DurationVar(&cfg.APIHeaderTimeout, "api-header-timeout", client.DefaultHeaderTimeout,
		"how long one try of a backend call waits for response headers before it is retried or fails")
	fs.DurationVar(&cfg.APIReadTimeout, "api-timeout", client.DefaultReadTimeout,
		"the most a backend call that is not a stream may take in all, retries included")
	fs.DurationVar(&cfg.StreamMargin, "stream-margin", client.StreamMargin,
		"how long a streaming call (create, start, stop, restart, logs with follow) may run past its window before it is cut off")
	fs.StringVar(&raw.level, "log-level", "info", "log `level` on stderr: debug, info, warn or error")
	fs.StringVar(&cfg.LogFormat, "log-format", "text", "log `format` on stderr: text or json")
	fs.BoolVar(&cfg.ShowVersion, "version", false, "print the version and exit")
	fs.StringVar(&cfg.HTTP, "http", getenv("SPRITES_MCP_HTTP"),
		"serve streamable HTTP at /mcp on `host:port` instead of stdio; a bare :port binds 127.0.0.1 (env SPRITES_MCP_HTTP)")
	fs.StringVar(&cfg.AuthFile, "auth-file", "",
		"JSON `file` of HTTP clients: name, token_sha256, sprites patterns, read_only (or one token in env SPRITES_MCP_AUTH_TOKEN)")
	fs.StringVar(&raw.origins, "allowed-origins", "",
		"comma-separated browser `origins` (scheme://host[:port]) allowed to call the HTTP endpoint; default none but loopback pages of the same host")
	fs.BoolVar(&cfg.Stateless, "stateless", false,
		"HTTP without sessions, for several replicas behind a load balancer")
	return fs
}

// Parse reads flags from args (without the program name) and the
// environment through getenv.
func Parse(args []string, getenv func(string) string) (Config, error) {
	cfg := Config{Command: "serve"}
	if len(args) > 0 && args[0] == "supervisor" {
		cfg.Command = "supervisor"
		args = args[1:]
	}
	readOnly, err := envBool(getenv, "SPRITES_MCP_READ_ONLY")
	if err != nil {
		return cfg, err
	}

	var raw rawFlags
	fs := flags(&cfg, &raw, getenv, readOnly)
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return cfg, ErrHelp
		}
		return cfg, err
	}
	if fs.NArg() > 0 {
		return cfg, fmt.Errorf("unexpected argument %q (the only subcommand is \"supervisor\")", fs.Arg(0))
	}

	if err := cfg.LogLevel.UnmarshalText([]byte(raw.level)); err != nil {
		return cfg, fmt.Errorf("--log-level %q: want debug, info, warn or error", raw.level)
	}
	if cfg.LogFormat != "text" && cfg.LogFormat != "json" {
		return cfg, fmt.Errorf("--log-format %q: want text or json", cfg.LogFormat)
	}
	if cfg.MaxResultChars < MinMaxResultChars || cfg.MaxResultChars > MaxMaxResultChars {
		return cfg, fmt.Errorf("--max-result-chars %d: want a number from %d to %d",
			cfg.MaxResultChars, MinMaxResultChars, MaxMaxResultChars)
	}
	for _, d := range []struct {
		flag string
		v    time.Duration
	}{{"api-header-timeout", cfg.APIHeaderTimeout}, {"api-timeout", cfg.APIReadTimeout}, {"stream-margin", cfg.StreamMargin}} {
		if d.v < 100*time.Millisecond || d.v > MaxAPIDeadline {
			return cfg, fmt.Errorf("--%s %s: want a duration from 100ms to %s, such as 10s", d.flag, d.v, MaxAPIDeadline)
		}
	}

	if err := cfg.parseHTTP(raw.origins, getenv); err != nil {
		return cfg, err
	}

	// The client reads the token the same way when it is used as a
	// library: trimmed, SPRITES_TOKEN first.
	cfg.Token = client.TokenFromEnv(getenv)
	if cfg.StateDir == "" {
		cfg.StateDir = DefaultStateDir(getenv)
	}
	if cfg.StateDir == "" {
		return cfg, errors.New("no state directory: set --state-dir, SPRITES_MCP_STATE_DIR, XDG_STATE_HOME or HOME")
	}
	if abs, err := filepath.Abs(cfg.StateDir); err == nil {
		cfg.StateDir = abs
	}
	return cfg, nil
}

// envBool reads a boolean variable; unset or blank is false.
func envBool(getenv func(string) string, name string) (bool, error) {
	v := strings.TrimSpace(getenv(name))
	if v == "" {
		return false, nil
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		return false, fmt.Errorf("%s=%q: want true or false", name, v)
	}
	return b, nil
}

// Usage writes the --help text to w.
func Usage(w io.Writer) {
	fmt.Fprint(w, `sprites-mcp — an MCP server that lets AI agents run and watch long-running
services through the Sprites Services API, with bounded, decision-ready results.

Usage:
  sprites-mcp [flags]                 serve MCP over stdio
  sprites-mcp --http :8080 [flags]    serve MCP over streamable HTTP at /mcp (and /healthz)
  sprites-mcp supervisor [flags]      run the embedded runtime alone, as a daemon;
                                      MCP servers on the same --state-dir attach to it

Backend (chosen once at start, logged on stderr):
  SPRITES_TOKEN or SPRITE_TOKEN set   the public Sprites API (SPRITES_API_URL to override)
  /.sprite/api.sock exists            inside a Sprite: its own socket
  otherwise                           the embedded runtime: real processes on this machine

HTTP authentication (required unless bound to loopback):
  SPRITES_MCP_AUTH_TOKEN              one bearer token, full access
  --auth-file FILE                    several clients, each with its sprites and read_only

Flags:
`)
	// The defaults shown are the built-in ones, whatever the environment.
	fs := flags(&Config{}, &rawFlags{}, func(string) string { return "" }, false)
	fs.SetOutput(w)
	fs.PrintDefaults()
}
