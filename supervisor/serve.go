package supervisor

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"time"
)

// Serve serves Handler on <state>/api.sock (mode 0600, in the 0700 state
// directory) until ctx ends or the runtime shuts down.
func (r *Runtime) Serve(ctx context.Context) error {
	ln, err := r.listen()
	if err != nil {
		return err
	}
	return r.serveOn(ctx, ln)
}

// listen creates the socket. Holding the lock makes any socket file
// already there a leftover of a dead owner, safe to replace.
func (r *Runtime) listen() (net.Listener, error) {
	if r.isClosing() {
		return nil, errors.New("supervisor: serve after shutdown")
	}
	if err := os.Remove(r.sockPath); err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("supervisor: remove stale socket: %w", err)
	}
	ln, err := net.Listen("unix", r.sockPath)
	if err != nil {
		return nil, fmt.Errorf("supervisor: listen on %s: %w", r.sockPath, err)
	}
	if err := os.Chmod(r.sockPath, 0o600); err != nil {
		ln.Close()
		return nil, fmt.Errorf("supervisor: restrict socket: %w", err)
	}
	r.mu.Lock()
	r.sockMine = true
	r.mu.Unlock()
	return ln, nil
}

func (r *Runtime) serveOn(ctx context.Context, ln net.Listener) error {
	srv := &http.Server{Handler: r.handler, ReadHeaderTimeout: 10 * time.Second}
	r.mu.Lock()
	if r.closing.Load() {
		r.mu.Unlock()
		ln.Close()
		return errors.New("supervisor: serve after shutdown")
	}
	r.servers = append(r.servers, srv)
	r.mu.Unlock()
	stop := context.AfterFunc(ctx, func() { srv.Close() })
	defer stop()
	r.log.Info("serving the Services API", "socket", r.sockPath)
	if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("supervisor: serve: %w", err)
	}
	return nil
}

// handleOwner holds the request open while this runtime runs. Attached
// processes keep one open: its end is how they learn the owner is gone,
// without polling.
func (r *Runtime) handleOwner(w http.ResponseWriter, req *http.Request) {
	w.Header().Set("Content-Type", "application/x-ndjson")
	w.WriteHeader(http.StatusOK)
	_ = http.NewResponseController(w).Flush()
	select {
	case <-r.done:
	case <-req.Context().Done():
	}
}
