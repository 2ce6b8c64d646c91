package tools

import (
	"context"
	"sync"
	"time"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"
)

// progressInterval caps progress notifications at four a second: enough to
// show life, few enough that a chatty service cannot flood the client.
const progressInterval = 250 * time.Millisecond

// progress sends notifications/progress for one call whose request carried
// a progress token. A nil *progress does nothing, so handlers call it
// unconditionally.
type progress struct {
	ctx   context.Context
	srv   *server.MCPServer
	token mcp.ProgressToken
	log   func(msg string, args ...any)

	mu    sync.Mutex
	count int
	last  time.Time
}

type progressKey struct{}

// withProgress puts a reporter in ctx when the request asked for progress.
func withProgress(ctx context.Context, req mcp.CallToolRequest, d *deps) context.Context {
	if req.Params.Meta == nil || req.Params.Meta.ProgressToken == nil {
		return ctx
	}
	srv := server.ServerFromContext(ctx)
	if srv == nil {
		return ctx
	}
	p := &progress{ctx: ctx, srv: srv, token: req.Params.Meta.ProgressToken, log: d.log.Debug}
	return context.WithValue(ctx, progressKey{}, p)
}

func progressFrom(ctx context.Context) *progress {
	p, _ := ctx.Value(progressKey{}).(*progress)
	return p
}

// tick counts one unit of work and, at most every progressInterval, sends
// a notification whose message is latest() (called only then, so cleaning
// the line costs nothing on the hot path).
func (p *progress) tick(latest func() string) {
	if p == nil {
		return
	}
	p.mu.Lock()
	p.count++
	now := time.Now()
	if now.Sub(p.last) < progressInterval {
		p.mu.Unlock()
		return
	}
	p.last = now
	n := p.count
	p.mu.Unlock()
	params := map[string]any{"progressToken": p.token, "progress": n}
	if msg := latest(); msg != "" {
		params["message"] = msg
	}
	if err := p.srv.SendNotificationToClient(p.ctx, "notifications/progress", params); err != nil {
		p.log("progress notification not sent", "err", err)
	}
}
