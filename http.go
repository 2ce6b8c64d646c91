package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/mark3labs/mcp-go/server"
)

// The streamable HTTP transport (DESIGN.md section 5): mcp-go's handler at
// /mcp behind our guard, and /healthz.

const (
	// httpDrainGrace bounds how long a shutdown waits for in-flight calls
	// (a create watches its service for up to a few minutes at most; an
	// operator's SIGTERM should not wait longer than this).
	httpDrainGrace = 30 * time.Second
	// readHeaderTimeout keeps a slow client from holding a connection
	// before it has even said what it wants.
	readHeaderTimeout = 10 * time.Second
	idleTimeout       = 2 * time.Minute
)

// httpAuth returns the authenticator the configuration asks for: nil when
// there is none (allowed on loopback only; parseConfig checked that).
func httpAuth(cfg Config) (*authenticator, string, error) {
	switch {
	case cfg.AuthFile != "":
		a, err := loadAuthFile(cfg.AuthFile)
		if err != nil {
			return nil, "", err
		}
		return a, fmt.Sprintf("auth file (%d clients)", len(a.entries)), nil
	case cfg.AuthToken != "":
		return singleTokenAuth(cfg.AuthToken), "bearer token (SPRITES_MCP_AUTH_TOKEN)", nil
	}
	return nil, "none (loopback only)", nil
}

// httpServer is the HTTP transport of one MCP server.
type httpServer struct {
	srv     *http.Server
	streams *streamSet
	log     *slog.Logger
}

// newHTTPServer builds the handler tree for mcpSrv. loopback says whether
// the listener is bound to loopback (then Host is checked too).
func newHTTPServer(cfg Config, mcpSrv *server.MCPServer, auth *authenticator, loopback bool, backendKind string, log *slog.Logger) *httpServer {
	streams := &streamSet{open: map[*stream]struct{}{}, log: log}
	g := &guard{loopback: loopback, origins: cfg.AllowedOrigins, auth: auth, streams: streams, refusals: newRefusalLog(log)}

	opts := []server.StreamableHTTPOption{
		server.WithStreamableHTTPLogger(log),
		// The guard put the caller in the request's context; mcp-go derives
		// its context from the request's today, and this says so explicitly
		// so the tool filter and middlewares never depend on that detail.
		server.WithHTTPContextFunc(func(ctx context.Context, r *http.Request) context.Context {
			if c, ok := authClientFrom(r.Context()); ok {
				return withAuthClient(ctx, c)
			}
			return ctx
		}),
	}
	switch {
	case cfg.Stateless:
		opts = append(opts, server.WithStateLess(true))
	case auth != nil:
		opts = append(opts, server.WithSessionIdManagerResolver(sessionIDs{}))
	}
	if len(cfg.AllowedOrigins) > 0 {
		// Pages of an allowed origin are cross-origin: they need CORS
		// headers and answered preflights to reach /mcp at all.
		opts = append(opts, server.WithStreamableHTTPCORS(server.WithCORSAllowedOrigins(cfg.AllowedOrigins...)))
	}
	streamable := server.NewStreamableHTTPServer(mcpSrv, opts...)

	health, _ := json.Marshal(map[string]any{"up": true, "version": version(), "backend": backendKind})
	mux := http.NewServeMux()
	mux.Handle("/mcp", g.mcp(streamable))
	mux.HandleFunc("/healthz", func(w http.ResponseWriter, r *http.Request) {
		if !g.checkHostOrigin(w, r) {
			return
		}
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			writeJSONError(w, http.StatusMethodNotAllowed, "use GET")
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Cache-Control", "no-store")
		w.Write(append(health, '\n'))
	})

	return &httpServer{
		srv: &http.Server{
			Handler:           mux,
			ReadHeaderTimeout: readHeaderTimeout,
			IdleTimeout:       idleTimeout,
			MaxHeaderBytes:    64 << 10,
			ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
		},
		streams: streams,
		log:     log,
	}
}

// serve serves on ln until ctx ends, then drains: it stops accepting, ends
// listening streams, lets in-flight calls finish within grace, and cuts
// what is left after that.
func (h *httpServer) serve(ctx context.Context, ln net.Listener, grace time.Duration) error {
	errc := make(chan error, 1)
	go func() { errc <- h.srv.Serve(ln) }()
	select {
	case err := <-errc:
		return fmt.Errorf("serve http on %s: %w", ln.Addr(), err)
	case <-ctx.Done():
	}
	h.log.Info("http: draining in-flight calls", "grace", grace.String())
	h.streams.closeAll()
	sctx, cancel := context.WithTimeout(context.Background(), grace)
	defer cancel()
	err := h.srv.Shutdown(sctx)
	if errors.Is(err, context.DeadlineExceeded) {
		h.log.Warn("http: calls still running after the drain grace; cutting them", "grace", grace.String())
		h.srv.Close()
		err = nil
	}
	if serr := <-errc; serr != nil && !errors.Is(serr, http.ErrServerClosed) && err == nil {
		err = serr
	}
	return err
}

// streamSet tracks the requests that stay open as streams (GET listening
// streams, subscriptions/listen), which http.Server.Shutdown would
// otherwise wait for until its deadline.
type streamSet struct {
	mu      sync.Mutex
	closing bool
	open    map[*stream]struct{}
	log     *slog.Logger
}

// stream is one open listening request; its address is its identity in
// the set.
type stream struct {
	cancel context.CancelFunc
}

// add derives a context for a listening request (method is its HTTP
// method) that closeAll cancels; done releases it.
func (s *streamSet) add(parent context.Context, method string) (context.Context, func()) {
	ctx, cancel := context.WithCancel(parent)
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closing {
		cancel()
		return ctx, func() {}
	}
	st := &stream{cancel: cancel}
	s.open[st] = struct{}{}
	s.log.Debug("http: listening stream open", "method", method, "open", len(s.open))
	return ctx, func() {
		s.mu.Lock()
		delete(s.open, st)
		s.mu.Unlock()
		cancel()
	}
}

func (s *streamSet) closeAll() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.closing = true
	for st := range s.open {
		st.cancel()
	}
	clear(s.open)
}

// httpTransport is a bound listener and its authentication, set up before
// the backend so configuration mistakes cost nothing.
type httpTransport struct {
	ln   net.Listener
	auth *authenticator
}

// listenHTTP loads the authentication and binds cfg.HTTP.
func listenHTTP(cfg Config, log *slog.Logger) (*httpTransport, error) {
	auth, mode, err := httpAuth(cfg)
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", cfg.HTTP)
	if err != nil {
		return nil, fmt.Errorf("listen on %s (--http): %w", cfg.HTTP, err)
	}
	log.Info("http: listening", "addr", ln.Addr().String(), "endpoint", "/mcp", "auth", mode,
		"stateless", cfg.Stateless, "allowed_origins", len(cfg.AllowedOrigins))
	return &httpTransport{ln: ln, auth: auth}, nil
}

// serve serves MCP on the listener until ctx ends, then drains.
func (t *httpTransport) serve(ctx context.Context, cfg Config, srv *server.MCPServer, backendKind string, log *slog.Logger) error {
	loopback := false
	if a, ok := t.ln.Addr().(*net.TCPAddr); ok {
		loopback = a.IP.IsLoopback()
	}
	return newHTTPServer(cfg, srv, t.auth, loopback, backendKind, log).serve(ctx, t.ln, httpDrainGrace)
}
