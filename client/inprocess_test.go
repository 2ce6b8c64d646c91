package client

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// inProcessClient is an http.Client whose requests h serves in process.
func inProcessClient(h http.Handler) *http.Client {
	return &http.Client{Transport: InProcess(func() http.Handler { return h }, nil)}
}

// waitFor fails the test unless ch closes within a generous deadline.
func waitFor(t *testing.T, ch <-chan struct{}, what string) {
	t.Helper()
	select {
	case <-ch:
	case <-time.After(20 * time.Second):
		t.Fatalf("%s: not within 20s", what)
	}
}

// TestInProcessClient: the API client works unchanged over the in-process
// transport, for a JSON answer and for a streamed one, against the same
// fixtures the socket and HTTP tests use.
func TestInProcessClient(t *testing.T) {
	f := newFakeAPI(t, PathSprites)
	c, err := New("http://in-process", WithPathStyle(PathSprites), WithRetry(3, 5*time.Millisecond),
		WithHTTPClient(inProcessClient(http.HandlerFunc(f.serve))))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	s, err := c.Get(ctx, "dev", "web")
	if err != nil {
		t.Fatal(err)
	}
	if s.Name != "web" || s.State.PID != 1234 {
		t.Errorf("get = %+v", s)
	}
	if r := f.last(); r.Method != http.MethodGet || r.RawPath != f.wantPath("/web") {
		t.Errorf("request = %+v", r)
	}
	st, err := c.Logs(ctx, "dev", "web", LogsOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	n := 0
	for st.Next() {
		n++
	}
	if st.Err() != nil || n == 0 {
		t.Errorf("logs: %d events, err %v", n, st.Err())
	}
	// An API error keeps its status and body.
	f.on("get", func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, `{"error":"service not found"}`, http.StatusNotFound)
	})
	if _, err := c.Get(ctx, "dev", "gone"); !IsNotFound(err) {
		t.Errorf("get of a missing service: %v", err)
	}
}

// TestInProcessWholeResponse: an answer that is not flushed arrives whole
// with its status, headers and length; the handler got the request's
// method, path, query and body, and its context ended when it returned.
func TestInProcessWholeResponse(t *testing.T) {
	var handlerCtx context.Context
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		handlerCtx = r.Context()
		body, _ := io.ReadAll(r.Body)
		w.Header().Set("X-Seen", r.Method+" "+r.URL.Path+"?"+r.URL.RawQuery+" "+string(body)+" "+r.RequestURI)
		w.WriteHeader(http.StatusCreated)
		io.WriteString(w, "made")
	})
	resp, err := inProcessClient(h).Post("http://x/a%2Fb/c?q=1", "text/plain", strings.NewReader("payload"))
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 201 || resp.Status != "201 Created" || string(body) != "made" || resp.ContentLength != 4 {
		t.Errorf("got %s %q length %d", resp.Status, body, resp.ContentLength)
	}
	if got, want := resp.Header.Get("X-Seen"), "POST /a/b/c?q=1 payload /a%2Fb/c?q=1"; got != want {
		t.Errorf("the handler saw %q, want %q", got, want)
	}
	if handlerCtx.Err() == nil {
		t.Error("the handler's context is still live after it returned")
	}
}

// TestInProcessLargeBodyStreams: an unflushed answer larger than what is
// held arrives complete, streamed rather than held whole.
func TestInProcessLargeBodyStreams(t *testing.T) {
	line := strings.Repeat("x", 999) + "\n"
	const lines = 300 // 300 KB, well over maxHeldBody
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		for range lines {
			io.WriteString(w, line)
		}
	})
	resp, err := inProcessClient(h).Get("http://x/big")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil || string(body) != strings.Repeat(line, lines) || resp.ContentLength != -1 {
		t.Errorf("read %d bytes (err %v, length %d), want %d", len(body), err, resp.ContentLength, lines*len(line))
	}
}

// TestInProcessStreaming: a flushed event reaches the caller while the
// handler is still running, and the handler's later writes follow.
func TestInProcessStreaming(t *testing.T) {
	second := make(chan struct{})
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/x-ndjson")
		io.WriteString(w, "one\n")
		if err := http.NewResponseController(w).Flush(); err != nil {
			t.Errorf("flush: %v", err)
		}
		select {
		case <-second: // the caller has read "one"
		case <-time.After(20 * time.Second):
			t.Error("the first event did not reach the caller while the handler ran")
		}
		io.WriteString(w, "two\n")
	})
	resp, err := inProcessClient(h).Get("http://x/stream")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.Header.Get("Content-Type") != "application/x-ndjson" {
		t.Errorf("headers %v", resp.Header)
	}
	buf := make([]byte, 4)
	if _, err := io.ReadFull(resp.Body, buf); err != nil || string(buf) != "one\n" {
		t.Fatalf("first event %q, %v", buf, err)
	}
	close(second)
	rest, err := io.ReadAll(resp.Body)
	if err != nil || string(rest) != "two\n" {
		t.Errorf("rest %q, %v", rest, err)
	}
}

// TestInProcessCallerCloses: when the caller closes a stream's body, the
// handler's context ends and its writes fail, as on a broken connection.
func TestInProcessCallerCloses(t *testing.T) {
	ended := make(chan struct{})
	var writeErr atomic.Value
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer close(ended)
		rc := http.NewResponseController(w)
		rc.Flush()
		<-r.Context().Done()
		for range 2 * streamChunks { // more than the queue holds
			if _, err := io.WriteString(w, "late\n"); err != nil {
				writeErr.Store(err)
				return
			}
		}
	})
	resp, err := inProcessClient(h).Get("http://x/stream")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	waitFor(t, ended, "the handler's end after the caller closed the body")
	if err, _ := writeErr.Load().(error); !errors.Is(err, errBodyClosed) {
		t.Errorf("write after close: %v, want errBodyClosed", err)
	}
}

// TestInProcessCloseDuringRead: like a net/http body, the body may be
// closed by another goroutine while a read waits (a log follow ended by
// its caller); the read then ends, with no data race (go test -race).
func TestInProcessCloseDuringRead(t *testing.T) {
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "first\n")
		http.NewResponseController(w).Flush()
		<-r.Context().Done()
	})
	resp, err := inProcessClient(h).Get("http://x/follow")
	if err != nil {
		t.Fatal(err)
	}
	read := make(chan error, 1)
	go func() {
		buf := make([]byte, 64)
		for {
			if _, err := resp.Body.Read(buf); err != nil {
				read <- err
				return
			}
		}
	}()
	time.Sleep(20 * time.Millisecond) // let the reader take "first" and wait
	resp.Body.Close()
	select {
	case err := <-read:
		if err == nil {
			t.Error("a read after close succeeded")
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the read did not end after the body was closed")
	}
	if _, err := resp.Body.Read(make([]byte, 8)); err == nil {
		t.Error("a read after close succeeded")
	}
}

// TestInProcessCallerGivesUp: a caller whose context ends before the
// answer gets its context's error, and the handler's context ends too.
func TestInProcessCallerGivesUp(t *testing.T) {
	started, ended := make(chan struct{}), make(chan struct{})
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		close(started)
		<-r.Context().Done()
		close(ended)
	})
	ctx, cancel := context.WithCancel(context.Background())
	go func() { <-started; cancel() }()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, "http://x/slow", nil)
	if _, err := inProcessClient(h).Do(req); !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v, want context.Canceled", err)
	}
	waitFor(t, ended, "the handler's end after the caller gave up")
}

// TestInProcessWriteDeadline: a caller that neither reads nor closes
// cannot hold a handler past its write deadline.
func TestInProcessWriteDeadline(t *testing.T) {
	result := make(chan error, 1)
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rc := http.NewResponseController(w)
		rc.Flush()
		rc.SetWriteDeadline(time.Now().Add(200 * time.Millisecond))
		for {
			if _, err := io.WriteString(w, "event\n"); err != nil {
				result <- err
				return
			}
		}
	})
	resp, err := inProcessClient(h).Get("http://x/stream")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	select {
	case err := <-result:
		if !errors.Is(err, errWriteTimeout) {
			t.Errorf("write error %v, want errWriteTimeout", err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("the handler is still writing 20s after its deadline")
	}
}

// TestInProcessPanic: a handler's panic is the caller's error, before the
// answer (from RoundTrip) or during a stream (from the body).
func TestInProcessPanic(t *testing.T) {
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/late" {
			io.WriteString(w, "begun\n")
			http.NewResponseController(w).Flush()
		}
		panic("boom")
	})
	c := inProcessClient(h)
	if _, err := c.Get("http://x/early"); err == nil || !strings.Contains(err.Error(), "panicked: boom") {
		t.Errorf("early panic: %v", err)
	}
	resp, err := c.Get("http://x/late")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if string(body) != "begun\n" || err == nil || !strings.Contains(err.Error(), "panicked: boom") {
		t.Errorf("late panic: read %q, err %v", body, err)
	}
}

// TestInProcessFallback: while handler returns nil, requests go to the
// fallback transport; once it returns a handler, they stay in process.
func TestInProcessFallback(t *testing.T) {
	remote := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "remote")
	}))
	defer remote.Close()
	var local atomic.Pointer[http.Handler]
	c := &http.Client{Transport: InProcess(func() http.Handler {
		if h := local.Load(); h != nil {
			return *h
		}
		return nil
	}, http.DefaultTransport)}
	defer c.CloseIdleConnections()
	get := func() string {
		t.Helper()
		resp, err := c.Get(remote.URL)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return string(b)
	}
	if got := get(); got != "remote" {
		t.Errorf("without a handler: %q", got)
	}
	// Without a handler and without a fallback, a clear error.
	none := &http.Client{Transport: InProcess(func() http.Handler { return nil }, nil)}
	if _, err := none.Get(remote.URL); err == nil || !strings.Contains(err.Error(), "no fallback") {
		t.Errorf("no handler, no fallback: %v", err)
	}
	var h http.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "local") })
	local.Store(&h)
	if got := get(); got != "local" {
		t.Errorf("with a handler: %q", got)
	}
}

// atOnceGet sends a GET marked as answered at once, as the client's reads
// are, through the in-process transport of h.
func atOnceGet(ctx context.Context, h http.Handler, url string) (*http.Response, error) {
	req, err := http.NewRequestWithContext(withAnswerAtOnce(ctx), http.MethodGet, url, nil)
	if err != nil {
		return nil, err
	}
	return inProcessClient(h).Do(req)
}

// TestInProcessAtOnce: a request answered at once runs its handler on the
// caller's goroutine, with the caller's own context, and gets the whole
// answer with its status, headers and length, flushes and all.
func TestInProcessAtOnce(t *testing.T) {
	type key struct{}
	ctx := context.WithValue(context.Background(), key{}, "caller")
	var handlerCtx context.Context
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		handlerCtx = r.Context()
		w.Header().Set("X-Seen", r.Method+" "+r.RequestURI+" "+r.RemoteAddr)
		w.WriteHeader(http.StatusAccepted)
		io.WriteString(w, "one ")
		if err := http.NewResponseController(w).Flush(); err != nil {
			t.Errorf("flush: %v", err)
		}
		if err := http.NewResponseController(w).SetWriteDeadline(time.Now().Add(time.Second)); err != nil {
			t.Errorf("write deadline: %v", err)
		}
		io.WriteString(w, "two")
	})
	resp, err := atOnceGet(ctx, h, "http://x/a%2Fb?q=1")
	if err != nil {
		t.Fatal(err)
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil || resp.StatusCode != 202 || resp.Status != "202 Accepted" || string(body) != "one two" || resp.ContentLength != 7 {
		t.Errorf("got %s %q length %d, err %v", resp.Status, body, resp.ContentLength, err)
	}
	if got, want := resp.Header.Get("X-Seen"), "GET /a%2Fb?q=1 in-process"; got != want {
		t.Errorf("the handler saw %q, want %q", got, want)
	}
	// The caller's context, not one derived for a goroutine of the
	// handler's (which ends when the handler returns).
	if handlerCtx.Value(key{}) != "caller" || handlerCtx.Err() != nil {
		t.Errorf("the handler's context: %v, err %v; want the caller's, live", handlerCtx.Value(key{}), handlerCtx.Err())
	}
	if _, err := resp.Body.Read(make([]byte, 1)); !errors.Is(err, errBodyClosed) {
		t.Errorf("read after close: %v", err)
	}
}

// TestInProcessAtOnceCancel: cancelling the caller ends the handler's
// context while it runs.
func TestInProcessAtOnceCancel(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	started := make(chan struct{})
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		close(started)
		select {
		case <-r.Context().Done():
			w.WriteHeader(http.StatusServiceUnavailable)
		case <-time.After(20 * time.Second):
			t.Error("the handler's context did not end within 20s of the caller's cancel")
		}
	})
	go func() {
		<-started
		cancel()
	}()
	defer func() {
		// A caller that gave up before sending does not reach the handler.
		if _, err := atOnceGet(ctx, http.HandlerFunc(func(http.ResponseWriter, *http.Request) {
			t.Error("the handler ran for a cancelled caller")
		}), "http://x/late"); !errors.Is(err, context.Canceled) {
			t.Errorf("a cancelled caller: %v", err)
		}
	}()
	resp, err := atOnceGet(ctx, h, "http://x/wait")
	if err == nil {
		resp.Body.Close()
		if resp.StatusCode != http.StatusServiceUnavailable {
			t.Errorf("status %d", resp.StatusCode)
		}
	} else if !errors.Is(err, context.Canceled) {
		t.Errorf("err %v, want the caller's cancellation", err)
	}
}

// TestInProcessAtOnceBounds: an answer past maxAnswerBody fails the
// handler's write, and a panic is the caller's error.
func TestInProcessAtOnceBounds(t *testing.T) {
	chunk := make([]byte, 1<<20)
	var writeErr error
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/panic" {
			panic("boom")
		}
		for range maxAnswerBody/len(chunk) + 1 {
			if _, writeErr = w.Write(chunk); writeErr != nil {
				return
			}
		}
	})
	resp, err := atOnceGet(context.Background(), h, "http://x/big")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if !errors.Is(writeErr, errAnswerTooLarge) || resp.ContentLength != maxAnswerBody {
		t.Errorf("write past the bound: %v, length %d", writeErr, resp.ContentLength)
	}
	if _, err := atOnceGet(context.Background(), h, "http://x/panic"); err == nil || !strings.Contains(err.Error(), "panicked: boom") {
		t.Errorf("panic: %v", err)
	}
}
