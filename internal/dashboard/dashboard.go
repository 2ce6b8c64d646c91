// Package dashboard is the view for people: a page at / of the HTTP
// transport showing the services of the sprites a client may see, live
// (server-sent events fed by the resources' watchers, so a sprite is polled
// once however many browsers look), with log tails rendered exactly as the
// logs resource renders them, and start/stop/restart for clients that may
// change things. The same view is served to MCP hosts as an MCP App
// (app.go). The page's static files are embedded; there is no build step.
//
// Security is that of /mcp, adapted to a browser: the page exchanges a
// bearer token once (POST /login with Authorization) for an HttpOnly,
// SameSite=Strict session cookie; every action needs that session and its
// CSRF token; the client's sprite scope and read_only apply. The Host and
// Origin checks are the transport's, in front of this handler.
package dashboard

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"github.com/sprites-mcp/sprites-mcp/client"
	"github.com/sprites-mcp/sprites-mcp/internal/auth"
	"github.com/sprites-mcp/sprites-mcp/resources"
	"github.com/sprites-mcp/sprites-mcp/tools"
)

// Bounds.
const (
	// maxSprites is how many sprites one page shows (each is a watcher).
	maxSprites = 16
	// maxStreams bounds the event and log streams open at once, over all
	// sessions; one session may hold maxStreamsPerSession of them.
	maxStreams           = 128
	maxStreamsPerSession = 8
	// logLines is the tail a log view shows; logFollow is how long one log
	// stream follows before the browser reconnects (EventSource does that
	// by itself), so no stream is held forever.
	logLines  = 100
	logFollow = 10 * time.Minute
	// heartbeat keeps idle event streams (and their session) alive through
	// proxies.
	heartbeat = 15 * time.Second
	// actionTimeout bounds one start, stop or restart.
	actionTimeout = 30 * time.Second
)

// Deps is what the dashboard is built from.
type Deps struct {
	// Auth checks the token a person logs in with; nil means the server
	// runs without authentication (loopback only), and so does the page.
	Auth *auth.Authenticator
	// Resources feeds the live lists (Watch) and renders log tails
	// (FollowLogs).
	Resources *resources.Resources
	// Services is the backend as auth.ScopedServices presents it: sprite
	// listings are filtered to the caller's scope.
	Services       tools.Services
	DefaultSprite  string
	CanListSprites bool
	// ReadOnly is the server's --read-only: no client may act.
	ReadOnly bool
	Logger   *slog.Logger
}

// Dashboard serves the page and its API.
type Dashboard struct {
	d        Deps
	log      *slog.Logger
	sessions *sessions
	streams  chan struct{} // a semaphore of maxStreams
	mux      *http.ServeMux
}

// New returns the dashboard; mount it at / behind the transport's Host and
// Origin checks.
func New(d Deps) *Dashboard {
	if d.Logger == nil {
		d.Logger = slog.Default()
	}
	db := &Dashboard{
		d:        d,
		log:      d.Logger,
		sessions: newSessions(time.Now),
		streams:  make(chan struct{}, maxStreams),
		mux:      http.NewServeMux(),
	}
	db.mux.HandleFunc("GET /{$}", db.page)
	db.mux.Handle("GET /static/", staticFiles())
	db.mux.HandleFunc("POST /login", db.login)
	db.mux.HandleFunc("POST /logout", db.logout)
	db.mux.HandleFunc("GET /api/session", db.withSession(db.sessionInfo))
	db.mux.HandleFunc("GET /api/events", db.withSession(db.events))
	db.mux.HandleFunc("GET /api/logs", db.withSession(db.logs))
	db.mux.HandleFunc("POST /api/action", db.withSession(db.withCSRF(db.action)))
	return db
}

func (db *Dashboard) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	setSecurityHeaders(w)
	db.mux.ServeHTTP(w, r)
}

// setSecurityHeaders keeps the page out of frames and its scripts to our
// own files.
func setSecurityHeaders(w http.ResponseWriter) {
	h := w.Header()
	h.Set("Content-Security-Policy", "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'; form-action 'self'")
	h.Set("X-Frame-Options", "DENY")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
}

// asClient puts the session's client in ctx, so the scoped backend filters
// sprite listings for it; without authentication there is none.
func asClient(ctx context.Context, s *session) context.Context {
	if s.client != nil {
		return auth.WithClient(ctx, s.client)
	}
	return ctx
}

// visibleSprites lists the sprites the session's client may see: the
// backend's listing (already filtered to the client's scope) where there is
// one, else the default sprite if the client may use it.
func (db *Dashboard) visibleSprites(ctx context.Context, s *session) ([]string, error) {
	ctx = asClient(ctx, s)
	if !db.d.CanListSprites {
		if db.d.DefaultSprite == "" || !s.allows(db.d.DefaultSprite) {
			return []string{}, nil
		}
		return []string{db.d.DefaultSprite}, nil
	}
	page, err := db.d.Services.ListSprites(ctx, client.ListSpritesOptions{})
	if err != nil {
		return nil, err
	}
	out := make([]string, 0, min(len(page.Sprites), maxSprites))
	for _, sp := range page.Sprites {
		if len(out) == maxSprites {
			break
		}
		if s.allows(sp.Name) {
			out = append(out, sp.Name)
		}
	}
	return out, nil
}
