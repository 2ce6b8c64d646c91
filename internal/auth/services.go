package auth

import (
	"context"

	"github.com/sprites-mcp/sprites-mcp/client"
	"github.com/sprites-mcp/sprites-mcp/tools"
)

// ScopedServices is the backend as one client of the HTTP transport may
// see it: ListSprites answers with the sprites that client may use, and
// every other call passes through (Scope's checks refuse calls on foreign
// sprites before they get here). Because the tools
// and resources learn sprite names only through ListSprites, their lists,
// "did you mean" suggestions, not-found messages and completions all keep
// to the client's scope without knowing about clients.
type ScopedServices struct {
	tools.Services
	// DefaultSprite is the one sprite a backend without a sprite listing
	// serves.
	DefaultSprite string
}

// ListSprites lists the sprites the caller in ctx may use. Without a
// caller (stdio) or with a caller of every sprite, it is the backend's
// answer unchanged.
func (s ScopedServices) ListSprites(ctx context.Context, o client.ListSpritesOptions) (*client.SpritesPage, error) {
	page, err := s.Services.ListSprites(ctx, o)
	c, scoped := ClientFrom(ctx)
	if !scoped || c.EverySprite() {
		return page, err
	}
	if err != nil {
		// A backend without a listing (the socket inside a Sprite) serves
		// its default sprite alone; the tools then name that sprite, which
		// a client outside it must not learn: for that client the listing
		// is empty.
		if client.IsNotFound(err) && !c.Allows(s.DefaultSprite) {
			return &client.SpritesPage{Sprites: []client.Sprite{}}, nil
		}
		return nil, err
	}
	kept := make([]client.Sprite, 0, len(page.Sprites))
	for _, sp := range page.Sprites {
		if c.Allows(sp.Name) {
			kept = append(kept, sp)
		}
	}
	// HasMore and the continuation token still describe the backend's
	// listing: a later page may hold more of the client's sprites.
	out := *page
	out.Sprites = kept
	return &out, nil
}
