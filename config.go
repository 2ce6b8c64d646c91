package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"strconv"
	"strings"
)

// Config is everything the flags and the environment decide.
type Config struct {
	// Command is "serve" (the MCP server) or "supervisor" (the runtime alone).
	Command string

	API            string // "", "local", "unix:///path.sock" or an http(s) URL
	Token          string // SPRITES_TOKEN, else SPRITE_TOKEN; never logged
	Sprite         string // default sprite for tools and resources
	StateDir       string // embedded runtime state
	ReadOnly       bool
	MaxResultChars int
	LogLevel       slog.Level
	LogFormat      string // "text" or "json"

	// HTTP is the listen address of the streamable HTTP transport; empty
	// means stdio. A bare port (":8080") is bound on loopback.
	HTTP           string
	AuthFile       string   // --auth-file: clients, token digests and scopes
	AuthToken      string   // SPRITES_MCP_AUTH_TOKEN; never logged
	AllowedOrigins []string // normalised scheme://host[:port], lower case
	Stateless      bool

	ShowVersion bool
	ShowHelp    bool
}

// Bounds of --max-result-chars: below the floor a summary cannot say
// anything useful; above the cap it stops being a summary.
const (
	defaultMaxResultChars = 8000
	minMaxResultChars     = 1000
	maxMaxResultChars     = 100_000
)

// errHelp asks main to print usage and exit 0.
var errHelp = errors.New("help requested")

// parseConfig reads flags from args (without the program name) and the
// environment through getenv. It touches nothing else, so it is tested as
// a pure function.
func parseConfig(args []string, getenv func(string) string, usageOut io.Writer) (Config, error) {
	cfg := Config{Command: "serve"}
	if len(args) > 0 && args[0] == "supervisor" {
		cfg.Command = "supervisor"
		args = args[1:]
	}

	envBool := func(name string) (bool, error) {
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
	readOnly, err := envBool("SPRITES_MCP_READ_ONLY")
	if err != nil {
		return cfg, err
	}

	fs := flag.NewFlagSet("sprites-mcp", flag.ContinueOnError)
	fs.SetOutput(usageOut)
	fs.Usage = func() { printUsage(usageOut, fs) }
	fs.StringVar(&cfg.API, "api", getenv("SPRITES_API_URL"),
		"backend: `URL` of the Sprites API (https://…), unix:///path.sock, or local for the embedded runtime (env SPRITES_API_URL; default: chosen automatically)")
	fs.StringVar(&cfg.Sprite, "sprite", getenv("SPRITES_MCP_SPRITE"),
		"default `sprite` for tools and resources (env SPRITES_MCP_SPRITE; default local on the embedded runtime)")
	fs.StringVar(&cfg.StateDir, "state-dir", getenv("SPRITES_MCP_STATE_DIR"),
		"`dir`ectory of the embedded runtime's state, logs and socket (env SPRITES_MCP_STATE_DIR; default $XDG_STATE_HOME/sprites-mcp)")
	fs.BoolVar(&cfg.ReadOnly, "read-only", readOnly,
		"offer only the tools that change nothing (env SPRITES_MCP_READ_ONLY)")
	fs.IntVar(&cfg.MaxResultChars, "max-result-chars", defaultMaxResultChars,
		fmt.Sprintf("bound on each tool result, in characters (%d–%d)", minMaxResultChars, maxMaxResultChars))
	level := fs.String("log-level", "info", "log `level` on stderr: debug, info, warn or error")
	fs.StringVar(&cfg.LogFormat, "log-format", "text", "log `format` on stderr: text or json")
	fs.BoolVar(&cfg.ShowVersion, "version", false, "print the version and exit")
	fs.StringVar(&cfg.HTTP, "http", getenv("SPRITES_MCP_HTTP"),
		"serve streamable HTTP at /mcp on `host:port` instead of stdio; a bare :port binds 127.0.0.1 (env SPRITES_MCP_HTTP)")
	fs.StringVar(&cfg.AuthFile, "auth-file", "",
		"JSON `file` of HTTP clients: name, token_sha256, sprites patterns, read_only (or one token in env SPRITES_MCP_AUTH_TOKEN)")
	origins := fs.String("allowed-origins", "",
		"comma-separated browser `origins` (scheme://host[:port]) allowed to call the HTTP endpoint; default none but loopback pages of the same host")
	fs.BoolVar(&cfg.Stateless, "stateless", false,
		"HTTP without sessions, for several replicas behind a load balancer")

	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return cfg, errHelp
		}
		return cfg, err
	}
	if fs.NArg() > 0 {
		return cfg, fmt.Errorf("unexpected argument %q (the only subcommand is \"supervisor\")", fs.Arg(0))
	}

	if err := cfg.LogLevel.UnmarshalText([]byte(*level)); err != nil {
		return cfg, fmt.Errorf("--log-level %q: want debug, info, warn or error", *level)
	}
	if cfg.LogFormat != "text" && cfg.LogFormat != "json" {
		return cfg, fmt.Errorf("--log-format %q: want text or json", cfg.LogFormat)
	}
	if cfg.MaxResultChars < minMaxResultChars || cfg.MaxResultChars > maxMaxResultChars {
		return cfg, fmt.Errorf("--max-result-chars %d: want a number from %d to %d",
			cfg.MaxResultChars, minMaxResultChars, maxMaxResultChars)
	}

	if err := cfg.parseHTTP(*origins, getenv); err != nil {
		return cfg, err
	}

	cfg.Token = getenv("SPRITES_TOKEN")
	if cfg.Token == "" {
		cfg.Token = getenv("SPRITE_TOKEN")
	}
	if cfg.StateDir == "" {
		cfg.StateDir = defaultStateDir(getenv)
	}
	if cfg.StateDir == "" {
		return cfg, errors.New("no state directory: set --state-dir, SPRITES_MCP_STATE_DIR, XDG_STATE_HOME or HOME")
	}
	if abs, err := filepath.Abs(cfg.StateDir); err == nil {
		cfg.StateDir = abs
	}
	return cfg, nil
}

// defaultStateDir follows the XDG base directory rules.
func defaultStateDir(getenv func(string) string) string {
	if x := getenv("XDG_STATE_HOME"); x != "" {
		return filepath.Join(x, "sprites-mcp")
	}
	if h := getenv("HOME"); h != "" {
		return filepath.Join(h, ".local", "state", "sprites-mcp")
	}
	return ""
}

func printUsage(w io.Writer, fs *flag.FlagSet) {
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
	fs.PrintDefaults()
}
