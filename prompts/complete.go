package prompts

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"

	"github.com/sprites-mcp/sprites-mcp/client"
	"github.com/sprites-mcp/sprites-mcp/internal/present"
)

// timeNow is the clock of state lines.
var timeNow = time.Now

// completer completes prompt arguments from the live lists. Completion is
// a convenience: when the backend cannot answer it offers nothing rather
// than failing the request, and logs why.
type completer struct{ p *Prompts }

var _ server.PromptCompletionProvider = completer{}

// CompletePromptArgument implements server.PromptCompletionProvider.
func (c completer) CompletePromptArgument(ctx context.Context, prompt string, arg mcp.CompleteArgument, cc mcp.CompleteContext) (*mcp.Completion, error) {
	ctx, cancel := context.WithTimeout(ctx, quickTimeout)
	defer cancel()
	switch {
	case arg.Name == "sprite":
		return c.sprites(ctx, arg.Value), nil
	case arg.Name == "service_name" && prompt == debugName:
		return c.services(ctx, cc.Arguments["sprite"], arg.Value, nil), nil
	case arg.Name == "needs" && prompt == deployName:
		// A comma-separated list: complete its last element, offering
		// the whole list so a client can replace the value as it is.
		done, last := "", arg.Value
		if i := strings.LastIndex(arg.Value, ","); i >= 0 {
			done, last = arg.Value[:i+1], strings.TrimLeft(arg.Value[i+1:], " ")
		}
		var chosen []string
		for n := range strings.SplitSeq(done, ",") {
			chosen = append(chosen, strings.TrimSpace(n))
		}
		chosen = append(chosen, cc.Arguments["service_name"])
		comp := c.services(ctx, cc.Arguments["sprite"], last, chosen)
		for i, v := range comp.Values {
			comp.Values[i] = done + v
		}
		return comp, nil
	}
	return present.Completion(nil, false), nil
}

// services completes a service name of sprite (the default sprite when the
// client has not chosen one), leaving out the names in skip.
func (c completer) services(ctx context.Context, sprite, prefix string, skip []string) *mcp.Completion {
	if sprite == "" {
		sprite = c.p.defaultSprite
	}
	if client.ValidateName("sprite", sprite) != nil {
		return present.Completion(nil, false)
	}
	svcs, err := c.p.svc.List(ctx, sprite)
	if err != nil {
		c.p.log.Debug("cannot complete a service name", logSprite, sprite, logErr, err)
		return present.Completion(nil, false)
	}
	var ns []string
	for _, s := range svcs {
		if !slices.Contains(skip, s.Name) {
			ns = append(ns, s.Name)
		}
	}
	return present.Completion(present.Matching(ns, prefix), false)
}

// sprites completes a sprite name (present.CompleteSprite).
func (c completer) sprites(ctx context.Context, prefix string) *mcp.Completion {
	comp, err := present.CompleteSprite(ctx, c.p.svc, c.p.canListSprites, c.p.defaultSprite, prefix)
	if err != nil {
		c.p.log.Debug("cannot complete a sprite", logErr, err)
	}
	return comp
}
