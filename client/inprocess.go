package client

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// InProcess returns a transport that serves each request by calling, in
// this process, the handler that handler returns; when it returns nil, the
// request goes to fallback. The embedded runtime uses it: while this
// process owns the runtime, the client's calls skip the unix socket (no
// HTTP encoding, no syscalls, no connection pool) yet take the very same
// code path through Client; while another process owns it, they go over
// the socket as before.
//
// The handler sees what a server would give it: a request value of its
// own (sharing the caller's headers, which a handler reads and does not
// change) whose context ends when the caller's does, when the caller
// closes the response body, or when the handler returns; a response writer
// that supports Flush and SetWriteDeadline (through
// http.ResponseController), so
// streamed events reach the caller as they are flushed and a caller that
// stops reading cannot hold the handler past its write deadline. A
// response that is not flushed is handed over whole when the handler
// returns, or streamed once it passes maxHeldBody. A handler's panic
// becomes the caller's error.
//
// A request the client marks as answered at once (withAnswerAtOnce: a read
// of state such as a get or a list, whose answer it reads whole) runs on
// the caller's goroutine instead, into a buffer that is handed over when
// the handler returns: no goroutine, no hand-over, no pipe. Its handler
// gets the caller's context, so cancelling the caller ends it as before,
// but the caller waits for it to return: hence only reads that answer at
// once are marked. Flush is a no-op, and the body is bounded by
// maxAnswerBody, the most the client reads of a whole answer.
func InProcess(handler func() http.Handler, fallback http.RoundTripper) http.RoundTripper {
	return &inProcess{handler: handler, fallback: fallback}
}

// SocketTransport is the transport of a unix:// client: it dials the
// socket at path, whatever host a request's URL names.
func SocketTransport(path string) http.RoundTripper { return unixTransport(path) }

type inProcess struct {
	handler  func() http.Handler
	fallback http.RoundTripper
}

// maxHeldBody is how much of an unflushed response is held before it is
// handed to the caller as a stream: a bound on the memory one response
// takes, as a server's write buffer is.
const maxHeldBody = 64 << 10

// streamChunks is how many written chunks of a streamed response may wait
// for the caller to read them before a write blocks.
const streamChunks = 16

// errBodyClosed is what a handler's write returns once the caller has
// closed the response body: the in-process form of a broken connection.
var errBodyClosed = errors.New("in-process response body closed by the caller")

func (t *inProcess) RoundTrip(req *http.Request) (*http.Response, error) {
	h := t.handler()
	if h == nil {
		if t.fallback == nil {
			if req.Body != nil {
				req.Body.Close() // a RoundTripper closes the body, even on errors
			}
			return nil, errors.New("in-process transport: no handler now, and no fallback")
		}
		return t.fallback.RoundTrip(req)
	}
	if answersAtOnce(req.Context()) {
		return serveAtOnce(h, req)
	}
	ctx, cancel := context.WithCancel(req.Context())
	sreq := serverRequest(req, ctx)
	w := &responseWriter{header: http.Header{}, ready: make(chan struct{}), cancel: cancel}
	go w.serve(h, sreq)

	select {
	case <-w.ready:
	case <-req.Context().Done():
	}
	// A caller that gave up gets its context's error, even when the
	// handler, seeing the same end, answered in the same instant (select
	// picks either then). The handler sees its context end too; whatever
	// it still answers is released unread.
	if req.Context().Err() != nil {
		go func() {
			<-w.ready
			if w.err == nil {
				w.body().Close()
			}
		}()
		return nil, context.Cause(req.Context())
	}
	if w.err != nil {
		return nil, w.err
	}
	return response(req, w.status, w.sent, w.body(), w.length()), nil
}

// serverRequest is what the handler of req gets: a shallow copy with ctx
// and the fields a server sets. The handler reads the caller's headers
// and URL but, as handlers do, does not change them, and the caller does
// not touch them once the request is sent.
func serverRequest(req *http.Request, ctx context.Context) *http.Request {
	sreq := req.WithContext(ctx)
	sreq.RequestURI = req.URL.RequestURI()
	sreq.RemoteAddr = "in-process"
	if sreq.Host == "" {
		sreq.Host = req.URL.Host
	}
	if sreq.Body == nil {
		sreq.Body = http.NoBody
	}
	return sreq
}

// response is the caller's view of a handler's answer.
func response(req *http.Request, status int, header http.Header, body io.ReadCloser, length int64) *http.Response {
	text := "200 OK"
	if status != http.StatusOK {
		text = strconv.Itoa(status) + " " + http.StatusText(status)
	}
	return &http.Response{
		Status:        text,
		StatusCode:    status,
		Proto:         "HTTP/1.1",
		ProtoMajor:    1,
		ProtoMinor:    1,
		Header:        header,
		Body:          body,
		ContentLength: length,
		Request:       req,
	}
}

// answerAtOnceKey marks a request context as answered at once.
type answerAtOnceKey struct{}

// withAnswerAtOnce marks ctx's request as one whose handler answers at
// once with one bounded body that the caller reads whole: a read of the
// runtime's state, never a stream nor a change that waits on a process
// (whose caller must be free to go when it cancels, whatever the handler
// still does). InProcess runs such a request on the caller's goroutine.
func withAnswerAtOnce(ctx context.Context) context.Context {
	return context.WithValue(ctx, answerAtOnceKey{}, true)
}

func answersAtOnce(ctx context.Context) bool {
	at, _ := ctx.Value(answerAtOnceKey{}).(bool)
	return at
}

// serveAtOnce runs h for req on the caller's goroutine, into a buffer.
func serveAtOnce(h http.Handler, req *http.Request) (resp *http.Response, err error) {
	if req.Context().Err() != nil {
		// As a transport does for a request whose caller gave up already.
		if req.Body != nil {
			req.Body.Close()
		}
		return nil, context.Cause(req.Context())
	}
	sreq := serverRequest(req, req.Context())
	w := &bufferWriter{header: http.Header{}}
	defer func() {
		if p := recover(); p != nil {
			// http.ErrAbortHandler included, as in serve.
			resp, err = nil, fmt.Errorf("in-process handler of %s %s panicked: %v", req.Method, req.URL.Path, p)
		}
	}()
	h.ServeHTTP(w, sreq)
	sreq.Body.Close()
	if w.status == 0 {
		w.status = http.StatusOK
	}
	body := &inProcessBody{held: w.body, cancel: noCancel}
	return response(req, w.status, w.header, body, int64(len(w.body))), nil
}

func noCancel() {}

// errAnswerTooLarge is a write past maxAnswerBody on the at-once path.
var errAnswerTooLarge = fmt.Errorf("in-process answer larger than %d bytes", maxAnswerBody)

// bufferWriter is the response writer of a request answered at once: the
// caller's goroutine runs the handler, and gets the buffer when it
// returns.
type bufferWriter struct {
	header http.Header
	status int // 0 until WriteHeader
	body   []byte
}

func (w *bufferWriter) Header() http.Header { return w.header }

func (w *bufferWriter) WriteHeader(code int) {
	if w.status != 0 || (code >= 100 && code < 200) {
		return // as responseWriter: a second status is ignored, 1xx are not sent
	}
	w.status = code
}

func (w *bufferWriter) Write(p []byte) (int, error) {
	if w.status == 0 {
		w.WriteHeader(http.StatusOK)
	}
	if len(w.body)+len(p) > maxAnswerBody {
		return 0, errAnswerTooLarge
	}
	w.body = append(w.body, p...)
	return len(p), nil
}

// FlushError does nothing: the caller reads the answer whole anyway.
func (w *bufferWriter) FlushError() error { return nil }

func (w *bufferWriter) Flush() {}

// SetWriteDeadline does nothing: no write waits for the caller.
func (w *bufferWriter) SetWriteDeadline(time.Time) error { return nil }

// CloseIdleConnections closes the fallback's idle connections, so that
// http.Client.CloseIdleConnections reaches them.
func (t *inProcess) CloseIdleConnections() {
	if c, ok := t.fallback.(interface{ CloseIdleConnections() }); ok {
		c.CloseIdleConnections()
	}
}

// responseWriter is what the handler of one in-process request writes to.
// The handler's goroutine alone touches it until the response is handed
// over (ready closes); after that the caller reads status, sent and held,
// and the handler writes only to the stream.
type responseWriter struct {
	header     http.Header
	status     int // 0 until WriteHeader
	held       []byte
	deadline   time.Time
	handedOver bool
	ready      chan struct{}
	cancel     context.CancelFunc
	sent       http.Header // the headers as of the hand-over
	stream     *chunkStream
	err        error // the handler failed before handing over
	bodyOnce   sync.Once
	bodyReader io.ReadCloser
}

// serve runs h as a server would: the request's context ends and its body
// is closed when h returns, and a panic is the caller's error.
func (w *responseWriter) serve(h http.Handler, r *http.Request) {
	var failure error
	func() {
		defer func() {
			if p := recover(); p != nil {
				// http.ErrAbortHandler included: a server would cut the
				// connection, which the caller sees as an error too.
				failure = fmt.Errorf("in-process handler of %s %s panicked: %v", r.Method, r.URL.Path, p)
			}
		}()
		h.ServeHTTP(w, r)
	}()
	r.Body.Close()
	w.cancel()
	w.finish(failure)
}

func (w *responseWriter) Header() http.Header { return w.header }

func (w *responseWriter) WriteHeader(code int) {
	if w.status != 0 || (code >= 100 && code < 200) {
		return // a second status is ignored, as a server does; 1xx are not sent
	}
	w.status = code
}

func (w *responseWriter) Write(p []byte) (int, error) {
	if w.status == 0 {
		w.WriteHeader(http.StatusOK)
	}
	if w.handedOver {
		return w.stream.write(p, w.deadline)
	}
	w.held = append(w.held, p...)
	if len(w.held) > maxHeldBody {
		w.handOver(true)
	}
	return len(p), nil
}

// FlushError hands the response over as a stream: what was written
// reaches the caller now, and later writes as they are made.
func (w *responseWriter) FlushError() error {
	if w.status == 0 {
		w.WriteHeader(http.StatusOK)
	}
	if !w.handedOver {
		w.handOver(true)
	}
	return w.stream.failure()
}

func (w *responseWriter) Flush() { _ = w.FlushError() }

// SetWriteDeadline bounds the writes of a streamed response: a caller
// that stops reading fails them after t instead of holding the handler.
func (w *responseWriter) SetWriteDeadline(t time.Time) error {
	w.deadline = t
	return nil
}

// handOver gives the caller the response: whole (streaming false, the
// handler has returned) or as a stream that later writes feed.
func (w *responseWriter) handOver(streaming bool) {
	w.handedOver = true
	if w.status == 0 {
		w.status = http.StatusOK
	}
	w.sent = w.header
	if streaming {
		// The handler goes on running: the caller gets a copy, so that
		// a late change (which a server would not send either) is no race.
		w.sent = w.header.Clone()
		w.stream = newChunkStream()
	}
	close(w.ready)
}

// finish ends the response when the handler returns: err is a panic.
func (w *responseWriter) finish(err error) {
	switch {
	case !w.handedOver && err != nil:
		w.err = err
		w.handedOver = true
		close(w.ready)
	case !w.handedOver:
		w.handOver(false)
	default:
		w.stream.closeWrite(err)
	}
}

// body is the response body the caller reads: the held bytes, then the
// stream if there is one. Closing it ends the handler's context.
func (w *responseWriter) body() io.ReadCloser {
	w.bodyOnce.Do(func() {
		w.bodyReader = &inProcessBody{held: w.held, stream: w.stream, cancel: w.cancel}
	})
	return w.bodyReader
}

// length is the Content-Length of a whole response, -1 for a stream.
func (w *responseWriter) length() int64 {
	if w.stream != nil {
		return -1
	}
	return int64(len(w.held))
}

// inProcessBody reads what the handler held, then its stream. Like a
// net/http body, it may be closed from another goroutine while a read is
// under way (a follow ended by its caller): Close touches only what is
// safe to share, and a read after it fails.
type inProcessBody struct {
	held   []byte       // read by the reader alone
	stream *chunkStream // nil for a whole response
	cancel context.CancelFunc
	closed atomic.Bool
}

func (b *inProcessBody) Read(p []byte) (int, error) {
	if b.closed.Load() {
		return 0, errBodyClosed
	}
	if len(b.held) > 0 {
		n := copy(p, b.held)
		b.held = b.held[n:]
		return n, nil
	}
	if b.stream == nil {
		return 0, io.EOF
	}
	return b.stream.read(p)
}

func (b *inProcessBody) Close() error {
	b.closed.Store(true)
	if b.stream != nil {
		b.stream.closeRead()
	}
	b.cancel()
	return nil
}

// chunkStream carries a streamed response's writes to the caller: a
// bounded queue of copied chunks, so a write does not wait for each read,
// and a full queue blocks the writer until its deadline.
type chunkStream struct {
	chunks chan []byte
	closed chan struct{} // the caller closed the body
	once   sync.Once

	end    error         // io.EOF or the handler's failure; set before ended closes
	ended  chan struct{} // the handler returned
	endOne sync.Once
	rest   []byte // the unread part of the chunk being read
}

func newChunkStream() *chunkStream {
	return &chunkStream{chunks: make(chan []byte, streamChunks), closed: make(chan struct{}), ended: make(chan struct{})}
}

// errWriteTimeout is a streamed write that the caller did not take before
// the handler's write deadline.
var errWriteTimeout = errors.New("in-process write deadline passed: the caller is not reading")

func (s *chunkStream) write(p []byte, deadline time.Time) (int, error) {
	if err := s.failure(); err != nil {
		return 0, err
	}
	if len(p) == 0 {
		return 0, nil
	}
	c := append([]byte(nil), p...)
	select {
	case s.chunks <- c:
		return len(p), nil
	case <-s.closed:
		return 0, errBodyClosed
	default:
	}
	var expired <-chan time.Time
	if !deadline.IsZero() {
		timer := time.NewTimer(time.Until(deadline))
		defer timer.Stop()
		expired = timer.C
	}
	select {
	case s.chunks <- c:
		return len(p), nil
	case <-s.closed:
		return 0, errBodyClosed
	case <-expired:
		return 0, errWriteTimeout
	}
}

// failure is errBodyClosed once the caller closed the body.
func (s *chunkStream) failure() error {
	select {
	case <-s.closed:
		return errBodyClosed
	default:
		return nil
	}
}

// closeWrite ends the stream when the handler returns: the caller reads
// what is queued, then io.EOF, or err when the handler panicked.
func (s *chunkStream) closeWrite(err error) {
	s.endOne.Do(func() {
		if err == nil {
			err = io.EOF
		}
		s.end = err
		close(s.ended)
	})
}

func (s *chunkStream) closeRead() { s.once.Do(func() { close(s.closed) }) }

func (s *chunkStream) read(p []byte) (int, error) {
	if len(s.rest) == 0 {
		select {
		case c := <-s.chunks:
			s.rest = c
		case <-s.ended:
			// The handler returned; what it queued before comes first.
			select {
			case c := <-s.chunks:
				s.rest = c
			default:
				return 0, s.end
			}
		}
	}
	n := copy(p, s.rest)
	s.rest = s.rest[n:]
	return n, nil
}
