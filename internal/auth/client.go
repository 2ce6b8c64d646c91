// Package auth knows who calls the HTTP transport and what each caller
// may touch: bearer tokens checked against SHA-256 digests (a single
// SPRITES_MCP_AUTH_TOKEN or an auth file of clients), the caller carried in
// the request context, and per-client scopes (sprite patterns, read_only)
// enforced on tools, resources and the backend's sprite listing.
//
// Over stdio no request carries a client: the caller is the user who
// started the server, and every check lets it through.
package auth

import (
	"context"
	"path"
)

// Client is one caller of the HTTP transport, as the auth file (or
// SPRITES_MCP_AUTH_TOKEN) describes it. It is immutable once loaded.
type Client struct {
	Name     string
	Sprites  []string // path.Match patterns; ["*"] is every sprite
	ReadOnly bool
	// sessionTag marks the session IDs issued to this client.
	sessionTag string
}

// Allows reports whether the client may touch sprite.
func (c *Client) Allows(sprite string) bool {
	for _, p := range c.Sprites {
		if ok, _ := path.Match(p, sprite); ok {
			return true
		}
	}
	return false
}

// EverySprite reports whether the client's patterns admit any name, so
// scope checks can be skipped entirely.
func (c *Client) EverySprite() bool {
	for _, p := range c.Sprites {
		if p == "*" {
			return true
		}
	}
	return false
}

// SessionTag is a stable tag derived from the client's token digest: the
// transport puts it in the session IDs it issues to this client, so a
// client that learns another's session ID cannot use it. It is a hash of
// a hash and says nothing about the token.
func (c *Client) SessionTag() string { return c.sessionTag }

type clientKey struct{}

// WithClient records the authenticated caller in ctx.
func WithClient(ctx context.Context, c *Client) context.Context {
	return context.WithValue(ctx, clientKey{}, c)
}

// ClientFrom returns the caller recorded in ctx. Over stdio there is none,
// and the caller is the local user: full access.
func ClientFrom(ctx context.Context) (*Client, bool) {
	c, ok := ctx.Value(clientKey{}).(*Client)
	return c, ok && c != nil
}
