package resources_test

import (
	"context"
	"encoding/json"
	"net"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mark3labs/mcp-go/mcp"

	"github.com/sprites-mcp/sprites-mcp/client"
	"github.com/sprites-mcp/sprites-mcp/internal/testenv"
	"github.com/sprites-mcp/sprites-mcp/resources"
)

func complete(t *testing.T, c *conn, template, arg, value string, ctxArgs map[string]string) *mcp.Completion {
	t.Helper()
	res, err := c.Complete(testenv.Context(t, 20*time.Second), mcp.CompleteRequest{Params: mcp.CompleteParams{
		Ref:      mcp.ResourceReference{Type: "ref/resource", URI: template},
		Argument: mcp.CompleteArgument{Name: arg, Value: value},
		Context:  mcp.CompleteContext{Arguments: ctxArgs},
	}})
	if err != nil {
		t.Fatalf("complete %s=%q: %v", arg, value, err)
	}
	return &res.Completion
}

// TestCompleteServiceName completes {service_name} from the live list, and
// {sprite} with the one sprite an embedded runtime serves.
func TestCompleteServiceName(t *testing.T) {
	h := newHarness(t)
	h.create("web", sleeper())
	h.create("worker", sleeper())
	h.create("db", sleeper())
	const svcTpl = "sprites://{sprite}/services/{service_name}"
	const logsTpl = "sprites://{sprite}/services/{service_name}/logs{?lines}"

	for _, p := range protocols {
		t.Run(p.Name, func(t *testing.T) {
			c := h.connect(p.Opts, p.Name)
			check := func(got *mcp.Completion, want ...string) {
				t.Helper()
				if want == nil {
					want = []string{}
				}
				if !slices.Equal(got.Values, want) || got.Total != len(want) || got.HasMore {
					t.Errorf("completion %+v, want values %v", got, want)
				}
			}
			check(complete(t, c, svcTpl, "service_name", "", nil), "db", "web", "worker")
			check(complete(t, c, svcTpl, "service_name", "w", nil), "web", "worker")
			check(complete(t, c, logsTpl, "service_name", "WO", map[string]string{"sprite": "local"}), "worker")
			check(complete(t, c, svcTpl, "service_name", "rk", nil), "worker") // contained, not a prefix
			check(complete(t, c, svcTpl, "service_name", "zzz", nil))
			// Another sprite's services: the runtime serves only local.
			check(complete(t, c, svcTpl, "service_name", "", map[string]string{"sprite": "elsewhere"}))
			check(complete(t, c, svcTpl, "sprite", "", nil), "local")
			check(complete(t, c, svcTpl, "sprite", "lo", nil), "local")
			check(complete(t, c, svcTpl, "sprite", "x", nil))
			check(complete(t, c, logsTpl, "lines", "1", nil), "100", "1000")
			// Someone else's template gets nothing.
			check(complete(t, c, "file:///{path}", "path", "", nil))

			// Completion follows the live list.
			h.create("web2", sleeper())
			check(complete(t, c, svcTpl, "service_name", "web", nil), "web", "web2")
			h.delete("web2")
			check(complete(t, c, svcTpl, "service_name", "web", nil), "web")
		})
	}
}

// spritesBackend is the embedded runtime for services with the Sprites
// listed by a second, real HTTP API on 127.0.0.1 (the embedded runtime has
// no list-sprites route, as on the socket).
type spritesBackend struct {
	*client.Client
	sprites *client.Client
}

func (b spritesBackend) ListSprites(ctx context.Context, o client.ListSpritesOptions) (*client.SpritesPage, error) {
	return b.sprites.ListSprites(ctx, o)
}

// serveSprites serves GET /v1/sprites with names on 127.0.0.1, honouring
// prefix, and records the prefixes it was asked for.
func serveSprites(t *testing.T, names []string) (*client.Client, func() []string) {
	t.Helper()
	var mu sync.Mutex
	var asked []string
	mux := http.NewServeMux()
	mux.HandleFunc("GET /v1/sprites", func(w http.ResponseWriter, r *http.Request) {
		prefix := r.URL.Query().Get("prefix")
		mu.Lock()
		asked = append(asked, prefix)
		mu.Unlock()
		page := client.SpritesPage{Sprites: []client.Sprite{}}
		for _, n := range names {
			if strings.HasPrefix(n, prefix) {
				page.Sprites = append(page.Sprites, client.Sprite{Name: n})
			}
		}
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(page)
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	api, err := client.New("http://"+ln.Addr().String(), client.WithToken("test-token"))
	if err != nil {
		t.Fatal(err)
	}
	return api, func() []string {
		mu.Lock()
		defer mu.Unlock()
		return slices.Clone(asked)
	}
}

// TestCompleteSprite: where the backend can list Sprites, {sprite}
// completes from that list, and a missing sprite's error names them.
func TestCompleteSprite(t *testing.T) {
	api := startRuntime(t)
	sprites, asked := serveSprites(t, []string{"dev-api", "dev-web", "local", "prod-api"})
	res, srv := buildServer(resources.Deps{
		Services:       spritesBackend{Client: api, sprites: sprites},
		DefaultSprite:  sprite,
		CanListSprites: true,
		Logger:         testenv.QuietLogger(t),
	})
	t.Cleanup(res.Close)
	h := &harness{t: t, api: api, srv: srv, res: res}

	for _, p := range protocols {
		t.Run(p.Name, func(t *testing.T) {
			c := h.connect(p.Opts, p.Name)
			got := complete(t, c, "sprites://{sprite}/services", "sprite", "dev-", nil)
			if !slices.Equal(got.Values, []string{"dev-api", "dev-web"}) {
				t.Errorf("sprite completion %+v", got)
			}
			if a := asked(); len(a) == 0 || a[len(a)-1] != "dev-" {
				t.Errorf("list sprites was asked for prefixes %q, want the typed one last", a)
			}
			err := readErr(t, c, "sprites://dev-apj/services")
			wantNotFound(t, c, err)
			for _, w := range []string{`no sprite "dev-apj"`, `did you mean "dev-api"?`, "dev-api, dev-web, local, prod-api"} {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
		})
	}
}
