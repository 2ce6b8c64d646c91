package resources

import (
	"context"
	"strings"

	"github.com/mark3labs/mcp-go/mcp"
)

// Why reads happen in a hook.
//
// The contract says a missing sprite or service, or a malformed URI, is a
// resource-not-found error. mcp-go v1.2.1 reports any error a resource
// handler returns as -32603 (internal error); the only not-found answer it
// gives is for a URI that no resource or template matches, with the code of
// the request's revision (-32602 on 2026-07-28, -32002 before, as each
// revision's specification says).
//
// So the before-read hook does the read. When the answer is "no such
// resource", it rewrites the request's URI (the hook receives a pointer to
// the request) into one that nothing matches and that carries the
// explanation, and mcp-go answers:
//
//	handler not found for resource URI 'sprites://local/services/wbe (no service "wbe" on local; did you mean "web"? …)': resource not found
//
// Otherwise it leaves the request alone and hands the outcome to the handler
// of the same request, keyed by the request's context, which mcp-go passes
// unchanged from the hook to the handler (middlewares such as
// WithResourceRecovery keep it too). If a middleware ever changed the
// context, the handler simply reads again: the hand-off saves a round trip,
// correctness never depends on it.

// readOutcome is what a read produced.
type readOutcome struct {
	contents []mcp.ResourceContents
	err      error
}

// beforeRead is the OnBeforeReadResource hook.
func (r *Resources) beforeRead(ctx context.Context, _ any, req *mcp.ReadResourceRequest) {
	uri := req.Params.URI
	if !strings.HasPrefix(uri, scheme) {
		return // not ours
	}
	defer func() {
		// A hook runs outside mcp-go's resource recovery: a bug here must
		// cost this read its hand-off, not the server.
		if p := recover(); p != nil {
			r.log.Error("resource read hook panicked", logURI, uri, logPanic, p)
		}
	}()
	contents, err := r.Read(ctx, uri)
	if err != nil && isNotFound(err) {
		req.Params.URI = uri + " (" + err.Error() + ")"
		return
	}
	r.prepared.Store(ctx, readOutcome{contents: contents, err: err})
	// The request's context ends when mcp-go has answered; whatever the
	// handler did not take is dropped then.
	context.AfterFunc(ctx, func() { r.prepared.Delete(ctx) })
}

// handleRead is the handler of every template and concrete resource.
func (r *Resources) handleRead(ctx context.Context, req mcp.ReadResourceRequest) ([]mcp.ResourceContents, error) {
	if v, ok := r.prepared.LoadAndDelete(ctx); ok {
		out := v.(readOutcome)
		return out.contents, out.err
	}
	return r.Read(ctx, req.Params.URI)
}
