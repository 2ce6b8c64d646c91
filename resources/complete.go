package resources

import (
	"context"
	"strings"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"

	"github.com/sprites-mcp/sprites-mcp/internal/present"
)

// completer completes the arguments of our templates from the live lists.
// Completion is a convenience: when the backend cannot answer, it offers
// nothing rather than failing the request, and logs why.
type completer struct{ r *Resources }

var _ server.ResourceCompletionProvider = completer{}

// CompleteResourceArgument implements server.ResourceCompletionProvider.
func (c completer) CompleteResourceArgument(ctx context.Context, uri string, arg mcp.CompleteArgument, cc mcp.CompleteContext) (*mcp.Completion, error) {
	if !strings.HasPrefix(uri, scheme) {
		return &mcp.Completion{Values: []string{}}, nil
	}
	ctx, cancel := context.WithTimeout(ctx, quickTimeout)
	defer cancel()
	switch arg.Name {
	case "service_name":
		return c.services(ctx, cc.Arguments["sprite"], arg.Value), nil
	case "sprite":
		return c.sprites(ctx, arg.Value), nil
	case "lines":
		return present.Completion(present.Matching([]string{"50", "100", "500", "1000", "2000"}, arg.Value), false), nil
	}
	return &mcp.Completion{Values: []string{}}, nil
}

// services completes a service name of sprite (the default sprite when the
// client has not chosen one yet).
func (c completer) services(ctx context.Context, sprite, prefix string) *mcp.Completion {
	if sprite == "" {
		sprite = c.r.defaultSprite
	}
	if !validSprite(sprite) {
		return present.Completion(nil, false)
	}
	svcs, err := c.r.svc.List(ctx, sprite)
	if err != nil {
		c.r.log.Debug("cannot complete service_name", logSprite, sprite, logErr, err)
		return present.Completion(nil, false)
	}
	names := make([]string, 0, len(svcs))
	for _, s := range svcs {
		names = append(names, s.Name)
	}
	return present.Completion(present.Matching(names, prefix), false)
}

// sprites completes a sprite name (present.CompleteSprite).
func (c completer) sprites(ctx context.Context, prefix string) *mcp.Completion {
	comp, err := present.CompleteSprite(ctx, c.r.svc, c.r.canListSprites, c.r.defaultSprite, prefix)
	if err != nil {
		c.r.log.Debug("cannot complete sprite", logErr, err)
	}
	return comp
}
