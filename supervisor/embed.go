package supervisor

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"path/filepath"
	"sync"
	"time"
)

// Embedded is a runtime serving a state directory, owned by this process or
// by another one this process is attached to.
type Embedded struct {
	cfg    Config
	sock   string
	log    *slog.Logger
	cancel context.CancelFunc
	bg     sync.WaitGroup

	mu    sync.Mutex
	rt    *Runtime // set while this process owns the directory
	owner bool
}

// attachWait bounds how long Embed waits for another owner's socket.
const attachWait = 10 * time.Second

// Embed makes sure a runtime serves cfg.StateDir: it owns it (New, then
// Serve and Boot in the background) when the lock is free, or attaches to
// the process that owns it and takes over (becomes the owner and boots the
// services) if that owner goes away. It returns once the socket answers.
// ctx bounds the set-up only; the background work lasts until Close.
func Embed(ctx context.Context, cfg Config) (*Embedded, error) {
	if cfg.StateDir == "" {
		return nil, errors.New("supervisor: state directory is required (--state-dir)")
	}
	dir, err := filepath.Abs(cfg.StateDir)
	if err != nil {
		return nil, fmt.Errorf("supervisor: state directory %q: %w", cfg.StateDir, err)
	}
	cfg.StateDir = dir
	e := &Embedded{cfg: cfg, sock: filepath.Join(dir, "api.sock"), log: cfg.Logger}
	if e.log == nil {
		e.log = slog.Default()
	}
	bgctx, cancel := context.WithCancel(context.Background())
	e.cancel = cancel
	deadline := time.Now().Add(attachWait)
	for {
		rt, err := New(cfg)
		if err == nil {
			if err := e.own(bgctx, rt); err != nil {
				cancel()
				return nil, err
			}
			return e, nil
		}
		if !errors.Is(err, ErrLocked) {
			cancel()
			return nil, err
		}
		// Another process owns the directory; use it once its socket answers.
		if dialSocket(ctx, e.sock) == nil {
			e.log.Info("attached to the runtime of another process", "socket", e.sock)
			e.bg.Add(1)
			go e.watchOwner(bgctx)
			return e, nil
		}
		if time.Now().After(deadline) {
			cancel()
			return nil, fmt.Errorf("supervisor: %s is locked by another process whose socket %s does not answer after %s; is it stuck?", dir, e.sock, attachWait)
		}
		select {
		case <-ctx.Done():
			cancel()
			return nil, ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// own serves rt in this process and boots it in the background: the
// socket answers at once, while services with slow needs come up.
func (e *Embedded) own(bgctx context.Context, rt *Runtime) error {
	ln, err := rt.listen()
	if err != nil {
		_ = rt.Shutdown(context.Background())
		return err
	}
	e.mu.Lock()
	e.rt, e.owner = rt, true
	e.mu.Unlock()
	e.bg.Add(1)
	go func() {
		defer e.bg.Done()
		if err := rt.serveOn(bgctx, ln); err != nil {
			e.log.Error("runtime stopped serving", "err", err)
		}
	}()
	e.bg.Add(1)
	go func() {
		defer e.bg.Done()
		if err := rt.Boot(bgctx); err != nil && bgctx.Err() == nil {
			e.log.Error("boot the runtime", "err", err)
		}
	}()
	return nil
}

// dialSocket reports whether something accepts on the socket.
func dialSocket(ctx context.Context, sock string) error {
	var d net.Dialer
	dctx, cancel := context.WithTimeout(ctx, time.Second)
	defer cancel()
	c, err := d.DialContext(dctx, "unix", sock)
	if err != nil {
		return err
	}
	return c.Close()
}

// watchOwner holds the owner route open; when it ends, the owner is gone
// (or going): take the lock and become the owner, or, when another process
// won the race, attach to that one.
func (e *Embedded) watchOwner(ctx context.Context) {
	defer e.bg.Done()
	hc := &http.Client{Transport: &http.Transport{
		DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
			var d net.Dialer
			return d.DialContext(ctx, "unix", e.sock)
		},
	}}
	defer hc.CloseIdleConnections()
	for ctx.Err() == nil {
		rt, err := New(e.cfg)
		if err == nil {
			e.log.Warn("the owner of the state directory went away: taking over", "state_dir", e.cfg.StateDir)
			if err := e.own(ctx, rt); err != nil {
				e.log.Error("take over the runtime", "err", err)
			}
			return
		}
		if !errors.Is(err, ErrLocked) {
			e.log.Error("watch the runtime's owner", "err", err)
		}
		if err := holdOwnerRoute(ctx, hc); err != nil {
			// The owner is starting or stopping: its socket does not answer yet.
			select {
			case <-ctx.Done():
			case <-time.After(100 * time.Millisecond):
			}
		}
	}
}

// holdOwnerRoute returns when the owner's route ends.
func holdOwnerRoute(ctx context.Context, hc *http.Client) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://local"+ownerRoute, nil)
	if err != nil {
		return err
	}
	resp, err := hc.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("owner route answered %s", resp.Status)
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
	return nil
}

// SocketPath is the API socket, whoever owns it.
func (e *Embedded) SocketPath() string { return e.sock }

// Owner reports whether this process runs the services.
func (e *Embedded) Owner() bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.owner
}

// Close shuts the runtime down when this process owns it; attached, it
// stops watching the owner.
func (e *Embedded) Close(ctx context.Context) error {
	e.cancel()
	e.bg.Wait()
	e.mu.Lock()
	rt := e.rt
	e.mu.Unlock()
	if rt != nil {
		return rt.Shutdown(ctx)
	}
	return nil
}

// Run is `sprites-mcp supervisor`: own the state directory in the
// foreground until ctx ends (an error if another process owns it), then
// shut down.
func Run(ctx context.Context, cfg Config) error {
	rt, err := New(cfg)
	if errors.Is(err, ErrLocked) {
		return fmt.Errorf("%w: another sprites-mcp already serves %s; stop it first, or let this one attach to it", err, cfg.StateDir)
	}
	if err != nil {
		return err
	}
	ln, err := rt.listen()
	if err != nil {
		_ = rt.Shutdown(context.Background())
		return err
	}
	served := make(chan error, 1)
	go func() { served <- rt.serveOn(ctx, ln) }()
	bootErr := rt.Boot(ctx)
	var serveErr error
	select {
	case <-ctx.Done():
	case serveErr = <-served:
	}
	sctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	shutErr := rt.Shutdown(sctx)
	if bootErr != nil && ctx.Err() == nil {
		return errors.Join(bootErr, shutErr)
	}
	return errors.Join(serveErr, shutErr)
}
