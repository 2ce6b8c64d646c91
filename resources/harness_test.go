package resources_test

import (
	"context"
	"errors"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	mcpclient "github.com/mark3labs/mcp-go/client"
	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"

	"github.com/sprites-mcp/sprites-mcp/client"
	"github.com/sprites-mcp/sprites-mcp/internal/testenv"
	"github.com/sprites-mcp/sprites-mcp/resources"
)

const sprite = "local"

// protocols are the two revisions every protocol-facing test runs under.
var protocols = testenv.Protocols

func modern(proto string) bool { return proto == mcp.ProtocolVersion20260728 }

// harness is the real thing: the embedded runtime on a unix socket in a
// short temp dir, the Services API client on it, and an MCP server built the
// way main builds it.
type harness struct {
	t   testing.TB
	api *client.Client
	res *resources.Resources
	srv *server.MCPServer
}

func newHarness(t testing.TB, tweak ...func(*resources.Deps)) *harness {
	t.Helper()
	api := startRuntime(t)
	deps := resources.Deps{
		Services:      api,
		DefaultSprite: sprite,
		MaxChars:      8000,
		Logger:        testenv.QuietLogger(t),
	}
	for _, f := range tweak {
		f(&deps)
	}
	h := &harness{t: t, api: api}
	h.res, h.srv = buildServer(deps)
	t.Cleanup(h.res.Close)
	return h
}

// buildServer builds the MCP server as main does.
func buildServer(deps resources.Deps) (*resources.Resources, *server.MCPServer) {
	res := resources.New(deps)
	srv := server.NewMCPServer("sprites-mcp-test", "0.0.0", append(res.ServerOptions(), server.WithResourceRecovery())...)
	res.Register(srv)
	return res, srv
}

// create defines and starts a service (duration 0) and waits until it runs.
func (h *harness) create(name string, req client.ServiceRequest) {
	h.t.Helper()
	ctx := testenv.Context(h.t, 20*time.Second)
	st, err := h.api.Put(ctx, sprite, name, req, 0)
	if err != nil {
		h.t.Fatalf("create %s: %v", name, err)
	}
	for st.Next() {
	}
	st.Close()
	h.waitFor(name, func(s *client.Service) bool { return s.State.Status == client.StatusRunning && s.State.PID > 0 })
}

// sleeper is a service that runs until stopped.
func sleeper() client.ServiceRequest {
	return client.ServiceRequest{Cmd: "sleep", Args: []string{"1000"}}
}

// waitFor polls the service until ok holds, or fails the test after 15 s.
func (h *harness) waitFor(name string, ok func(*client.Service) bool) *client.Service {
	h.t.Helper()
	return testenv.WaitForService(h.t, h.api, sprite, name, 15*time.Second, ok)
}

func (h *harness) delete(name string) {
	h.t.Helper()
	if err := h.api.Delete(testenv.Context(h.t, 20*time.Second), sprite, name); err != nil {
		h.t.Fatalf("delete %s: %v", name, err)
	}
}

// conn is one MCP client connection with a record of its notifications.
type conn struct {
	*mcpclient.Client
	proto string
	notes *recorder
}

// connect opens an in-process client on the harness server.
func (h *harness) connect(opts []mcpclient.ClientOption, want string) *conn {
	h.t.Helper()
	c, err := mcpclient.NewInProcessClientWithOptions(h.srv, opts...)
	if err != nil {
		h.t.Fatal(err)
	}
	return startConn(h.t, c, want)
}

func startConn(t testing.TB, c *mcpclient.Client, want string) *conn {
	t.Helper()
	rec := newRecorder()
	c.OnNotification(rec.add)
	ctx := testenv.Context(t, 20*time.Second)
	if err := c.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	_, err := c.Initialize(ctx, mcp.InitializeRequest{Params: mcp.InitializeParams{
		ClientInfo: mcp.Implementation{Name: "resources-test", Version: "0"},
	}})
	if err != nil {
		t.Fatalf("initialize: %v", err)
	}
	if got := c.ProtocolVersion(); got != want {
		t.Fatalf("negotiated protocol %q, want %q", got, want)
	}
	return &conn{Client: c, proto: want, notes: rec}
}

// subscribe subscribes c to uris the way its revision does it: on
// 2025-11-25 resources/subscribe per URI; on 2026-07-28 one
// subscriptions/listen stream (also asking for list_changed), open until
// the returned stop is called, and acknowledged before subscribe returns.
func (c *conn) subscribe(t testing.TB, uris ...string) (stop func()) {
	t.Helper()
	ctx := testenv.Context(t, 10*time.Second)
	if !modern(c.proto) {
		for _, u := range uris {
			//lint:ignore SA1019 the 2025-11-25 revision, which this branch tests, subscribes per URI
			if err := c.Subscribe(ctx, mcp.SubscribeRequest{Params: mcp.SubscribeParams{URI: u}}); err != nil {
				t.Fatalf("subscribe %s: %v", u, err)
			}
		}
		return func() {
			for _, u := range uris {
				//lint:ignore SA1019 the 2025-11-25 revision, which this branch tests, unsubscribes per URI
				if err := c.Unsubscribe(context.Background(), mcp.UnsubscribeRequest{Params: mcp.UnsubscribeParams{URI: u}}); err != nil {
					t.Errorf("unsubscribe %s: %v", u, err)
				}
			}
		}
	}
	// Subscribe on a modern connection sends nothing; Listen does.
	mark := c.notes.mark()
	stop, err := c.ListenAsync(context.Background(), mcp.SubscriptionFilter{
		ResourceSubscriptions: uris,
		ResourcesListChanged:  true,
	}, func(err error) { t.Errorf("listen: %v", err) })
	if err != nil {
		t.Fatalf("listen: %v", err)
	}
	if _, ok := c.notes.waitSince(mark, 10*time.Second, method(mcp.MethodNotificationSubscriptionsAcknowledged)); !ok {
		stop()
		t.Fatal("subscriptions/listen was not acknowledged within 10s")
	}
	return stop
}

// recorder keeps the notifications a client received, with when.
type recorder struct {
	mu      sync.Mutex
	notes   []note
	changed chan struct{} // closed and replaced on every add
}

type note struct {
	at time.Time
	n  mcp.JSONRPCNotification
}

// maxNotes bounds what a recorder keeps.
const maxNotes = 10000

func newRecorder() *recorder { return &recorder{changed: make(chan struct{})} }

func (r *recorder) add(n mcp.JSONRPCNotification) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.notes) < maxNotes {
		r.notes = append(r.notes, note{at: time.Now(), n: n})
	}
	close(r.changed)
	r.changed = make(chan struct{})
}

// mark is a position in the record: waitSince looks only after it.
func (r *recorder) mark() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.notes)
}

// waitSince waits up to d for a notification after mark that match accepts.
func (r *recorder) waitSince(mark int, d time.Duration, match func(mcp.JSONRPCNotification) bool) (note, bool) {
	return r.waitFor(d, func(i int, nt note) bool { return i >= mark && match(nt.n) })
}

// waitFrom waits up to d for a notification received at or after t0 that
// match accepts.
func (r *recorder) waitFrom(t0 time.Time, d time.Duration, match func(mcp.JSONRPCNotification) bool) (note, bool) {
	return r.waitFor(d, func(_ int, nt note) bool { return !nt.at.Before(t0) && match(nt.n) })
}

// waitFor waits up to d for a recorded notification (its index in the
// record, and itself) that ok accepts, waking on every new one.
func (r *recorder) waitFor(d time.Duration, ok func(int, note) bool) (note, bool) {
	deadline := time.NewTimer(d)
	defer deadline.Stop()
	for {
		r.mu.Lock()
		for i, nt := range r.notes {
			if ok(i, nt) {
				r.mu.Unlock()
				return nt, true
			}
		}
		ch := r.changed
		r.mu.Unlock()
		select {
		case <-ch:
		case <-deadline.C:
			return note{}, false
		}
	}
}

func method(m string) func(mcp.JSONRPCNotification) bool {
	return func(n mcp.JSONRPCNotification) bool { return n.Method == m }
}

func updated(uri string) func(mcp.JSONRPCNotification) bool {
	return func(n mcp.JSONRPCNotification) bool {
		return n.Method == mcp.MethodNotificationResourceUpdated && n.Params.AdditionalFields["uri"] == uri
	}
}

// readText reads uri and returns its only content's text and MIME type.
func readText(t testing.TB, c *conn, uri string) (string, string) {
	t.Helper()
	res, err := c.ReadResource(testenv.Context(t, 30*time.Second), mcp.ReadResourceRequest{Params: mcp.ReadResourceParams{URI: uri}})
	if err != nil {
		t.Fatalf("read %s: %v", uri, err)
	}
	if len(res.Contents) != 1 {
		t.Fatalf("read %s: %d contents, want 1", uri, len(res.Contents))
	}
	tc, ok := res.Contents[0].(mcp.TextResourceContents)
	if !ok {
		t.Fatalf("read %s: contents are %T, want text", uri, res.Contents[0])
	}
	if tc.URI != uri {
		t.Errorf("read %s: contents name URI %q", uri, tc.URI)
	}
	if strings.TrimSpace(tc.Text) == "" {
		t.Errorf("read %s: empty contents", uri)
	}
	return tc.Text, tc.MIMEType
}

// readErr reads uri, which must fail, and returns the error.
func readErr(t testing.TB, c *conn, uri string) error {
	t.Helper()
	res, err := c.ReadResource(testenv.Context(t, 30*time.Second), mcp.ReadResourceRequest{Params: mcp.ReadResourceParams{URI: uri}})
	if err == nil {
		t.Fatalf("read %s succeeded with %d contents; want an error", uri, len(res.Contents))
	}
	return err
}

// wantNotFound checks err is the not-found error of c's revision:
// -32602 on 2026-07-28, -32002 (the code 2025-11-25 specifies) before.
func wantNotFound(t testing.TB, c *conn, err error) {
	t.Helper()
	want := mcp.ErrResourceNotFound
	if modern(c.proto) {
		want = mcp.ErrInvalidParams
	}
	if !errors.Is(err, want) {
		t.Errorf("error %q: want the code of %v on %s", err, want, c.proto)
	}
}

// ourGoroutines counts the goroutines running code of the resources
// package (watchers, release callbacks), leaving out the test's own.
func ourGoroutines() int {
	buf := make([]byte, 1<<20)
	for {
		n := runtime.Stack(buf, true)
		if n < len(buf) {
			buf = buf[:n]
			break
		}
		buf = make([]byte, 2*len(buf))
	}
	count := 0
	for _, g := range strings.Split(string(buf), "\n\n") {
		if strings.Contains(g, "sprites-mcp/resources.") && !strings.Contains(g, "resources_test.") {
			count++
		}
	}
	return count
}

// waitGoroutines waits up to d for ourGoroutines to come back to want.
func waitGoroutines(t testing.TB, want int, d time.Duration) {
	t.Helper()
	deadline := time.Now().Add(d)
	for {
		got := ourGoroutines()
		if got <= want {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d goroutines of the resources package still run after %v; want %d", got, d, want)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// startRuntime starts the embedded runtime (internal/testenv) and returns
// a client on it.
func startRuntime(t testing.TB) *client.Client { return testenv.StartRuntime(t, "rs").Client }

// pollTimes records when the watcher starts each poll. Start times, not
// finish times: a poll's duration varies (more under -race), so polls that
// finish a period apart can start closer.
type pollTimes struct {
	mu sync.Mutex
	at []time.Time
}

func (h *harness) recordPolls() *pollTimes {
	p := &pollTimes{}
	h.res.OnPollStarted(func(_ string, started time.Time) {
		p.mu.Lock()
		p.at = append(p.at, started)
		p.mu.Unlock()
	})
	return p
}

func (p *pollTimes) count() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.at)
}

// checkOnePerPeriod fails the test for any two polls that started less
// than a period (1 s, less a little jitter) apart; what says why they
// should not have.
func (p *pollTimes) checkOnePerPeriod(t *testing.T, what string) {
	t.Helper()
	p.mu.Lock()
	defer p.mu.Unlock()
	for i := 1; i < len(p.at); i++ {
		if gap := p.at[i].Sub(p.at[i-1]); gap < 950*time.Millisecond {
			t.Errorf("polls %d and %d came %v apart %s; want at least a period", i-1, i, gap, what)
		}
	}
}
