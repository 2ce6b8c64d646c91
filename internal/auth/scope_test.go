package auth

import (
	"context"
	"strings"
	"testing"

	"github.com/mark3labs/mcp-go/mcp"
)

// TestAuthScopeMiddlewares checks the last-line resource middleware and the
// list_sprites filter directly, without a transport: a handler must never
// run for a foreign sprite even if the gate were bypassed.
func TestAuthScopeMiddlewares(t *testing.T) {
	sc := Scope{DefaultSprite: "local"}
	dev := &Client{Name: "dev", Sprites: []string{"dev-*"}}
	ran := false
	handler := sc.resourceMiddleware(func(ctx context.Context, req mcp.ReadResourceRequest) ([]mcp.ResourceContents, error) {
		ran = true
		return nil, nil
	})
	req := mcp.ReadResourceRequest{}
	req.Params.URI = "sprites://prod/services"
	if _, err := handler(WithClient(context.Background(), dev), req); err == nil || ran || !strings.Contains(err.Error(), "outside the scope") {
		t.Errorf("foreign read: err=%v ran=%v", err, ran)
	}
	req.Params.URI = "sprites://dev-2/services"
	if _, err := handler(WithClient(context.Background(), dev), req); err != nil || !ran {
		t.Errorf("own read: err=%v ran=%v", err, ran)
	}
	ran = false
	req.Params.URI = "sprites://prod/services"
	if _, err := handler(context.Background(), req); err != nil || !ran {
		t.Errorf("stdio (no client) read: err=%v ran=%v", err, ran)
	}

	// A URI the resources would not parse has no sprite to check: it is
	// refused, not guessed at. The old prefix reading took dev-2 for the
	// sprite of the first two.
	for _, uri := range []string{"sprites://dev-2?/../prod/services", "sprites://dev-2#/services", "sprites://dev-2/services/../../prod/services", "file:///etc/passwd"} {
		ran = false
		req.Params.URI = uri
		if _, err := handler(WithClient(context.Background(), dev), req); err == nil || ran || !strings.Contains(err.Error(), "not a resource URI of this server") {
			t.Errorf("malformed %s: err=%v ran=%v", uri, err, ran)
		}
	}
	// The services MCP App holds no sprite's data: any client may read it,
	// and only that one ui:// URI passes.
	for uri, ok := range map[string]bool{"ui://sprites-mcp/services": true, "ui://sprites-mcp/services/../x": false, "ui://other/app": false} {
		ran = false
		req.Params.URI = uri
		if _, err := handler(WithClient(context.Background(), dev), req); (err == nil) != ok || ran != ok {
			t.Errorf("%s: err=%v ran=%v, want allowed %v", uri, err, ran, ok)
		}
	}
}

// TestAuthorize: the hook the tools call with the sprite they resolved
// refuses a foreign sprite, or the default one when the call named none and
// the default is foreign, with a refusal that tells the agent what it may
// use; everything else passes.
func TestAuthorize(t *testing.T) {
	sc := Scope{DefaultSprite: "local"}
	dev := WithClient(context.Background(), &Client{Name: "dev", Sprites: []string{"dev-*", "qa"}})
	all := WithClient(context.Background(), &Client{Name: "all", Sprites: []string{"*"}})
	for _, tc := range []struct {
		name   string
		ctx    context.Context
		sprite string
		refuse string // "" when allowed
	}{
		{"stdio", context.Background(), "prod", ""},
		{"every sprite", all, "prod", ""},
		{"own sprite", dev, "dev-1", ""},
		{"own exact sprite", dev, "qa", ""},
		{"foreign sprite", dev, "prod", `sprite "prod" is outside the scope of client "dev", which may use only sprites matching dev-*, qa; call list_sprites`},
		{"foreign default", dev, "", `sprite "local" is outside the scope of client "dev"`},
	} {
		err := sc.Authorize(tc.ctx, tc.sprite)
		switch {
		case tc.refuse == "" && err != nil:
			t.Errorf("%s: %v, want allowed", tc.name, err)
		case tc.refuse != "" && (err == nil || !strings.Contains(err.Error(), tc.refuse)):
			t.Errorf("%s: err = %v, want %q", tc.name, err, tc.refuse)
		}
	}
	// A server without a default sprite has nothing to check for a call
	// that names none: the tools refuse such a call themselves.
	if err := (Scope{}).Authorize(dev, ""); err != nil {
		t.Errorf("no default sprite: %v", err)
	}
}
