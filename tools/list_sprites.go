package tools

import (
	"context"
	"fmt"
	"strings"

	"github.com/mark3labs/mcp-go/server"

	"github.com/sprites-mcp/sprites-mcp/client"
	"github.com/sprites-mcp/sprites-mcp/schema"
)

// maxSprites is how many sprites one call lists (the API's page maximum).
const maxSprites = 50

func listSprites(d *deps) server.ServerTool {
	return newTool(d, toolDef[schema.ListSpritesArgs, schema.SpriteListResult]{
		name:        "list_sprites",
		title:       "List sprites",
		description: "List the sprites this server reaches (at most 50; narrow with prefix). The embedded runtime has one: local.",
		readOnly:    true, destructive: false, idempotent: true,
		handle: func(ctx context.Context, in schema.ListSpritesArgs) (reply[schema.SpriteListResult], error) {
			page, err := d.Services.ListSprites(ctx, client.ListSpritesOptions{Prefix: string(in.Prefix), MaxResults: maxSprites})
			if err != nil {
				if client.IsNotFound(err) {
					return d.singleSprite(string(in.Prefix)), nil
				}
				return reply[schema.SpriteListResult]{}, err
			}
			out := schema.SpriteListResult{HasMore: page.HasMore, Sprites: make([]schema.SpriteInfo, 0, len(page.Sprites))}
			var b strings.Builder
			switch n := len(page.Sprites); {
			case n == 0 && string(in.Prefix) != "":
				fmt.Fprintf(&b, "no sprites whose name starts with %q", string(in.Prefix))
			case n == 0:
				b.WriteString("no sprites")
			default:
				fmt.Fprintf(&b, "%d sprite%s", n, plural(n))
				if page.HasMore {
					b.WriteString(" (more exist: narrow with prefix)")
				}
				b.WriteString(":")
			}
			for _, s := range page.Sprites {
				si := schema.SpriteInfo{Name: clip(s.Name, 100), Status: clip(s.Status, 40), URL: clip(s.URL, 200)}
				out.Sprites = append(out.Sprites, si)
				b.WriteString("\n" + si.Name)
				if si.Status != "" {
					b.WriteString(" (" + si.Status + ")")
				}
				if si.URL != "" {
					b.WriteString(" " + si.URL)
				}
			}
			return reply[schema.SpriteListResult]{data: out, text: b.String()}, nil
		},
	})
}

// singleSprite answers list_sprites on a backend without sprite listing
// (the embedded runtime, the socket inside a Sprite): there is one sprite.
func (d *deps) singleSprite(prefix string) reply[schema.SpriteListResult] {
	name := orText(d.DefaultSprite, "local")
	note := fmt.Sprintf("this backend serves a single sprite, %q; it has no sprite listing", name)
	out := schema.SpriteListResult{Sprites: []schema.SpriteInfo{}, Note: note}
	if strings.HasPrefix(name, prefix) {
		out.Sprites = append(out.Sprites, schema.SpriteInfo{Name: name})
		return reply[schema.SpriteListResult]{data: out, text: fmt.Sprintf("1 sprite: %s (the only one here: %s)", name, note)}
	}
	return reply[schema.SpriteListResult]{data: out, text: fmt.Sprintf("no sprites whose name starts with %q: %s", prefix, note)}
}
