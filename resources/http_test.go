package resources_test

import (
	"fmt"
	"testing"
	"time"

	mcpclient "github.com/mark3labs/mcp-go/client"
	"github.com/mark3labs/mcp-go/client/transport"
	"github.com/mark3labs/mcp-go/server/servertest"
	"github.com/sprites-mcp/sprites-mcp/internal/testenv"
)

// TestOverStreamableHTTP: a subscriber over streamable HTTP (on 127.0.0.1)
// is told of a crash: on 2025-11-25 through the session's standalone GET
// stream, on 2026-07-28 on the subscriptions/listen response stream.
func TestOverStreamableHTTP(t *testing.T) {
	h := newHarness(t)
	polls := h.polls()
	ts := servertest.NewTestStreamableHTTPServer(h.srv)
	t.Cleanup(ts.Close)

	for i, p := range protocols {
		t.Run(p.Name, func(t *testing.T) {
			topts := []transport.StreamableHTTPCOption{transport.WithHTTPLogger(testenv.QuietLogger(t))}
			if !modern(p.Name) {
				// Legacy notifications outside a request need the GET stream.
				//lint:ignore SA1019 the legacy revision is the one under test here
				topts = append(topts, transport.WithContinuousListening())
			}
			tr, err := transport.NewStreamableHTTP(ts.URL+"/mcp", topts...)
			if err != nil {
				t.Fatal(err)
			}
			c := startConn(t, mcpclient.NewClient(tr, p.Opts...), p.Name)

			name := fmt.Sprintf("http%d", i)
			h.create(name, sleeper())
			uri := "sprites://local/services/" + name
			stop := c.subscribe(t, uri)
			defer stop()
			nextPoll(t, polls)
			mark := c.notes.mark()
			killed := time.Now()
			if err := h.api.Signal(testenv.Context(t, 10*time.Second), sprite, name, "KILL"); err != nil {
				t.Fatalf("kill: %v", err)
			}
			nt, ok := c.notes.waitSince(mark, 10*time.Second, updated(uri))
			if !ok {
				t.Fatal("no resources/updated over HTTP within 10s of the crash")
			}
			if d := nt.at.Sub(killed); d > 3*time.Second {
				t.Errorf("resources/updated came %v after the crash; want within 3s", d)
			}
		})
	}
}
