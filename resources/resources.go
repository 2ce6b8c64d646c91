package resources

import (
	"context"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"

	"github.com/sprites-mcp/sprites-mcp/client"
	"github.com/sprites-mcp/sprites-mcp/internal/config"
)

// Services is what resources need of the backend; *client.Client satisfies it.
type Services interface {
	List(ctx context.Context, sprite string) ([]client.Service, error)
	Get(ctx context.Context, sprite, service string) (*client.Service, error)
	Logs(ctx context.Context, sprite, service string, o client.LogsOptions) (*client.Stream, error)
	ListSprites(ctx context.Context, o client.ListSpritesOptions) (*client.SpritesPage, error)
}

// Deps configures Resources.
type Deps struct {
	Services       Services
	DefaultSprite  string // concrete resources are listed for this sprite's services
	MaxChars       int    // budget for a log tail, default 8000 (at least 1000); JSON resources keep to it too
	CanListSprites bool   // true on the public API: complete {sprite} from ListSprites
	Logger         *slog.Logger
	PollInterval   time.Duration // watcher period; default 1s; never below 1s outside tests
}

const (
	defaultPollInterval = time.Second

	// readTimeout bounds one read of the backend on behalf of a request;
	// the request's own context usually ends sooner.
	readTimeout = 30 * time.Second
	// quickTimeout bounds backend calls made on the side of a request
	// (completion, refreshing the concrete list), which must not stall it.
	quickTimeout = 5 * time.Second
)

// Log attribute keys.
const (
	logSprite  = "sprite"
	logURI     = "uri"
	logSession = "session"
	logErr     = "err"
	logPanic   = "panic"
)

// Resources serves the resources of docs/ARCHITECTURE.md ("Resources") and their
// subscriptions. Build the server with ServerOptions, then call Register.
type Resources struct {
	svc            Services
	defaultSprite  string
	maxChars       int
	canListSprites bool
	log            *slog.Logger
	poll           time.Duration

	srv atomic.Pointer[server.MCPServer]

	// prepared hands the outcome of a read done in the before-read hook to
	// the resource handler of the same request (see read_hook.go).
	prepared sync.Map // context.Context → readOutcome

	subs subscriptions

	// polled, when set, is called after each poll a watcher has acted on,
	// with when that poll started; tests use it to know a watcher has its
	// baseline and to check the poll rate.
	polled atomic.Pointer[func(sprite string, started time.Time)]

	concreteMu sync.Mutex
	concrete   map[string]bool // default sprite's services listed as concrete resources
	listListed bool            // the default sprite's list resource is listed
}

// New returns Resources over d.Services.
func New(d Deps) *Resources {
	r := &Resources{
		svc:            d.Services,
		defaultSprite:  d.DefaultSprite,
		maxChars:       d.MaxChars,
		canListSprites: d.CanListSprites,
		log:            d.Logger,
		poll:           d.PollInterval,
		concrete:       map[string]bool{},
	}
	if r.maxChars <= 0 {
		r.maxChars = config.DefaultMaxResultChars
	}
	r.maxChars = max(r.maxChars, config.MinMaxResultChars)
	if r.log == nil {
		r.log = slog.Default()
	}
	if r.poll <= 0 {
		r.poll = defaultPollInterval
	}
	r.subs.init(r)
	return r
}

// ServerOptions returns the options the server must be built with: resource
// capabilities (subscribe, listChanged), completions and the completion
// provider, and a Hooks value for Register to add its hooks to (kept if an
// earlier option set one; a WithHooks after these replaces it, so add hooks
// to srv.GetHooks() instead).
func (r *Resources) ServerOptions() []server.ServerOption {
	return []server.ServerOption{
		server.WithResourceCapabilities(true, true),
		server.WithCompletions(),
		server.WithResourceCompletionProvider(completer{r}),
		func(s *server.MCPServer) {
			if s.GetHooks() == nil {
				server.WithHooks(&server.Hooks{})(s)
			}
		},
	}
}

// Register adds the templates and the concrete resources of the default
// sprite to s, and the hooks that record subscriptions
// (resources/subscribe, resources/unsubscribe, subscriptions/listen,
// session unregister) and check reads. It keeps the concrete list current
// (list_changed) while anyone listens, and after every service_create and
// service_delete for everyone else. s must have been built with
// ServerOptions.
func (r *Resources) Register(s *server.MCPServer) {
	hooks := s.GetHooks()
	if hooks == nil {
		panic("resources: Register needs a server built with Resources.ServerOptions()")
	}
	r.srv.Store(s)

	hooks.AddBeforeReadResource(r.beforeRead)
	hooks.AddBeforeListResources(func(ctx context.Context, _ any, _ *mcp.ListResourcesRequest) {
		r.refreshConcrete(ctx)
	})
	hooks.AddAfterCallTool(r.afterCallTool)
	hooks.AddAfterSubscribe(r.afterSubscribe)
	hooks.AddAfterUnsubscribe(r.afterUnsubscribe)
	hooks.AddBeforeSubscriptionsListen(r.beforeListen)
	hooks.AddOnUnregisterSession(func(_ context.Context, session server.ClientSession) {
		r.subs.dropSession(session.SessionID())
	})

	s.AddResourceTemplates(r.templates()...)
	r.refreshConcrete(context.Background())
}

// Close stops every watcher and waits for them to end. Subscriptions made
// afterwards are recorded but start no watcher.
func (r *Resources) Close() { r.subs.close() }
