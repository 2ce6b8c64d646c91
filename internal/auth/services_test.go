package auth

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/sprites-mcp/sprites-mcp/client"
)

// TestScopedServicesWithoutListing: a backend without a sprite listing
// (the socket inside a Sprite answers 404) serves its default sprite only;
// a client outside that sprite gets an empty listing instead of the 404,
// on which the tools would name the default sprite.
func TestScopedServicesWithoutListing(t *testing.T) {
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.NotFound(w, r)
	}))
	defer ts.Close()
	c, err := client.New(ts.URL, client.WithLogger(slog.New(slog.DiscardHandler)))
	if err != nil {
		t.Fatal(err)
	}
	svcs := ScopedServices{Services: c, DefaultSprite: "box"}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()

	dev := WithClient(ctx, &Client{Name: "dev", Sprites: []string{"dev-*"}})
	if page, err := svcs.ListSprites(dev, client.ListSpritesOptions{}); err != nil || len(page.Sprites) != 0 || page.HasMore {
		t.Errorf("dev-* client: %+v, %v; want an empty page", page, err)
	}
	for name, ctx := range map[string]context.Context{
		"box client": WithClient(ctx, &Client{Name: "box", Sprites: []string{"box"}}),
		"stdio":      ctx,
	} {
		if _, err := svcs.ListSprites(ctx, client.ListSpritesOptions{}); !client.IsNotFound(err) {
			t.Errorf("%s: err = %v, want the backend's not found", name, err)
		}
	}
}
