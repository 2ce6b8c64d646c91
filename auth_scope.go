package main

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"

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
//   - lists: list_sprites results, resources/list and sprite completions are
//     filtered to the client's sprites.

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

// addHooks adds the request gate and the list filters to h. It must run
// before resources.Register adds its before-read hook, so the gate (which
// runs before any per-method hook anyway) and the filters see requests
// first.
func (sc scope) addHooks(h *server.Hooks) {
	h.AddOnRequestInitialization(sc.gate)
	h.AddAfterListResources(func(ctx context.Context, _ any, _ *mcp.ListResourcesRequest, res *mcp.ListResourcesResult) {
		c, ok := authClientFrom(ctx)
		if !ok || c.everySprite() || res == nil {
			return
		}
		kept := res.Resources[:0:0]
		for _, r := range res.Resources {
			if s, ok := uriSprite(r.URI); !ok || c.allows(s) {
				kept = append(kept, r)
			}
		}
		res.Resources = kept
	})
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
// as a tool error that says which sprites it may use, and keeps
// list_sprites to those sprites.
func (sc scope) toolMiddleware(next server.ToolHandlerFunc) server.ToolHandlerFunc {
	return func(ctx context.Context, req mcp.CallToolRequest) (*mcp.CallToolResult, error) {
		c, ok := authClientFrom(ctx)
		if !ok || c.everySprite() {
			return next(ctx, req)
		}
		if req.Params.Name == "list_sprites" {
			res, err := next(ctx, req)
			if err != nil || res == nil || res.IsError {
				return res, err
			}
			return filterSpriteList(c, res), nil
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
			if s, ok := uriSprite(req.Params.URI); ok && !c.allows(s) {
				return nil, fmt.Errorf("read %s: %s", req.Params.URI, outOfScope(c, s))
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
			Ref struct {
				URI string `json:"uri"`
			} `json:"ref"`
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
		if msg.Params.Argument.Name == "service_name" && strings.HasPrefix(msg.Params.Ref.URI, resourceScheme) {
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
		if s, ok := uriSprite(u); ok && !c.allows(s) {
			return fmt.Errorf("%s %s: %s", msg.Method, u, outOfScope(c, s))
		}
	}
	return nil
}

const resourceScheme = "sprites://"

// uriSprite is the sprite a resource URI names: the authority of
// sprites://{sprite}/services….
func uriSprite(uri string) (string, bool) {
	rest, ok := strings.CutPrefix(uri, resourceScheme)
	if !ok {
		return "", false
	}
	sprite, _, _ := strings.Cut(rest, "/")
	sprite, _, _ = strings.Cut(sprite, "?")
	return sprite, true
}

// filterSpriteList keeps, in a list_sprites result, only the sprites the
// client may use, in the structured content and in the text. The text is
// rebuilt from the kept entries, one per line as list_sprites writes them.
func filterSpriteList(c *authClient, res *mcp.CallToolResult) *mcp.CallToolResult {
	b, err := json.Marshal(res.StructuredContent)
	if err != nil {
		return mcp.NewToolResultError("list_sprites: cannot filter the result to this client's sprites")
	}
	var data map[string]any
	if err := json.Unmarshal(b, &data); err != nil || data == nil {
		return mcp.NewToolResultError("list_sprites: cannot filter the result to this client's sprites")
	}
	list, _ := data["sprites"].([]any)
	kept := []any{}
	var lines []string
	for _, item := range list {
		m, _ := item.(map[string]any)
		name, _ := m["name"].(string)
		if name == "" || !c.allows(name) {
			continue
		}
		kept = append(kept, item)
		line := name
		if st, _ := m["status"].(string); st != "" {
			line += " (" + st + ")"
		}
		if u, _ := m["url"].(string); u != "" {
			line += " " + u
		}
		lines = append(lines, line)
	}
	data["sprites"] = kept
	text := fmt.Sprintf("%d sprite%s that client %q may use (patterns %s):", len(kept), pluralS(len(kept)),
		c.Name, strings.Join(c.Sprites, ", "))
	if len(kept) == 0 {
		text = fmt.Sprintf("no sprites that client %q may use (patterns %s)", c.Name, strings.Join(c.Sprites, ", "))
	}
	if len(lines) > 0 {
		text += "\n" + strings.Join(lines, "\n")
	}
	if note, _ := data["note"].(string); note != "" {
		text += "\n" + note
	}
	out := mcp.NewToolResultStructured(data, text)
	return out
}

func pluralS(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}
