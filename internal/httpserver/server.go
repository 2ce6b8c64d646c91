// Package httpserver is the streamable HTTP transport: mcp-go's handler
// at /mcp behind a chain of middlewares, one concern per file (Host and
// Origin checks, bearer authentication, body limit, listening streams),
// client-bound sessions, rate-limited refusal logs, and /healthz. A
// shutdown drains in-flight calls within config.HTTPDrainGrace.
package httpserver

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/mark3labs/mcp-go/server"

	"github.com/sprites-mcp/sprites-mcp/internal/auth"
	"github.com/sprites-mcp/sprites-mcp/internal/config"
)

// Listener is a bound listener and its authentication, set up before the
// backend so that configuration mistakes (a bad auth file, a busy port)
// cost nothing.
type Listener struct {
	ln   net.Listener
	auth *auth.Authenticator // nil: no authentication (loopback only; config checked that)
	cfg  config.Config
	log  *slog.Logger
}

// Listen loads the authentication cfg asks for and binds cfg.HTTP.
func Listen(cfg config.Config, log *slog.Logger) (*Listener, error) {
	a, mode, err := authenticator(cfg)
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", cfg.HTTP)
	if err != nil {
		return nil, fmt.Errorf("listen on %s (--http): %w", cfg.HTTP, err)
	}
	log.Info("http: listening", "addr", ln.Addr().String(), "endpoint", "/mcp", "auth", mode,
		"stateless", cfg.Stateless, "allowed_origins", len(cfg.AllowedOrigins))
	return &Listener{ln: ln, auth: a, cfg: cfg, log: log}, nil
}

// authenticator returns the authentication cfg asks for, and how to name
// it in the log.
func authenticator(cfg config.Config) (*auth.Authenticator, string, error) {
	switch {
	case cfg.AuthFile != "":
		a, err := auth.LoadFile(cfg.AuthFile)
		if err != nil {
			return nil, "", err
		}
		return a, fmt.Sprintf("auth file (%d clients)", a.Clients()), nil
	case cfg.AuthToken != "":
		return auth.SingleToken(cfg.AuthToken), "bearer token (SPRITES_MCP_AUTH_TOKEN)", nil
	}
	return nil, "none (loopback only)", nil
}

// Authenticator is the authentication the listener enforces; nil when the
// server runs without (loopback only). The dashboard logs people in with it.
func (l *Listener) Authenticator() *auth.Authenticator { return l.auth }

// Close releases the listener; after Serve it is already closed.
func (l *Listener) Close() error { return l.ln.Close() }

// Serve serves mcpSrv on the listener until ctx ends, then drains: it
// stops accepting, ends listening streams, lets in-flight calls finish
// within config.HTTPDrainGrace, and cuts what is left after that. version
// and backendKind are what /healthz reports. page, when not nil, serves
// every other path (the dashboard, at /) behind the same Host and Origin
// checks as /mcp; it does its own authentication.
func (l *Listener) Serve(ctx context.Context, mcpSrv *server.MCPServer, version, backendKind string, page http.Handler) error {
	loopback := false
	if a, ok := l.ln.Addr().(*net.TCPAddr); ok {
		loopback = a.IP.IsLoopback()
	}
	streams := newStreamSet(l.log)
	srv := &http.Server{
		Handler:           l.handler(mcpSrv, loopback, streams, version, backendKind, page),
		ReadHeaderTimeout: config.ReadHeaderTimeout,
		IdleTimeout:       config.IdleTimeout,
		MaxHeaderBytes:    config.MaxHeaderBytes,
		ErrorLog:          slog.NewLogLogger(l.log.Handler(), slog.LevelWarn),
	}
	return l.serve(ctx, srv, streams, config.HTTPDrainGrace)
}

// handler is the tree of /mcp, /healthz and the page.
func (l *Listener) handler(mcpSrv *server.MCPServer, loopback bool, streams *streamSet, version, backendKind string, page http.Handler) http.Handler {
	refusals := newRefusalLog(l.log)
	checkHostOrigin := hostOrigin{loopback: loopback, origins: l.cfg.AllowedOrigins, refusals: refusals}.wrap

	opts := []server.StreamableHTTPOption{
		server.WithStreamableHTTPLogger(l.log),
		// The bearer middleware put the caller in the request's context;
		// mcp-go derives its context from the request's today, and this
		// says so explicitly so the tool filter and middlewares never
		// depend on that detail.
		server.WithHTTPContextFunc(func(ctx context.Context, r *http.Request) context.Context {
			if c, ok := auth.ClientFrom(r.Context()); ok {
				return auth.WithClient(ctx, c)
			}
			return ctx
		}),
	}
	opts = append(opts, sessionOptions(l.cfg.Stateless, l.auth != nil)...)
	if len(l.cfg.AllowedOrigins) > 0 {
		// Pages of an allowed origin are cross-origin: they need CORS
		// headers and answered preflights to reach /mcp at all.
		opts = append(opts, server.WithStreamableHTTPCORS(server.WithCORSAllowedOrigins(l.cfg.AllowedOrigins...)))
	}
	streamable := server.NewStreamableHTTPServer(mcpSrv, opts...)

	mcpChain := []middleware{checkHostOrigin}
	if l.auth != nil {
		mcpChain = append(mcpChain, bearer{auth: l.auth, refusals: refusals}.wrap)
	}
	mcpChain = append(mcpChain, limitBody, streams.track)

	mux := http.NewServeMux()
	mux.Handle("/mcp", chain(streamable, mcpChain...))
	mux.Handle("/healthz", chain(healthz(version, backendKind), checkHostOrigin))
	if page != nil {
		// Its event streams end on shutdown like /mcp's (streams.track).
		mux.Handle("/", chain(page, checkHostOrigin, limitBody, streams.track))
	}
	return mux
}

// serve runs srv on the listener until ctx ends, then drains within grace.
func (l *Listener) serve(ctx context.Context, srv *http.Server, streams *streamSet, grace time.Duration) error {
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(l.ln) }()
	select {
	case err := <-errc:
		return fmt.Errorf("serve http on %s: %w", l.ln.Addr(), err)
	case <-ctx.Done():
	}
	l.log.Info("http: draining in-flight calls", "grace", grace.String())
	streams.closeAll()
	sctx, cancel := context.WithTimeout(context.Background(), grace)
	defer cancel()
	err := srv.Shutdown(sctx)
	if errors.Is(err, context.DeadlineExceeded) {
		l.log.Warn("http: calls still running after the drain grace; cutting them", "grace", grace.String())
		srv.Close()
		err = nil
	}
	if serr := <-errc; serr != nil && !errors.Is(serr, http.ErrServerClosed) && err == nil {
		err = serr
	}
	return err
}
