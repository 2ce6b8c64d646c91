package prompts

import (
	"context"
	"log/slog"
	"time"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"

	"github.com/sprites-mcp/sprites-mcp/client"
	"github.com/sprites-mcp/sprites-mcp/internal/config"
)

// Services is what the prompts need of the backend; *client.Client
// satisfies it.
type Services interface {
	List(ctx context.Context, sprite string) ([]client.Service, error)
	Get(ctx context.Context, sprite, service string) (*client.Service, error)
	Logs(ctx context.Context, sprite, service string, o client.LogsOptions) (*client.Stream, error)
	ListSprites(ctx context.Context, o client.ListSpritesOptions) (*client.SpritesPage, error)
}

// ReadFunc reads one resource URI the way the server's resources serve it
// (the resources package); a prompt attaches what it returns unchanged.
type ReadFunc func(ctx context.Context, uri string) ([]mcp.ResourceContents, error)

// Deps configures Prompts.
type Deps struct {
	Services       Services
	Read           ReadFunc // required: attached resources come from it
	DefaultSprite  string   // used when a prompt's sprite argument is empty
	MaxChars       int      // the result budget, default 8000 (at least 1000): all text of one answer
	CanListSprites bool     // true on the public API: complete sprite from ListSprites
	// ReadOnly is the server's --read-only: deploy_service, whose steps
	// are calls the client cannot make then, is not offered.
	ReadOnly bool
	// Authorize, when set, is asked whether the caller may use the sprite a
	// prompt resolved, before anything is read (the per-client scopes of
	// internal/auth); its error is the prompt's error.
	Authorize func(ctx context.Context, sprite string) error
	Logger    *slog.Logger
}

const (
	// readTimeout bounds the backend reads of one prompt; quickTimeout
	// those of a completion, which must not stall typing.
	readTimeout  = 30 * time.Second
	quickTimeout = 5 * time.Second
)

// Log attribute keys.
const (
	logPrompt = "prompt"
	logSprite = "sprite"
	logErr    = "err"
)

// Prompts serves the prompts of this package. Build the server with
// ServerOptions, then call Register.
type Prompts struct {
	svc            Services
	read           ReadFunc
	defaultSprite  string
	maxChars       int
	canListSprites bool
	readOnly       bool
	authorize      func(ctx context.Context, sprite string) error
	log            *slog.Logger
}

// New returns Prompts over d.Services. It panics without d.Services or
// d.Read: that is a wiring mistake, found at start-up.
func New(d Deps) *Prompts {
	if d.Services == nil || d.Read == nil {
		panic("prompts: Deps.Services and Deps.Read are required")
	}
	p := &Prompts{
		svc:            d.Services,
		read:           d.Read,
		defaultSprite:  d.DefaultSprite,
		authorize:      d.Authorize,
		maxChars:       d.MaxChars,
		canListSprites: d.CanListSprites,
		readOnly:       d.ReadOnly,
		log:            d.Logger,
	}
	if p.maxChars <= 0 {
		p.maxChars = config.DefaultMaxResultChars
	}
	p.maxChars = max(p.maxChars, config.MinMaxResultChars)
	if p.log == nil {
		p.log = slog.Default()
	}
	return p
}

// ServerOptions returns the options the server must be built with: the
// prompts capability, completions and the prompt completion provider.
func (p *Prompts) ServerOptions() []server.ServerOption {
	return []server.ServerOption{
		server.WithPromptCapabilities(false),
		server.WithCompletions(),
		server.WithPromptCompletionProvider(completer{p}),
	}
}

// Register adds the prompts to s, which must have been built with
// ServerOptions.
func (p *Prompts) Register(s *server.MCPServer) {
	s.AddPrompts(p.all()...)
}

// all is the ordered list of the prompts.
func (p *Prompts) all() []server.ServerPrompt {
	all := []server.ServerPrompt{
		{Prompt: debugPrompt, Handler: p.guard(debugName, p.debug)},
		{Prompt: statusPrompt, Handler: p.guard(statusName, p.status)},
	}
	if !p.readOnly {
		all = append(all, server.ServerPrompt{Prompt: deployPrompt, Handler: p.guard(deployName, p.deploy)})
	}
	return all
}

// guard bounds a prompt's backend reads in time and logs its failures.
// mcp-go answers a handler's error as a JSON-RPC error carrying its
// message, which is what a client shows the user.
func (p *Prompts) guard(name string, h server.PromptHandlerFunc) server.PromptHandlerFunc {
	return func(ctx context.Context, req mcp.GetPromptRequest) (*mcp.GetPromptResult, error) {
		ctx, cancel := context.WithTimeout(ctx, readTimeout)
		defer cancel()
		res, err := h(ctx, req)
		if err != nil {
			p.log.Debug("prompt refused", logPrompt, name, logErr, err)
		}
		return res, err
	}
}
