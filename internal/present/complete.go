package present

import (
	"context"
	"slices"
	"strconv"
	"strings"

	"github.com/mark3labs/mcp-go/mcp"

	"github.com/sprites-mcp/sprites-mcp/client"
)

// MaxCompletions is the protocol's limit on the values of one completion.
const MaxCompletions = 100

// Completion caps values at MaxCompletions. total is reported only when
// known: morePages means the backend has more than it returned.
func Completion(values []string, morePages bool) *mcp.Completion {
	c := &mcp.Completion{Values: values, Total: len(values), HasMore: morePages}
	if morePages {
		c.Total = 0
	}
	if len(values) > MaxCompletions {
		c.Values = values[:MaxCompletions]
		c.HasMore = true
	}
	if c.Values == nil {
		c.Values = []string{}
	}
	return c
}

// Matching returns the names that start with prefix (ignoring case),
// sorted, then those that merely contain it: a typed fragment still finds
// its name. Numbers sort by value ("50" before "100").
func Matching(names []string, prefix string) []string {
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

func byNumberOrName(a, b string) int {
	na, ea := strconv.Atoi(a)
	nb, eb := strconv.Atoi(b)
	if ea == nil && eb == nil {
		return na - nb
	}
	return strings.Compare(a, b)
}

// SpriteLister is what sprite completion needs of the backend.
type SpriteLister interface {
	ListSprites(ctx context.Context, o client.ListSpritesOptions) (*client.SpritesPage, error)
}

// CompleteSprite completes a sprite name: from the account's Sprites where
// the backend can list them (canList), else the one sprite this server
// serves (defaultSprite, which may be "").
func CompleteSprite(ctx context.Context, l SpriteLister, canList bool, defaultSprite, prefix string) (*mcp.Completion, error) {
	if !canList {
		if defaultSprite == "" {
			return Completion(nil, false), nil
		}
		return Completion(Matching([]string{defaultSprite}, prefix), false), nil
	}
	page, err := l.ListSprites(ctx, client.ListSpritesOptions{Prefix: prefix, MaxResults: 50})
	if err != nil {
		return Completion(nil, false), err
	}
	names := make([]string, 0, len(page.Sprites))
	for _, s := range page.Sprites {
		names = append(names, s.Name)
	}
	return Completion(Matching(names, prefix), page.HasMore), nil
}
