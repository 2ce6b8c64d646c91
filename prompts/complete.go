package prompts

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"

	"github.com/sprites-mcp/sprites-mcp/client"
)

// timeNow is the clock of state lines.
var timeNow = time.Now

// maxCompletions is the protocol's cap on values in one completion.
const maxCompletions = 100

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
	return completion(nil, false), nil
}

// services completes a service name of sprite (the default sprite when the
// client has not chosen one), leaving out the names in skip.
func (c completer) services(ctx context.Context, sprite, prefix string, skip []string) *mcp.Completion {
	if sprite == "" {
		sprite = c.p.defaultSprite
	}
	if client.ValidateName("sprite", sprite) != nil {
		return completion(nil, false)
	}
	svcs, err := c.p.svc.List(ctx, sprite)
	if err != nil {
		c.p.log.Debug("cannot complete a service name", logSprite, sprite, logErr, err)
		return completion(nil, false)
	}
	var ns []string
	for _, s := range svcs {
		if !slices.Contains(skip, s.Name) {
			ns = append(ns, s.Name)
		}
	}
	return completion(matching(ns, prefix), false)
}

// sprites completes a sprite name: from the account's Sprites where the
// backend can list them, else the one sprite this server serves.
func (c completer) sprites(ctx context.Context, prefix string) *mcp.Completion {
	if !c.p.canListSprites {
		if c.p.defaultSprite == "" {
			return completion(nil, false)
		}
		return completion(matching([]string{c.p.defaultSprite}, prefix), false)
	}
	page, err := c.p.svc.ListSprites(ctx, client.ListSpritesOptions{Prefix: prefix, MaxResults: 50})
	if err != nil {
		c.p.log.Debug("cannot complete a sprite", logErr, err)
		return completion(nil, false)
	}
	ns := make([]string, 0, len(page.Sprites))
	for _, s := range page.Sprites {
		ns = append(ns, s.Name)
	}
	return completion(matching(ns, prefix), page.HasMore)
}

// matching returns the names that start with prefix (ignoring case),
// sorted, then those that merely contain it, as resource completion does.
func matching(names []string, prefix string) []string {
	p := strings.ToLower(prefix)
	var starts, contains []string
	for _, n := range names {
		ln := strings.ToLower(n)
		switch {
		case strings.HasPrefix(ln, p):
			starts = append(starts, n)
		case strings.Contains(ln, p):
			contains = append(contains, n)
		}
	}
	slices.Sort(starts)
	slices.Sort(contains)
	return append(starts, contains...)
}

// completion caps values at the protocol's limit; total is reported only
// when known.
func completion(values []string, morePages bool) *mcp.Completion {
	c := &mcp.Completion{Values: values, Total: len(values), HasMore: morePages}
	if morePages {
		c.Total = 0
	}
	if len(values) > maxCompletions {
		c.Values = values[:maxCompletions]
		c.HasMore = true
	}
	if c.Values == nil {
		c.Values = []string{}
	}
	return c
}
