package resources

import (
	"context"
	"slices"
	"strconv"
	"strings"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"

	"github.com/sprites-mcp/sprites-mcp/client"
)

// maxCompletions is the protocol's cap on values in one completion.
const maxCompletions = 100

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
		return completion(matching([]string{"50", "100", "500", "1000", "2000"}, arg.Value), false), nil
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
		return completion(nil, false)
	}
	svcs, err := c.r.svc.List(ctx, sprite)
	if err != nil {
		c.r.log.Debug("cannot complete service_name", logSprite, sprite, logErr, err)
		return completion(nil, false)
	}
	names := make([]string, 0, len(svcs))
	for _, s := range svcs {
		names = append(names, s.Name)
	}
	return completion(matching(names, prefix), false)
}

// sprites completes a sprite name: from the account's Sprites where the
// backend can list them, else the one sprite this server serves.
func (c completer) sprites(ctx context.Context, prefix string) *mcp.Completion {
	if !c.r.canListSprites {
		if c.r.defaultSprite == "" {
			return completion(nil, false)
		}
		return completion(matching([]string{c.r.defaultSprite}, prefix), false)
	}
	page, err := c.r.svc.ListSprites(ctx, client.ListSpritesOptions{Prefix: prefix, MaxResults: 50})
	if err != nil {
		c.r.log.Debug("cannot complete sprite", logErr, err)
		return completion(nil, false)
	}
	names := make([]string, 0, len(page.Sprites))
	for _, s := range page.Sprites {
		names = append(names, s.Name)
	}
	return completion(matching(names, prefix), page.HasMore)
}

// matching returns the names that start with prefix (ignoring case), sorted,
// then those that merely contain it: a typed fragment still finds its name.
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
	slices.SortFunc(starts, byNumberOrName)
	slices.SortFunc(contains, byNumberOrName)
	return append(starts, contains...)
}

// byNumberOrName orders numbers by value ("50" before "100") and names
// alphabetically.
func byNumberOrName(a, b string) int {
	na, ea := strconv.Atoi(a)
	nb, eb := strconv.Atoi(b)
	if ea == nil && eb == nil {
		return na - nb
	}
	return strings.Compare(a, b)
}

// completion caps values at the protocol's limit. total is reported only
// when known: morePages means the backend has more than it returned.
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
