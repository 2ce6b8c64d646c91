package app

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"strings"

	"github.com/sprites-mcp/sprites-mcp/client"
	"github.com/sprites-mcp/sprites-mcp/internal/config"
	"github.com/sprites-mcp/sprites-mcp/supervisor"
)

// Backend kinds, as logged at start and as /healthz reports them.
const (
	kindPublic   = "sprites-api"
	kindSocket   = "sprite-socket"
	kindEmbedded = "embedded"
)

// backend is the Services API the tools and resources talk to.
type backend struct {
	kind          string
	client        *client.Client
	defaultSprite string
	openWorld     bool
	canListSprite bool
	// close releases what the backend owns: for the embedded runtime, it
	// stops the services this process supervises.
	close func(context.Context) error
}

// openBackend picks the backend and connects to it: --api when given;
// else the public API when a token is set; else the socket of the Sprite
// this runs in, when there is one; else the embedded runtime.
func openBackend(ctx context.Context, cfg config.Config, log *slog.Logger) (*backend, error) {
	api := strings.TrimSpace(cfg.API)
	opts := []client.Option{client.WithUserAgent("sprites-mcp/" + Version()), client.WithLogger(log),
		client.WithHeaderTimeout(cfg.APIHeaderTimeout), client.WithReadTimeout(cfg.APIReadTimeout),
		client.WithStreamMargin(cfg.StreamMargin)}
	switch {
	case api == "local" || (api == "" && cfg.Token == "" && !fileExists(client.SocketPath)):
		return openEmbedded(ctx, cfg, log, opts)
	case strings.HasPrefix(api, "unix://") || (api == "" && cfg.Token == ""):
		if api == "" {
			api = "unix://" + client.SocketPath
		}
		c, err := client.New(api, opts...)
		if err != nil {
			return nil, err
		}
		sprite := cfg.Sprite
		if sprite == "" {
			// The socket ignores the sprite name; the hostname makes
			// results read naturally.
			sprite, _ = os.Hostname()
		}
		return &backend{kind: kindSocket, client: c, defaultSprite: sprite,
			close: func(context.Context) error { return nil }}, nil
	default:
		if cfg.Token == "" {
			return nil, fmt.Errorf("--api %s needs a token: set SPRITES_TOKEN", api)
		}
		c, err := client.New(api, append(opts, client.WithToken(cfg.Token))...)
		if err != nil {
			return nil, err
		}
		return &backend{kind: kindPublic, client: c, defaultSprite: cfg.Sprite, openWorld: true,
			canListSprite: true, close: func(context.Context) error { return nil }}, nil
	}
}

// embeddedHost is the host the embedded runtime's URLs name; neither its
// handler nor its socket looks at it.
const embeddedHost = "embedded"

// openEmbedded owns or attaches to the runtime of cfg.StateDir.
func openEmbedded(ctx context.Context, cfg config.Config, log *slog.Logger, opts []client.Option) (*backend, error) {
	e, err := supervisor.Embed(ctx, supervisor.Config{StateDir: cfg.StateDir, Logger: log})
	if err != nil {
		return nil, fmt.Errorf("start the embedded runtime in %s: %w", cfg.StateDir, err)
	}
	// While this process owns the runtime, calls reach its handler in
	// process, skipping the socket; while another process does (or after
	// a take-over, until then), they go over the socket. Either way they
	// go through the same client.
	hc := &http.Client{Transport: client.InProcess(e.Handler, client.SocketTransport(e.SocketPath()))}
	c, err := client.New("http://"+embeddedHost, append(opts, client.WithPathStyle(client.PathSprites), client.WithHTTPClient(hc))...)
	if err != nil {
		e.Close(ctx)
		return nil, err
	}
	sprite := cfg.Sprite
	if sprite == "" {
		sprite = "local"
	}
	role := "owner"
	if !e.Owner() {
		role = "attached"
	}
	log.Info("embedded runtime", "state_dir", cfg.StateDir, "role", role)
	return &backend{kind: kindEmbedded, client: c, defaultSprite: sprite, close: e.Close}, nil
}

func fileExists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}
