package auth

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"

	"github.com/sprites-mcp/sprites-mcp/resources"
	"github.com/sprites-mcp/sprites-mcp/tools"
)

// Per-client scope. Every check reads the caller from the request context;
// without one (stdio) everything is allowed, because the caller is the
// user who started the server.
//
// The checks sit where mcp-go gives a hook for them:
//   - tools: a tool filter (listing and calling) for read_only clients, and
//     Authorize for the sprite a call touches;
//   - resources: a request gate that refuses reads, subscriptions and
//     completions naming a foreign sprite before anything reaches the
//     backend (the resources package reads in a before-read hook, so a
//     handler middleware alone would come too late to keep a foreign
//     sprite's service names out of a not-found message), plus a resource
//     handler middleware as the last line;
//   - lists: the backend's sprite listing is filtered to the client's
//     sprites (ScopedServices), which keeps list_sprites, suggestions and
//     not-found messages in scope; resources/list and sprite completions,
//     which can name the default sprite without asking the listing, are
//     filtered here.
//
// Resource URIs are read with resources.SpriteOf, the parser the resources
// themselves serve by, so the check and the server cannot disagree about
// which sprite a URI names; a URI it refuses is refused here too.

// Scope enforces the caller's scope on one MCP server.
type Scope struct {
	// DefaultSprite is the sprite a request that names none touches.
	DefaultSprite string
}

// Authorize refuses sprite, the sprite a tool call resolved (the default
// one when the call named none), when the caller may not use it. The
// error's message is the refusal the agent reads: it says which sprites
// the caller may use and what to call to find them.
func (sc Scope) Authorize(ctx context.Context, sprite string) error {
	c, ok := ClientFrom(ctx)
	if !ok || c.EverySprite() {
		return nil
	}
	if sprite == "" {
		sprite = sc.DefaultSprite
	}
	if sprite != "" && !c.Allows(sprite) {
		return errors.New(outOfScope(c, sprite))
	}
	return nil
}

// ServerOptions returns the options that enforce client scopes; they are
// harmless over stdio.
func (sc Scope) ServerOptions() []server.ServerOption {
	return []server.ServerOption{
		server.WithToolFilter(sc.toolFilter),
		server.WithResourceHandlerMiddleware(sc.resourceMiddleware),
	}
}

// AddHooks adds the request gate and the list filters to h. It runs before
// resources.Register adds its before-read hook, so the filters see results
// first; the gate runs before any per-method hook in any case.
func (sc Scope) AddHooks(h *server.Hooks) {
	h.AddOnRequestInitialization(sc.gate)
	h.AddAfterListResources(func(ctx context.Context, _ any, _ *mcp.ListResourcesRequest, res *mcp.ListResourcesResult) {
		c, ok := ClientFrom(ctx)
		if !ok || c.EverySprite() || res == nil {
			return
		}
		kept := res.Resources[:0:0]
		for _, r := range res.Resources {
			if uriRefusal(c, r.URI) == "" {
				kept = append(kept, r)
			}
		}
		res.Resources = kept
	})
	// The resources complete {sprite} from the listing where the backend
	// has one, already filtered; elsewhere they offer the default sprite,
	// which this filter removes for a client outside it.
	h.AddAfterComplete(func(ctx context.Context, _ any, req *mcp.CompleteRequest, res *mcp.CompleteResult) {
		c, ok := ClientFrom(ctx)
		if !ok || c.EverySprite() || res == nil || req.Params.Argument.Name != "sprite" {
			return
		}
		kept := []string{}
		for _, v := range res.Completion.Values {
			if c.Allows(v) {
				kept = append(kept, v)
			}
		}
		res.Completion.Values = kept
		res.Completion.Total = 0
		res.Completion.HasMore = false
	})
}

var readOnlyFilter = tools.ReadOnlyFilter()

// toolFilter hides, and refuses, every tool that changes something from a
// read_only client.
func (sc Scope) toolFilter(ctx context.Context, ts []mcp.Tool) []mcp.Tool {
	if c, ok := ClientFrom(ctx); ok && c.ReadOnly {
		return readOnlyFilter(ctx, ts)
	}
	return ts
}

// outOfScope is the refusal a client reads.
func outOfScope(c *Client, sprite string) string {
	return fmt.Sprintf("sprite %q is outside the scope of client %q, which may use only sprites matching %s; "+
		"call list_sprites for the ones it can reach", sprite, c.Name, strings.Join(c.Sprites, ", "))
}

// resourceMiddleware refuses a read of a foreign sprite's resource. The gate
// normally refuses first; this is the line that holds if a read ever
// reaches a handler some other way.
func (sc Scope) resourceMiddleware(next server.ResourceHandlerFunc) server.ResourceHandlerFunc {
	return func(ctx context.Context, req mcp.ReadResourceRequest) ([]mcp.ResourceContents, error) {
		if c, ok := ClientFrom(ctx); ok && !c.EverySprite() {
			if why := uriRefusal(c, req.Params.URI); why != "" {
				return nil, fmt.Errorf("read %s: %s", req.Params.URI, why)
			}
		}
		return next(ctx, req)
	}
}

// gate refuses, before any hook or handler runs, a request that names a
// foreign sprite: resources/read, resources/subscribe, subscriptions/listen
// (any of its resource URIs) and completion of a service name.
func (sc Scope) gate(ctx context.Context, _ any, message any) error {
	c, ok := ClientFrom(ctx)
	if !ok || c.EverySprite() {
		return nil
	}
	raw, ok := message.(json.RawMessage)
	if !ok {
		return nil
	}
	var msg struct {
		Method string `json:"method"`
		Params struct {
			URI           string `json:"uri"`
			Notifications struct {
				ResourceSubscriptions []string `json:"resourceSubscriptions"`
			} `json:"notifications"`
			Argument struct {
				Name string `json:"name"`
			} `json:"argument"`
			Context struct {
				Arguments map[string]string `json:"arguments"`
			} `json:"context"`
		} `json:"params"`
	}
	if json.Unmarshal(raw, &msg) != nil {
		// Fail closed: a message this reading cannot place might still be
		// one mcp-go reads, and a scoped client has no need to send it.
		return fmt.Errorf("request not understood for client %q's sprite scope: check its params", c.Name)
	}
	var uris []string
	switch mcp.MCPMethod(msg.Method) {
	case mcp.MethodResourcesRead, mcp.MethodResourcesSubscribe:
		uris = []string{msg.Params.URI}
	case mcp.MethodSubscriptionsListen:
		uris = msg.Params.Notifications.ResourceSubscriptions
	case mcp.MethodCompletionComplete:
		// Whatever the reference, completing a service name lists a
		// sprite's services.
		if msg.Params.Argument.Name == "service_name" {
			s := msg.Params.Context.Arguments["sprite"]
			if s == "" {
				s = sc.DefaultSprite
			}
			if s != "" && !c.Allows(s) {
				return fmt.Errorf("complete service_name: %s", outOfScope(c, s))
			}
		}
	}
	for _, u := range uris {
		if why := uriRefusal(c, u); why != "" {
			return fmt.Errorf("%s %s: %s", msg.Method, u, why)
		}
	}
	return nil
}

// uriRefusal says why client c may not name the resource uri, or "" when
// it may. A URI the resources would not parse is refused as well: a check
// must not guess at the sprite of a URI the server reads differently.
func uriRefusal(c *Client, uri string) string {
	if uri == tools.ServicesAppURI {
		return "" // the services MCP App: a page that holds no sprite's data
	}
	sprite, ok := resources.SpriteOf(uri)
	if !ok {
		return fmt.Sprintf("not a resource URI of this server (sprites://{sprite}/services[/{service_name}[/logs?lines=N]]), "+
			"so client %q, limited to sprites matching %s, may not use it", c.Name, strings.Join(c.Sprites, ", "))
	}
	if !c.Allows(sprite) {
		return outOfScope(c, sprite)
	}
	return ""
}
