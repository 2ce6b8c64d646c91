//go:build linux

package supervisor

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/sprites-mcp/sprites-mcp/client"
)

// TestHandlerFollowsOwnership: Embedded.Handler is the runtime's API while
// this process owns the directory and nil while it is attached or once it
// has closed, so a client built as the MCP server builds its own
// (client.InProcess with the socket as fallback) reaches the services
// through the socket while attached and in process after a takeover.
func TestHandlerFollowsOwnership(t *testing.T) {
	dir := tempStateDir(t)
	mark := newMark()
	t.Cleanup(func() { assertNoProcesses(t, mark) })
	ctx := context.Background()
	cfg := Config{StateDir: dir, Logger: quietLogger()}
	first, err := Embed(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer first.Close(ctx)
	second, err := Embed(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer second.Close(ctx)
	if first.Handler() == nil || second.Handler() != nil {
		t.Fatalf("handlers: owner %v, attached %v; want the owner's only", first.Handler() != nil, second.Handler() != nil)
	}

	hc := &http.Client{Transport: client.InProcess(second.Handler, client.SocketTransport(second.SocketPath()))}
	c, err := client.New("http://embedded", client.WithPathStyle(client.PathSprites), client.WithHTTPClient(hc))
	if err != nil {
		t.Fatal(err)
	}
	req := client.ServiceRequest{Cmd: "sleep", Args: []string{"3600"}, Env: map[string]string{markEnv: mark}}
	st, err := c.Put(ctx, "local", "shared", req, 0)
	events(t, st, err) // attached: over the socket
	var s *client.Service
	waitFor(t, "shared to run (duration 0 answers before the exec)", 15*time.Second, func() bool {
		s, err = c.Get(ctx, "local", "shared")
		return err == nil && s.State.Status == client.StatusRunning
	})
	oldPID := s.State.PID

	if err := first.Close(ctx); err != nil {
		t.Fatal(err)
	}
	if first.Handler() != nil {
		t.Error("a closed runtime still offers its handler")
	}
	waitFor(t, "the takeover", 15*time.Second, func() bool { return second.Handler() != nil })
	// Owner now: the same client reaches the services in process, and
	// streams (a start watched for a moment) work there too.
	waitFor(t, "the service to come back", 15*time.Second, func() bool {
		s, err := c.Get(ctx, "local", "shared")
		return err == nil && s.State.Status == client.StatusRunning && s.State.PID != oldPID
	})
	st, err = c.Restart(ctx, "local", "shared", 200*time.Millisecond)
	events(t, st, err)
	if err := second.Close(ctx); err != nil {
		t.Fatal(err)
	}
	if second.Handler() != nil {
		t.Error("the second runtime offers its handler after closing")
	}
}
