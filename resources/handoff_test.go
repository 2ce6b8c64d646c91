package resources_test

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sprites-mcp/sprites-mcp/client"
	"github.com/sprites-mcp/sprites-mcp/internal/testenv"
	"github.com/sprites-mcp/sprites-mcp/resources"
)

// countingServices is the real client, counting the calls made through it.
type countingServices struct {
	*client.Client
	gets, lists atomic.Int64
}

func (c *countingServices) Get(ctx context.Context, sprite, service string) (*client.Service, error) {
	c.gets.Add(1)
	return c.Client.Get(ctx, sprite, service)
}

func (c *countingServices) List(ctx context.Context, sprite string) ([]client.Service, error) {
	c.lists.Add(1)
	return c.Client.List(ctx, sprite)
}

// TestOneBackendCallPerRead: the read done by the before-read hook is the
// one the handler returns (no second backend call), and nothing is left
// waiting once the request is answered, whether it succeeded or not.
func TestOneBackendCallPerRead(t *testing.T) {
	api := startRuntime(t)
	counting := &countingServices{Client: api}
	res, srv := buildServer(resources.Deps{Services: counting, DefaultSprite: sprite, Logger: testenv.QuietLogger(t)})
	t.Cleanup(res.Close)
	h := &harness{t: t, api: api, res: res, srv: srv}
	h.create("web", sleeper())

	for _, p := range protocols {
		t.Run(p.Name, func(t *testing.T) {
			c := h.connect(p.Opts, p.Name)
			gets, lists := counting.gets.Load(), counting.lists.Load()
			readText(t, c, "sprites://local/services/web")
			if n := counting.gets.Load() - gets; n != 1 {
				t.Errorf("reading a service made %d Get calls; want 1", n)
			}
			readText(t, c, "sprites://local/services")
			if n := counting.lists.Load() - lists; n != 1 {
				t.Errorf("reading the list made %d List calls; want 1", n)
			}
			readErr(t, c, "sprites://local/services/nope")
			readErr(t, c, "sprites://local/services/web/logs?lines=0")
			deadline := time.Now().Add(5 * time.Second)
			for res.Prepared() != 0 {
				if time.Now().After(deadline) {
					t.Fatalf("%d read outcomes left waiting after their requests", res.Prepared())
				}
				time.Sleep(10 * time.Millisecond)
			}
		})
	}
}
