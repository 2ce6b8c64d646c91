package tools

import (
	"context"
	"errors"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"strings"
	"testing"

	"github.com/sprites-mcp/sprites-mcp/schema"
)

// proxyTo is a reverse proxy to the runtime's unix socket; edit may change
// a response before it goes out.
func proxyTo(sock string, edit func(*http.Response) error) *httputil.ReverseProxy {
	target, _ := url.Parse("http://runtime")
	p := httputil.NewSingleHostReverseProxy(target)
	p.Transport = &http.Transport{DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
		var d net.Dialer
		return d.DialContext(ctx, "unix", sock)
	}}
	p.ModifyResponse = edit
	p.ErrorLog = log.New(io.Discard, "", 0) // the cut test aborts copies on purpose
	return p
}

// cutAfter passes n bytes of a body, then fails like a dropped connection.
type cutAfter struct {
	r io.ReadCloser
	n int
}

func (c *cutAfter) Read(p []byte) (int, error) {
	if c.n <= 0 {
		return 0, errors.New("connection reset by test")
	}
	if len(p) > c.n {
		p = p[:c.n]
	}
	n, err := c.r.Read(p)
	c.n -= n
	return n, err
}

func (c *cutAfter) Close() error { return c.r.Close() }

// TestCutStream checks a stream cut short by the network still yields the
// summary of what arrived, marked as cut with the error.
func TestCutStream(t *testing.T) {
	h := newHarness(t, harnessOpts{through: func(sock string) http.Handler {
		return proxyTo(sock, func(resp *http.Response) error {
			if strings.HasSuffix(resp.Request.URL.Path, "/services/cut/start") {
				resp.Body = &cutAfter{r: resp.Body, n: 400}
			}
			return nil
		})
	}})
	script := `i=0; while [ $i -lt 200 ]; do echo "out $i"; i=$((i+1)); done; exec sleep 60`
	h.mustOK("service_create", map[string]any{"service_name": "cut", "cmd": "sh", "args": []any{"-c", script}, "env": h.env(), "duration": "0"})
	h.mustOK("service_stop", map[string]any{"service_name": "cut"})
	res := h.call("service_start", map[string]any{"service_name": "cut", "duration": "3s"})
	txt := text(res)
	var act schema.ActionResult
	structured(t, res, &act)
	if !act.Cut || act.StreamError == "" || act.LinesSeen == 0 || act.LinesSeen >= 200 {
		t.Errorf("cut stream: cut %v, error %q, seen %d\n%s", act.Cut, act.StreamError, act.LinesSeen, txt)
	}
	// The lines that arrived fold by shape into one, from the first on.
	if !strings.Contains(txt, "stream cut before its end") || !strings.Contains(txt, "out <n> (×") || !strings.Contains(txt, ", 0…") {
		t.Errorf("cut stream text:\n%s", txt)
	}
	// The final state is still read, so the outcome is known.
	if act.Status != "running" || !strings.HasPrefix(txt, "cut on local: running") {
		t.Errorf("cut stream outcome: status %q\n%s", act.Status, txt)
	}
}

// TestSingleSpriteBackend checks list_sprites on a backend without the
// sprites route (like the socket inside a Sprite): a plain answer that the
// default sprite is the only one.
func TestSingleSpriteBackend(t *testing.T) {
	h := newHarness(t, harnessOpts{through: func(sock string) http.Handler {
		p := proxyTo(sock, nil)
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path == "/v1/sprites" {
				http.NotFound(w, r) // "404 page not found", as a runtime without the route
				return
			}
			p.ServeHTTP(w, r)
		})
	}})
	res := h.mustOK("list_sprites", nil)
	var out schema.SpriteListResult
	structured(t, res, &out)
	if len(out.Sprites) != 1 || out.Sprites[0].Name != "local" || !strings.Contains(out.Note, "single sprite") {
		t.Errorf("single sprite: %+v", out)
	}
	if !strings.Contains(text(res), "1 sprite: local (the only one here") {
		t.Errorf("single sprite text:\n%s", text(res))
	}
	res = h.mustOK("list_sprites", map[string]any{"prefix": "prod"})
	structured(t, res, &out)
	if len(out.Sprites) != 0 || !strings.Contains(text(res), `no sprites whose name starts with "prod"`) {
		t.Errorf("single sprite with another prefix: %+v\n%s", out, text(res))
	}
	// An unknown sprite on such a backend points at the default one.
	res = h.mustFail("service_list", map[string]any{"sprite": "elsewhere"})
	if !strings.Contains(text(res), `no sprite "elsewhere": this server's sprite is "local"`) {
		t.Errorf("unknown sprite:\n%s", text(res))
	}
}

// TestSpriteRequiredWithoutDefault checks a server without a default
// sprite asks for one, and works when it is given.
func TestSpriteRequiredWithoutDefault(t *testing.T) {
	h := newHarness(t, harnessOpts{noDefaultSprite: true})
	res := h.mustFail("service_list", nil)
	if !strings.Contains(text(res), "sprite is required: this server has no default sprite") ||
		!strings.Contains(text(res), "accepted arguments: sprite") {
		t.Errorf("no sprite:\n%s", text(res))
	}
	res = h.mustOK("service_list", map[string]any{"sprite": "local"})
	if !strings.Contains(text(res), "no services on local") {
		t.Errorf("with a sprite:\n%s", text(res))
	}
}

// TestStopNotRunningIsSuccess: a stop the API answers "409 not running"
// is a success ("already stopped") even when a read right after disagrees.
func TestStopNotRunningIsSuccess(t *testing.T) {
	h := newHarness(t, harnessOpts{through: func(sock string) http.Handler {
		p := proxyTo(sock, nil)
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if strings.HasSuffix(r.URL.Path, "/services/web/stop") {
				http.Error(w, `service "web" is not running (status stopped)`, http.StatusConflict)
				return
			}
			p.ServeHTTP(w, r)
		})
	}})
	h.mustOK("service_create", map[string]any{"service_name": "web", "cmd": "sleep", "args": "60", "env": h.env(), "duration": "0"})
	h.waitRunning("web")
	res := h.mustOK("service_stop", map[string]any{"service_name": "web"})
	var act schema.ActionResult
	structured(t, res, &act)
	if !act.Reached || act.Outcome != "already stopped" || !strings.Contains(text(res), "a read right after says running") {
		t.Errorf("stop answered not running: %+v\n%s", act, text(res))
	}
	h.api.Stop(context.Background(), "local", "web", 2e9)
}
