package resources_test

import (
	"context"
	"fmt"
	"io"
	"log"
	"strings"
	"testing"
	"time"

	mcpclient "github.com/mark3labs/mcp-go/client"
	"github.com/mark3labs/mcp-go/client/transport"
	"github.com/mark3labs/mcp-go/server"
	"github.com/sprites-mcp/sprites-mcp/internal/testenv"
)

// stdioConn serves h's server over the stdio transport (newline-delimited
// JSON-RPC on a pair of pipes, as on a real stdin/stdout) and connects a
// client to it. Closing the client ends the server's Listen.
func (h *harness) stdioConn(opts []mcpclient.ClientOption, proto string) *conn {
	t := h.t
	t.Helper()
	inR, inW := io.Pipe()   // client → server
	outR, outW := io.Pipe() // server → client
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	stdio := server.NewStdioServer(h.srv)
	stdio.SetErrorLogger(log.New(io.Discard, "", 0))
	go func() {
		done <- stdio.Listen(ctx, inR, outW)
		outW.Close() // the client's reader sees the end
	}()
	t.Cleanup(func() {
		inW.Close()
		cancel()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			t.Error("the stdio server did not stop within 10s")
		}
	})
	c := mcpclient.NewClient(transport.NewIO(outR, inW, nil), opts...)
	return startConn(t, c, proto)
}

// TestOverStdio runs reading, errors, an update after a crash and the
// release of subscriptions over the stdio transport, under both revisions.
// The stdio server has one session per process, so these run in turn.
func TestOverStdio(t *testing.T) {
	h := newHarness(t)
	polls := h.polls()
	h.create("web", sleeper())
	for i, p := range protocols {
		t.Run(p.Name, func(t *testing.T) {
			h := &harness{t: t, api: h.api, res: h.res, srv: h.srv}
			c := h.stdioConn(p.Opts, p.Name)

			text, _ := readText(t, c, "sprites://local/services")
			if !strings.Contains(text, `"name":"web"`) {
				t.Errorf("list over stdio: %s", text)
			}
			err := readErr(t, c, "sprites://local/services/wbe")
			wantNotFound(t, c, err)
			if !strings.Contains(err.Error(), `did you mean "web"?`) {
				t.Errorf("error over stdio: %v", err)
			}

			name := fmt.Sprintf("stdio%d", i)
			h.create(name, sleeper())
			uri := "sprites://local/services/" + name
			stop := c.subscribe(t, uri)
			nextPoll(t, polls)
			mark := c.notes.mark()
			killed := time.Now()
			if err := h.api.Signal(testenv.Context(t, 10*time.Second), sprite, name, "KILL"); err != nil {
				t.Fatalf("kill: %v", err)
			}
			nt, ok := c.notes.waitSince(mark, 10*time.Second, updated(uri))
			if !ok {
				t.Fatal("no resources/updated over stdio within 10s of the crash")
			}
			if d := nt.at.Sub(killed); d > 3*time.Second {
				t.Errorf("resources/updated came %v after the crash; want within 3s", d)
			}

			if modern(p.Name) {
				stop() // closing the listen stream releases it
			} else {
				c.Close() // the end of the session releases it
			}
			deadline := time.Now().Add(5 * time.Second)
			for h.res.Watchers() != 0 {
				if time.Now().After(deadline) {
					t.Fatalf("%d watchers left after the stdio subscriber went", h.res.Watchers())
				}
				time.Sleep(20 * time.Millisecond)
			}
		})
	}
}
