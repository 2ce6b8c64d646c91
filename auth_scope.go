package main

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"

	"github.com/sprites-mcp/sprites-mcp/resources"
	"github.com/sprites-mcp/sprites-mcp/tools"
)

// Per-client scope (DESIGN.md section 5). Every check reads the caller from
// the request context; without one (stdio) everything is allowed, because
// the caller is the user who started the server.
//
// The checks sit where mcp-go gives a hook for them:
//   - tools: a tool filter (listing and calling) for read_only clients, and
//     a tool handler middleware for the sprite a call would touch;
//   - resources: a request gate that refuses reads, subscriptions and
//     completions naming a foreign sprite before anything reaches the
//     backend (the resources package reads in a before-read hook, so a
//     handler middleware alone would come too late to keep a foreign
//     sprite's service names out of a not-found message), plus a resource
//     handler middleware as the last line;
//   - lists: the backend's sprite listing is filtered to the client's
//     sprites (scopedServices), which keeps list_sprites, suggestions and
//     not-found messages in scope; resources/list and sprite completions,
//     which can name the default sprite without asking the listing, are
//     filtered here.
//
// Resource URIs are read with resources.SpriteOf, the parser the resources
// themselves serve by, so the check and the server cannot disagree about
// which sprite a URI names; a URI it refuses is refused here too.

// scope holds what the checks need besides the caller.
type scope struct {
	defaultSprite string
}

// serverOptions returns the options that enforce client scopes; they are
// harmless over stdio.
func (sc scope) serverOptions() []server.ServerOption {
	return []server.ServerOption{
		server.WithToolFilter(sc.toolFilter),
		server.WithToolHandlerMiddleware(sc.toolMiddleware),
		server.WithResourceHandlerMiddleware(sc.resourceMiddleware),
	}
}

// addHooks adds the request gate and the list filters to h. It runs before
// resources.Register adds its before-read hook, so the filters see results
// first; the gate runs before any per-method hook in any case.
func (sc scope) addHooks(h *server.Hooks) {
	h.AddOnRequestInitialization(sc.gate)
	h.AddAfterListResources(func(ctx context.Context, _ any, _ *mcp.ListResourcesRequest, res *mcp.ListResourcesResult) {
		c, ok := authClientFrom(ctx)
		if !ok || c.everySprite() || res == nil {
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
		c, ok := authClientFrom(ctx)
		if !ok || c.everySprite() || res == nil || req.Params.Argument.Name != "sprite" {
			return
		}
		kept := []string{}
		for _, v := range res.Completion.Values {
			if c.allows(v) {
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
func (sc scope) toolFilter(ctx context.Context, ts []mcp.Tool) []mcp.Tool {
	if c, ok := authClientFrom(ctx); ok && c.ReadOnly {
		return readOnlyFilter(ctx, ts)
	}
	return ts
}

// toolMiddleware refuses a call on a sprite outside the client's patterns,
// as a tool error that says which sprites it may use. list_sprites names no
// sprite to check; scopedServices keeps its answer to the client's sprites.
func (sc scope) toolMiddleware(next server.ToolHandlerFunc) server.ToolHandlerFunc {
	return func(ctx context.Context, req mcp.CallToolRequest) (*mcp.CallToolResult, error) {
		c, ok := authClientFrom(ctx)
		if !ok || c.everySprite() || req.Params.Name == "list_sprites" {
			return next(ctx, req)
		}
		sprite, err := sc.callSprite(req)
		if err != nil {
			return mcp.NewToolResultError(err.Error()), nil
		}
		if sprite != "" && !c.allows(sprite) {
			return mcp.NewToolResultError(outOfScope(c, sprite)), nil
		}
		return next(ctx, req)
	}
}

// callSprite is the sprite a tool call touches: its sprite argument, read
// as the tools' adapter reads it (a string, trimmed; empty means the
// default), else the default sprite. Anything the adapter might read
// differently is refused rather than guessed.
func (sc scope) callSprite(req mcp.CallToolRequest) (string, error) {
	var args map[string]json.RawMessage
	switch raw := req.GetRawArguments().(type) {
	case nil:
	case json.RawMessage:
		if len(raw) > 0 && string(raw) != "null" {
			if err := json.Unmarshal(raw, &args); err != nil {
				return "", fmt.Errorf("arguments must be a JSON object of name: value")
			}
		}
	default:
		b, err := json.Marshal(raw)
		if err == nil && string(b) != "null" {
			err = json.Unmarshal(b, &args)
		}
		if err != nil {
			return "", fmt.Errorf("arguments must be a JSON object of name: value")
		}
	}
	sprite := ""
	if v, ok := args["sprite"]; ok && string(v) != "null" {
		if err := json.Unmarshal(v, &sprite); err != nil {
			return "", fmt.Errorf("sprite must be a string naming a sprite; call list_sprites for the names")
		}
		sprite = strings.TrimSpace(sprite)
	}
	if sprite == "" {
		sprite = sc.defaultSprite
	}
	return sprite, nil
}

// outOfScope is the refusal a client reads.
func outOfScope(c *authClient, sprite string) string {
	return fmt.Sprintf("sprite %q is outside the scope of client %q, which may use only sprites matching %s; "+
		"call list_sprites for the ones it can reach", sprite, c.Name, strings.Join(c.Sprites, ", "))
}

// resourceMiddleware refuses a read of a foreign sprite's resource. The gate
// normally refuses first; this is the line that holds if a read ever
// reaches a handler some other way.
func (sc scope) resourceMiddleware(next server.ResourceHandlerFunc) server.ResourceHandlerFunc {
	return func(ctx context.Context, req mcp.ReadResourceRequest) ([]mcp.ResourceContents, error) {
		if c, ok := authClientFrom(ctx); ok && !c.everySprite() {
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
func (sc scope) gate(ctx context.Context, _ any, message any) error {
	c, ok := authClientFrom(ctx)
	if !ok || c.everySprite() {
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
				s = sc.defaultSprite
			}
			if s != "" && !c.allows(s) {
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
func uriRefusal(c *authClient, uri string) string {
	sprite, ok := resources.SpriteOf(uri)
	if !ok {
		return fmt.Sprintf("not a resource URI of this server (sprites://{sprite}/services[/{service_name}[/logs?lines=N]]), "+
			"so client %q, limited to sprites matching %s, may not use it", c.Name, strings.Join(c.Sprites, ", "))
	}
	if !c.allows(sprite) {
		return outOfScope(c, sprite)
	}
	return ""
}
