package client

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

func TestReadsRetryTransientStatuses(t *testing.T) {
	for _, code := range []int{502, 503, 504} {
		t.Run(fmt.Sprint(code), func(t *testing.T) {
			f := newFakeAPI(t, PathSprites)
			f.on("get", sequence(reply(code, "text/plain", "waking"), reply(code, "", ""),
				fixture(t, 200, "application/json", "get_minimal.json")))
			s, err := f.client().Get(context.Background(), "dev", "web")
			if err != nil || s.Name != "web" {
				t.Fatalf("get = %v, %v; want success on the third try", s, err)
			}
			if n := len(f.requests()); n != 3 {
				t.Errorf("%d requests; want 3", n)
			}
		})
	}
}

func TestReadsStopAfterThreeTries(t *testing.T) {
	f := newFakeAPI(t, PathSprites)
	f.on("list", reply(503, "text/plain", "no healthy upstream"))
	_, err := f.client().List(context.Background(), "dev")
	if !errors.Is(err, ErrServer) || !strings.Contains(err.Error(), "no healthy upstream") {
		t.Errorf("err = %v; want the last 503", err)
	}
	if n := len(f.requests()); n != 3 {
		t.Errorf("%d requests; want exactly 3", n)
	}
	// Other failures are not retried at all.
	f.on("list", reply(500, "", ""))
	n := len(f.requests())
	f.client().List(context.Background(), "dev")
	if d := len(f.requests()) - n; d != 1 {
		t.Errorf("a 500 was tried %d times; want 1", d)
	}
}

func TestEveryReadRetries(t *testing.T) {
	f := newFakeAPI(t, PathSprites)
	for _, route := range []string{"list", "get", "logs", "sprites"} {
		f.on(route, sequence(reply(503, "", ""), f.routes[route]))
	}
	c := f.client()
	ctx := context.Background()
	if _, err := c.List(ctx, "dev"); err != nil {
		t.Error(err)
	}
	if _, err := c.Get(ctx, "dev", "web"); err != nil {
		t.Error(err)
	}
	st, err := c.Logs(ctx, "dev", "web", LogsOptions{Lines: 5})
	if err != nil {
		t.Error(err)
	} else {
		st.Close()
	}
	if _, err := c.ListSprites(ctx, ListSpritesOptions{}); err != nil {
		t.Error(err)
	}
	if n := len(f.requests()); n != 8 {
		t.Errorf("%d requests; want 2 for each of the 4 reads", n)
	}
}

func TestRetryHonoursRetryAfter(t *testing.T) {
	f := newFakeAPI(t, PathSprites)
	f.on("list", sequence(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", "1")
		fixture(t, 429, "application/json", "error_429.json")(w, r)
	}, fixture(t, 200, "application/json", "list_array.json")))
	start := time.Now()
	svcs, err := f.client().List(context.Background(), "dev")
	elapsed := time.Since(start)
	if err != nil || len(svcs) != 2 {
		t.Fatalf("list = %d services, %v", len(svcs), err)
	}
	// The backoff alone would be ~5ms: waiting a second shows Retry-After won.
	if elapsed < 900*time.Millisecond || elapsed > 8*time.Second {
		t.Errorf("retried after %v; want about the 1s of Retry-After", elapsed)
	}
}

// A Retry-After longer than the context allows fails at once, instead of
// sleeping into a certain deadline.
func TestRetryWithinTheContext(t *testing.T) {
	f := newFakeAPI(t, PathSprites)
	f.on("get", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", "5")
		w.WriteHeader(429)
	})
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	start := time.Now()
	_, err := f.client().Get(ctx, "dev", "web")
	if !IsRateLimited(err) || !strings.Contains(err.Error(), "not retried") {
		t.Errorf("err = %v; want the 429, not retried", err)
	}
	if d := time.Since(start); d > time.Second {
		t.Errorf("took %v; want an immediate answer", d)
	}
	if n := len(f.requests()); n != 1 {
		t.Errorf("%d requests; want 1", n)
	}
}

func TestCancelStopsRetrying(t *testing.T) {
	f := newFakeAPI(t, PathSprites)
	arrived := make(chan struct{}, 10)
	f.on("get", func(w http.ResponseWriter, r *http.Request) {
		arrived <- struct{}{}
		w.WriteHeader(503)
	})
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		<-arrived
		time.Sleep(50 * time.Millisecond) // let the client start its backoff
		cancel()
	}()
	start := time.Now()
	// A 10s backoff: only the cancel can end this quickly.
	_, err := f.client(WithRetry(3, 10*time.Second)).Get(ctx, "dev", "web")
	if !errors.Is(err, context.Canceled) || !errors.Is(err, ErrServer) {
		t.Errorf("err = %v; want the 503, stopped by the cancel", err)
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Errorf("took %v after cancel; want at once", d)
	}
	if n := len(f.requests()); n != 1 {
		t.Errorf("%d requests; want 1", n)
	}
	// Already cancelled: nothing is sent.
	n := len(f.requests())
	if _, err := f.client().Get(ctx, "dev", "web"); !errors.Is(err, context.Canceled) || len(f.requests()) != n {
		t.Errorf("cancelled call: %v, %d requests", err, len(f.requests())-n)
	}
}

func TestWritesAreNeverRetried(t *testing.T) {
	f := newFakeAPI(t, PathSprites)
	for _, route := range []string{"put", "delete", "start", "stop", "restart", "signal"} {
		f.on(route, reply(503, "text/plain", "busy"))
	}
	f.on("logs", reply(503, "", "")) // logs that follow are not idempotent reads
	c := f.client()
	ctx := context.Background()
	calls := map[string]func() error{
		"put":     func() error { _, err := c.Put(ctx, "dev", "web", ServiceRequest{Cmd: "x"}, 0); return err },
		"delete":  func() error { return c.Delete(ctx, "dev", "web") },
		"start":   func() error { _, err := c.Start(ctx, "dev", "web", 0); return err },
		"stop":    func() error { _, err := c.Stop(ctx, "dev", "web", 0); return err },
		"restart": func() error { _, err := c.Restart(ctx, "dev", "web", 0); return err },
		"signal":  func() error { return c.Signal(ctx, "dev", "web", "TERM") },
		"follow": func() error {
			_, err := c.Logs(ctx, "dev", "web", LogsOptions{Follow: time.Second})
			return err
		},
	}
	for name, call := range calls {
		n := len(f.requests())
		if err := call(); !errors.Is(err, ErrServer) {
			t.Errorf("%s: err = %v; want the 503", name, err)
		}
		if d := len(f.requests()) - n; d != 1 {
			t.Errorf("%s was sent %d times; a write must be sent once", name, d)
		}
	}
}

// rawServer is a TCP server on 127.0.0.1 that treats each connection by
// its number: the first few are reset (RST) or closed unanswered after the
// request is read, later ones get a fixed HTTP answer.
type rawServer struct {
	ln       net.Listener
	accepted atomic.Int32
	wg       sync.WaitGroup
}

func newRawServer(t *testing.T, fail int, reset bool, answer string) *rawServer {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &rawServer{ln: ln}
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			n := s.accepted.Add(1)
			s.wg.Add(1)
			go func() {
				defer s.wg.Done()
				defer conn.Close()
				conn.SetDeadline(time.Now().Add(10 * time.Second))
				br := bufio.NewReader(conn)
				if _, err := http.ReadRequest(br); err != nil {
					return
				}
				if int(n) <= fail {
					if reset {
						conn.(*net.TCPConn).SetLinger(0) // close sends RST
					}
					return
				}
				fmt.Fprintf(conn, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\nConnection: close\r\n\r\n%s", len(answer), answer)
			}()
		}
	}()
	t.Cleanup(func() { ln.Close(); s.wg.Wait() })
	return s
}

func (s *rawServer) url() string { return "http://" + s.ln.Addr().String() }

func TestReadsRetryResetAndClosedConnections(t *testing.T) {
	answer := string(readFixture(t, "get_minimal.json"))
	for _, reset := range []bool{true, false} {
		t.Run(map[bool]string{true: "reset", false: "closed"}[reset], func(t *testing.T) {
			s := newRawServer(t, 2, reset, answer)
			c, _ := New(s.url(), WithRetry(3, 5*time.Millisecond))
			svc, err := c.Get(context.Background(), "dev", "web")
			if err != nil || svc.Name != "web" {
				t.Fatalf("get = %v, %v; want success on the third connection", svc, err)
			}
			if n := s.accepted.Load(); n != 3 {
				t.Errorf("%d connections; want 3", n)
			}
		})
	}
	// Always reset: three tries, then the error says what happened.
	s := newRawServer(t, 100, true, "")
	c, _ := New(s.url(), WithRetry(3, 5*time.Millisecond))
	_, err := c.Get(context.Background(), "dev", "web")
	if !errors.Is(err, syscall.ECONNRESET) || !strings.HasPrefix(err.Error(), "get service: ") {
		t.Errorf("err = %v; want a connection reset, named by operation", err)
	}
	if n := s.accepted.Load(); n != 3 {
		t.Errorf("%d connections; want 3", n)
	}
	// A write that meets a reset is not sent again.
	w := newRawServer(t, 100, true, "")
	wc, _ := New(w.url(), WithRetry(3, 5*time.Millisecond))
	if _, err := wc.Start(context.Background(), "dev", "web", 0); err == nil {
		t.Error("start over a reset connection succeeded")
	}
	if n := w.accepted.Load(); n != 1 {
		t.Errorf("start was sent on %d connections; want 1", n)
	}
}

// countingLog counts the client's "retrying" debug records.
type countingLog struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *countingLog) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *countingLog) retries() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return strings.Count(l.buf.String(), "msg=retrying")
}

func TestReadsRetryRefusedConnections(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close() // nothing listens there now: connections are refused
	var log countingLog
	c, _ := New("http://"+addr, WithRetry(3, 5*time.Millisecond),
		WithLogger(slog.New(slog.NewTextHandler(&log, &slog.HandlerOptions{Level: slog.LevelDebug}))))
	_, err = c.List(context.Background(), "dev")
	if !errors.Is(err, syscall.ECONNREFUSED) {
		t.Errorf("err = %v; want connection refused", err)
	}
	if n := log.retries(); n != 2 {
		t.Errorf("%d retries; want 2 (3 tries)", n)
	}
	// The socket path refused the same way (no such socket file is ENOENT,
	// a stale one is refused); a write is never retried.
	log.buf.Reset()
	if err := c.Delete(context.Background(), "dev", "web"); err == nil || log.retries() != 0 {
		t.Errorf("delete: %v after %d retries; want an error and none", err, log.retries())
	}
}

func TestBackoffIsJitteredAndBounded(t *testing.T) {
	p := retryPolicy{tries: 3, base: 100 * time.Millisecond, max: time.Second}
	plain := errors.New("reset")
	for range 200 {
		if d := p.delay(1, plain); d < 50*time.Millisecond || d > 100*time.Millisecond {
			t.Fatalf("first backoff %v; want 50–100ms", d)
		}
		if d := p.delay(2, plain); d < 100*time.Millisecond || d > 200*time.Millisecond {
			t.Fatalf("second backoff %v; want 100–200ms", d)
		}
		if d := p.delay(8, plain); d > time.Second {
			t.Fatalf("backoff %v exceeds the 1s cap", d)
		}
	}
	if d := p.delay(1, &APIError{StatusCode: 429, RetryAfter: time.Hour}); d != time.Second {
		t.Errorf("an hour of Retry-After waits %v; want the 1s cap", d)
	}
}
