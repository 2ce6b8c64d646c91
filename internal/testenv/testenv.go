// Package testenv is for tests only: it starts the embedded runtime in a
// short temporary directory with a client on it, and gives a test a logger
// whose output is shown only when the test fails. Tests of tools,
// resources and prompts run against the real runtime through it, so they
// share one way of starting and stopping it.
package testenv

import (
	"bytes"
	"context"
	"log/slog"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	mcpclient "github.com/mark3labs/mcp-go/client"
	"github.com/mark3labs/mcp-go/mcp"

	"github.com/sprites-mcp/sprites-mcp/client"
	"github.com/sprites-mcp/sprites-mcp/supervisor"
)

// Runtime is an embedded runtime started for one test.
type Runtime struct {
	Client *client.Client // on the runtime's socket, sprite paths
	Socket string         // the unix socket's path
	Dir    string         // the state directory
}

// StartRuntime starts the embedded runtime in a new temporary directory
// named with prefix (kept short: unix socket paths are limited). At the
// end of the test the runtime stops its services, which must take no
// longer than 30 s, and the directory is removed.
func StartRuntime(t testing.TB, prefix string) Runtime {
	t.Helper()
	dir, err := os.MkdirTemp("", prefix)
	if err != nil {
		t.Fatal(err)
	}
	log := QuietLogger(t)
	ctx, cancel := context.WithCancel(context.Background())
	e, err := supervisor.Embed(ctx, supervisor.Config{StateDir: dir, Logger: log})
	if err != nil {
		cancel()
		os.RemoveAll(dir)
		t.Fatalf("start the embedded runtime: %v", err)
	}
	t.Cleanup(func() {
		sctx, scancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer scancel()
		if err := e.Close(sctx); err != nil {
			t.Errorf("close the embedded runtime: %v", err)
		}
		cancel()
		os.RemoveAll(dir)
	})
	c, err := client.New("unix://"+e.SocketPath(), client.WithPathStyle(client.PathSprites), client.WithLogger(log))
	if err != nil {
		t.Fatal(err)
	}
	return Runtime{Client: c, Socket: e.SocketPath(), Dir: dir}
}

// Context is a context that ends after d or with the test.
func Context(t testing.TB, d time.Duration) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	t.Cleanup(cancel)
	return ctx
}

// maxLog bounds a test's collected log.
const maxLog = 1 << 20

// QuietLogger collects a test's log at debug level (at most 1 MiB) and
// shows it only when the test fails. Writes after the test are kept in the
// buffer, never sent to a finished test.
func QuietLogger(t testing.TB) *slog.Logger {
	w := &logBuffer{}
	t.Cleanup(func() {
		if t.Failed() {
			w.mu.Lock()
			t.Log("log:\n" + w.b.String())
			w.mu.Unlock()
		}
	})
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

type logBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (w *logBuffer) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.b.Len()+len(p) <= maxLog {
		w.b.Write(p)
	}
	return len(p), nil
}

// Protocol is a protocol revision a test runs under, with the client
// options that pin it.
type Protocol struct {
	Name string
	Opts []mcpclient.ClientOption
}

// Protocols are the two revisions every protocol-facing test runs under:
// the one desktop clients in the field still use, and the newest, which a
// default mcp-go client negotiates.
var Protocols = []Protocol{
	{mcp.ProtocolVersion20251125, []mcpclient.ClientOption{mcpclient.WithProtocolVersion(mcp.ProtocolVersion20251125)}},
	{mcp.ProtocolVersion20260728, nil},
}

// SyncBuffer collects a server's log lines from many goroutines.
type SyncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *SyncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *SyncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// WaitForService polls a service of sprite through c until ok holds, and
// fails the test with the last state seen after within.
func WaitForService(t testing.TB, c *client.Client, sprite, name string, within time.Duration, ok func(*client.Service) bool) *client.Service {
	t.Helper()
	deadline := time.Now().Add(within)
	for {
		s, err := c.Get(Context(t, 5*time.Second), sprite, name)
		if err == nil && ok(s) {
			return s
		}
		if time.Now().After(deadline) {
			t.Fatalf("service %s did not reach the expected state within %v: last %+v, err %v", name, within, s, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
