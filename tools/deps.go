package tools

import (
	"context"
	"log/slog"
	"time"

	"github.com/sprites-mcp/sprites-mcp/client"
	"github.com/sprites-mcp/sprites-mcp/internal/config"
	"github.com/sprites-mcp/sprites-mcp/schema"
)

// Services is what the tools need of the backend; *client.Client satisfies
// it. The method set mirrors the client's so tests and other backends can
// stand in without adapters.
type Services interface {
	List(ctx context.Context, sprite string) ([]client.Service, error)
	Get(ctx context.Context, sprite, service string) (*client.Service, error)
	Put(ctx context.Context, sprite, service string, req client.ServiceRequest, watch time.Duration) (*client.Stream, error)
	Delete(ctx context.Context, sprite, service string) error
	Start(ctx context.Context, sprite, service string, watch time.Duration) (*client.Stream, error)
	Stop(ctx context.Context, sprite, service string, timeout time.Duration) (*client.Stream, error)
	Restart(ctx context.Context, sprite, service string, watch time.Duration) (*client.Stream, error)
	Signal(ctx context.Context, sprite, service, signal string) error
	Logs(ctx context.Context, sprite, service string, o client.LogsOptions) (*client.Stream, error)
	ListSprites(ctx context.Context, o client.ListSpritesOptions) (*client.SpritesPage, error)
}

var _ Services = (*client.Client)(nil)

// Deps is what the tools are built from.
type Deps struct {
	Services Services
	// DefaultSprite is used when a call names no sprite; "" makes the
	// sprite argument required in practice.
	DefaultSprite string
	// MaxResultChars bounds each result's text and, separately, its
	// structured content (default config.DefaultMaxResultChars, at least config.MinMaxResultChars).
	MaxResultChars int
	// OpenWorld is true for the public API backend (openWorldHint).
	OpenWorld bool
	Logger    *slog.Logger // nil means slog.Default()
	// Authorize, when set, is asked before a tool touches a sprite, with
	// the sprite the call resolved (its argument, else DefaultSprite). A
	// non-nil error refuses the call: the agent gets a tool error with the
	// error's message, and nothing reaches the backend. list_sprites names
	// no sprite and is not asked (scope its listing in Services instead).
	// nil allows everything.
	Authorize func(ctx context.Context, sprite string) error
}

// deps is Deps with defaults applied, shared by every tool.
type deps struct {
	Deps
	log *slog.Logger
	now func() time.Time
}

func newDeps(d Deps) *deps {
	if d.MaxResultChars <= 0 {
		d.MaxResultChars = config.DefaultMaxResultChars
	}
	d.MaxResultChars = max(d.MaxResultChars, config.MinMaxResultChars)
	log := d.Logger
	if log == nil {
		log = slog.Default()
	}
	return &deps{Deps: d, log: log, now: time.Now}
}

// sprite resolves the sprite argument against the default and asks
// Authorize. Every tool that names a sprite calls it before touching the
// backend, so this is the one place a call's sprite is decided and
// checked.
func (d *deps) sprite(ctx context.Context, arg schema.SpriteName) (string, error) {
	sprite := string(arg)
	if sprite == "" {
		sprite = d.DefaultSprite
	}
	if sprite == "" {
		return "", &argError{problems: []string{"sprite is required: this server has no default sprite (start it with --sprite or SPRITES_MCP_SPRITE), so pass sprite; call list_sprites to see the names"}}
	}
	if d.Authorize != nil {
		if err := d.Authorize(ctx, sprite); err != nil {
			return "", &toolError{msg: err.Error()}
		}
	}
	return sprite, nil
}
