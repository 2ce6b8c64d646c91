//go:build unix

package main

import (
	"context"
	"encoding/json"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/mark3labs/mcp-go/mcp"

	"github.com/sprites-mcp/sprites-mcp/client"
	"github.com/sprites-mcp/sprites-mcp/supervisor"
)

// accountSprites is the sprite listing of the account fakeSpritesAPI
// stands for.
var accountSprites = []client.Sprite{{Name: "local", Status: "running"}, {Name: "dev-a", Status: "cold"}, {Name: "prod-b", Status: "running"}}

// fakeSpritesAPI is a server on 127.0.0.1 in the public API's path style:
// GET /v1/sprites lists accountSprites (honouring prefix), and every other
// request goes to a real embedded runtime, which serves sprite local.
func fakeSpritesAPI(t *testing.T) string {
	t.Helper()
	dir := stateDir(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	e, err := supervisor.Embed(ctx, supervisor.Config{StateDir: dir, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatalf("embed runtime: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if err := e.Close(ctx); err != nil {
			t.Errorf("close runtime: %v", err)
		}
	})
	runtime := unixProxy(e.SocketPath())
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet || r.URL.Path != "/v1/sprites" {
			runtime.ServeHTTP(w, r)
			return
		}
		page := client.SpritesPage{Sprites: []client.Sprite{}}
		for _, s := range accountSprites {
			if strings.HasPrefix(s.Name, r.URL.Query().Get("prefix")) {
				page.Sprites = append(page.Sprites, s)
			}
		}
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(page)
	}))
	t.Cleanup(ts.Close)
	return ts.URL
}

// unixProxy forwards requests to the HTTP server on a unix socket.
func unixProxy(sock string) *httputil.ReverseProxy {
	p := httputil.NewSingleHostReverseProxy(&url.URL{Scheme: "http", Host: "runtime"})
	p.Transport = &http.Transport{DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
		var d net.Dialer
		return d.DialContext(ctx, "unix", sock)
	}}
	return p
}

// leaksProdB finds the sprite prod-b named on its own (not inside the
// in-scope name dev-prod-b the tests ask for).
var leaksProdB = regexp.MustCompile(`(^|[^a-z-])prod-b`)

// TestScopedClientSeesOnlyItsSprites: on a backend that lists the account's
// sprites, a client limited to dev-* learns no other sprite's name from
// errors, suggestions, list_sprites, completions or resources/list. A
// client of every sprite, on the same server, is shown prod-b by the same
// calls, so each check below could fail.
func TestScopedClientSeesOnlyItsSprites(t *testing.T) {
	api := fakeSpritesAPI(t)
	s := startHTTP(t, []string{"--auth-file", scopeFile(t), "--api", api, "--sprite", "local"},
		map[string]string{"SPRITES_TOKEN": "tok-api"})
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	read := func(c interface {
		ReadResource(context.Context, mcp.ReadResourceRequest) (*mcp.ReadResourceResult, error)
	}, uri string) error {
		req := mcp.ReadResourceRequest{}
		req.Params.URI = uri
		_, err := c.ReadResource(ctx, req)
		if err == nil {
			t.Fatalf("read %s: no error, but the runtime serves only local", uri)
		}
		return err
	}

	// The control: a client of every sprite is told about prod-b.
	all := connectHTTP(t, s.mcpURL(), "tok-ro", mcp.ProtocolVersion20251125)
	if text, _ := callText(t, all, "service_list", map[string]any{"sprite": "dev-prod-b"}); !strings.Contains(text, `did you mean "prod-b"`) {
		t.Fatalf("control: an unscoped client is not offered prod-b, so this test proves nothing:\n%s", text)
	}
	if text, _ := callText(t, all, "list_sprites", nil); !leaksProdB.MatchString(text) {
		t.Fatalf("control: list_sprites of an unscoped client lacks prod-b:\n%s", text)
	}
	if err := read(all, "sprites://dev-prod-b/services"); !leaksProdB.MatchString(err.Error()) {
		t.Fatalf("control: the not-found message of an unscoped client lacks prod-b: %v", err)
	}

	dev := connectHTTP(t, s.mcpURL(), "tok-dev", mcp.ProtocolVersion20251125)
	for _, call := range []struct {
		tool string
		args map[string]any
		want string
	}{
		{"service_list", map[string]any{"sprite": "dev-prod-b"}, `no sprite "dev-prod-b"`},
		{"service_get", map[string]any{"sprite": "dev-prod-b", "service_name": "web"}, `no sprite "dev-prod-b"`},
		{"service_logs", map[string]any{"sprite": "dev-prod-b", "service_name": "web"}, `no sprite "dev-prod-b"`},
		// Suggestions still work within the scope.
		{"service_list", map[string]any{"sprite": "dev-b"}, `did you mean "dev-a"`},
	} {
		text, isErr := callText(t, dev, call.tool, call.args)
		if !isErr || !strings.Contains(text, call.want) || leaksProdB.MatchString(text) {
			t.Errorf("dev: %s %v (isError=%v): want %q and no prod-b in\n%s", call.tool, call.args, isErr, call.want, text)
		}
	}
	text, isErr := callText(t, dev, "list_sprites", nil)
	if isErr || !strings.Contains(text, "dev-a") || leaksProdB.MatchString(text) || strings.Contains(text, "local") {
		t.Errorf("dev: list_sprites (isError=%v): want dev-a alone:\n%s", isErr, text)
	}
	if text, _ := callText(t, dev, "list_sprites", map[string]any{"prefix": "prod"}); leaksProdB.MatchString(text) {
		t.Errorf("dev: list_sprites prefix prod:\n%s", text)
	}
	for _, uri := range []string{"sprites://dev-prod-b/services", "sprites://dev-prod-b/services/web", "sprites://dev-prod-b/services/web/logs"} {
		if err := read(dev, uri); leaksProdB.MatchString(err.Error()) || !strings.Contains(err.Error(), "dev-a") {
			t.Errorf("dev: read %s: %v; want dev-a named and prod-b not", uri, err)
		}
	}

	for prefix, want := range map[string][]string{"": {"dev-a"}, "prod": {}, "d": {"dev-a"}} {
		creq := mcp.CompleteRequest{}
		creq.Params.Ref = mcp.ResourceReference{Type: "ref/resource", URI: "sprites://{sprite}/services"}
		creq.Params.Argument = mcp.CompleteArgument{Name: "sprite", Value: prefix}
		res, err := dev.Complete(ctx, creq)
		if err != nil || !slices.Equal(res.Completion.Values, want) {
			t.Errorf("dev: complete sprite %q: %v %+v, want %v", prefix, err, res, want)
		}
	}
	list, err := dev.ListResources(ctx, mcp.ListResourcesRequest{})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range list.Resources {
		if leaksProdB.MatchString(r.URI) || strings.Contains(r.URI, "//local/") {
			t.Errorf("dev: resources/list names %s", r.URI)
		}
	}
}
