package auth

// TO BE REMOVED when the tools call Authorize with the sprite they
// resolved (tools.Deps.Authorize): then delete this file and the
// WithToolHandlerMiddleware line of Scope.ServerOptions, and pass
// Scope.Authorize to the tools. Until then this middleware finds the
// sprite of a call by decoding its arguments a second time, which must
// agree with the tools' own decoder.

import (
	"context"
	"encoding/json"
	"errors"
	"strings"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"
)

// toolMiddleware refuses a call on a sprite outside the client's patterns,
// as a tool error that says which sprites it may use. list_sprites names no
// sprite to check; ScopedServices keeps its answer to the client's sprites.
func (sc Scope) toolMiddleware(next server.ToolHandlerFunc) server.ToolHandlerFunc {
	return func(ctx context.Context, req mcp.CallToolRequest) (*mcp.CallToolResult, error) {
		c, ok := ClientFrom(ctx)
		if !ok || c.EverySprite() || req.Params.Name == "list_sprites" {
			return next(ctx, req)
		}
		sprite, err := callSprite(req)
		if err == nil {
			err = sc.Authorize(ctx, sprite)
		}
		if err != nil {
			return mcp.NewToolResultError(err.Error()), nil
		}
		return next(ctx, req)
	}
}

var (
	errArgsNotObject  = errors.New("arguments must be a JSON object of name: value")
	errSpriteNotAText = errors.New("sprite must be a string naming a sprite; call list_sprites for the names")
)

// callSprite is the sprite argument of a tool call, read as the tools'
// adapter reads it (a string, trimmed); "" means the call names none and
// touches the default sprite. Anything the adapter might read differently
// is refused rather than guessed.
func callSprite(req mcp.CallToolRequest) (string, error) {
	var args map[string]json.RawMessage
	switch raw := req.GetRawArguments().(type) {
	case nil:
	case json.RawMessage:
		if len(raw) > 0 && string(raw) != "null" {
			if err := json.Unmarshal(raw, &args); err != nil {
				return "", errArgsNotObject
			}
		}
	default:
		b, err := json.Marshal(raw)
		if err == nil && string(b) != "null" {
			err = json.Unmarshal(b, &args)
		}
		if err != nil {
			return "", errArgsNotObject
		}
	}
	sprite := ""
	if v, ok := args["sprite"]; ok && string(v) != "null" {
		if err := json.Unmarshal(v, &sprite); err != nil {
			return "", errSpriteNotAText
		}
		sprite = strings.TrimSpace(sprite)
	}
	return sprite, nil
}
