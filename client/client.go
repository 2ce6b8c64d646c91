// Package client is a Go client for the Sprites Services API: define,
// start, stop, restart, signal and delete long-running services inside a
// Sprite, and read their logs.
//
// It speaks to three kinds of endpoint with one code path:
//
//   - the public API (https://api.sprites.dev, bearer token),
//   - the unix socket inside a Sprite (unix:///.sprite/api.sock), whose
//     paths have no /v1/sprites/{name} prefix,
//   - any other base URL in either path style, such as the embedded runtime
//     of sprites-mcp.
//
// Calls that stream (create, start, stop, restart, logs) return a *Stream
// of typed events. Reading has no line-length limit and keeps a bounded
// amount of each event, so a service that prints a 100 MB line costs
// bounded memory. Decoding is tolerant of every variant the API is known
// to send. Errors are *APIError values that unwrap to ErrNotFound,
// ErrConflict (and ErrNotRunning for a 409 "not running"), ErrUnauthorized
// and friends; the API not answering in time is ErrTimeout.
//
// Idempotent reads are retried on 429, 502, 503, 504, a try with no
// headers in time and refused, reset or unanswered connections (at most
// three tries, jittered, honouring Retry-After, never past the read
// timeout or the context's deadline); writes never are.
//
// Inside a Sprite the socket has no logs route; Logs then reads the
// service's log files under SpriteLogDir (see WithLogDir) and returns the
// same events.
//
// Every call is bounded by the client's own limits, whatever the caller's
// context: a streaming call by its requested duration or timeout plus
// StreamMargin, any other call by DefaultHeaderTimeout per try and
// DefaultReadTimeout in all (see WithStreamMargin, WithHeaderTimeout,
// WithReadTimeout). Past them the error matches ErrTimeout and says the API
// did not answer in time. The caller's context always wins: a cancelled
// caller gets context.Canceled. A Stream is read with
// Next/Event/Err or ranged over with All, and must be closed:
//
//	c, err := client.New(client.BaseURLFromEnv(os.Getenv),
//		client.WithToken(client.TokenFromEnv(os.Getenv)))
//	...
//	st, err := c.Start(ctx, "my-sprite", "web", 5*time.Second)
//	if err != nil {
//		return err // an *APIError; errors.Is(err, client.ErrNotFound) etc.
//	}
//	defer st.Close()
//	for ev := range st.All() {
//		fmt.Println(ev.Type, ev.Data)
//	}
//	return st.Err()
package client

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/sprites-mcp/sprites-mcp/internal/wire"
)

// DefaultBaseURL is the public Sprites API.
const DefaultBaseURL = "https://api.sprites.dev"

// SocketPath is where a Sprite serves the API to its own processes.
const SocketPath = "/.sprite/api.sock"

// PathStyle says how service paths are built.
type PathStyle int

const (
	// PathSprites is /v1/sprites/{sprite}/services/... (the public API).
	PathSprites PathStyle = iota
	// PathSocket is /v1/services/... (inside a Sprite); the sprite name is
	// ignored.
	PathSocket
)

// The client's own time limits, so that no call waits on a hung API for
// longer than these however long the caller's context is. The caller's
// context still wins when it ends first.
const (
	// StreamMargin is added to a stream's requested duration or timeout to
	// get its deadline: time for the runtime to start, stop and answer.
	// Change it per client with WithStreamMargin.
	StreamMargin = 5 * time.Second
	// DefaultHeaderTimeout bounds the wait for the response headers of one
	// try of a call that is not a stream. Change it with WithHeaderTimeout.
	DefaultHeaderTimeout = 10 * time.Second
	// DefaultReadTimeout bounds a whole call that is not a stream, retries
	// and reading the answer included. Change it with WithReadTimeout.
	DefaultReadTimeout = 30 * time.Second
)

// Client calls the Services API. It is safe for concurrent use.
type Client struct {
	base      *url.URL // scheme and host; path prefix kept
	style     PathStyle
	token     string
	http      *http.Client
	userAgent string
	maxData   int
	log       *slog.Logger
	retry     retryPolicy
	margin    time.Duration // added to a stream's window for its deadline
	// headerTimeout bounds one try's wait for response headers, readTimeout
	// a whole call that is not a stream (both for reads, delete, signal and
	// logs without follow).
	headerTimeout time.Duration
	readTimeout   time.Duration
	// logDir is read by Logs when the API has no logs route; "" never.
	logDir    string
	logDirSet bool
	gets      getMemo // the last answer of a get per service (getmemo.go)
}

// Option configures a Client.
type Option func(*Client)

// WithToken sets the bearer token sent on every request.
func WithToken(token string) Option { return func(c *Client) { c.token = token } }

// WithHTTPClient replaces the HTTP client (its transport is kept as given;
// for unix:// bases the client's transport is replaced by a socket dialer).
func WithHTTPClient(h *http.Client) Option { return func(c *Client) { c.http = h } }

// WithPathStyle overrides the path style chosen from the base URL.
func WithPathStyle(s PathStyle) Option { return func(c *Client) { c.style = s } }

// WithUserAgent sets the User-Agent header.
func WithUserAgent(ua string) Option { return func(c *Client) { c.userAgent = ua } }

// WithMaxEventData caps the bytes kept of one event's data
// (DefaultMaxEventData by default).
func WithMaxEventData(n int) Option { return func(c *Client) { c.maxData = n } }

// WithStreamMargin replaces StreamMargin (5s): the time a streaming call
// (create, start, stop, restart, logs with follow) gets beyond its
// requested duration or timeout before it is cut off with a
// *StreamDeadlineError. A few seconds covers a runtime that starts and
// stops processes; more only makes a stalled stream wait longer. d <= 0
// keeps the default.
func WithStreamMargin(d time.Duration) Option { return func(c *Client) { c.margin = d } }

// WithHeaderTimeout replaces DefaultHeaderTimeout (10s): how long one try
// of a call that is not a stream (list, get, delete, signal, list sprites,
// logs without follow) waits for the response headers. A try that times
// out is retried like a refused connection when the call is idempotent,
// within the read timeout; otherwise the call fails with a *TimeoutError.
// A waking Sprite can take several seconds to answer, so keep it well
// above that. d <= 0 keeps the default.
func WithHeaderTimeout(d time.Duration) Option { return func(c *Client) { c.headerTimeout = d } }

// WithReadTimeout replaces DefaultReadTimeout (30s): the most a call that
// is not a stream may take in all, every retry and the reading of the
// answer included. Past it the call fails with a *TimeoutError (matching
// ErrTimeout). d <= 0 keeps the default.
func WithReadTimeout(d time.Duration) Option { return func(c *Client) { c.readTimeout = d } }

// WithLogger sets the logger for retries and response metadata (debug).
func WithLogger(l *slog.Logger) Option { return func(c *Client) { c.log = l } }

// New returns a client for base: an http(s) URL, or unix:///path/to/api.sock.
// A unix base uses the socket path style unless WithPathStyle says otherwise.
func New(base string, opts ...Option) (*Client, error) {
	if base == "" {
		base = DefaultBaseURL
	}
	u, err := url.Parse(base)
	if err != nil {
		return nil, fmt.Errorf("parse API URL %q: %w", base, err)
	}
	c := &Client{userAgent: "sprites-mcp", retry: defaultRetry, margin: StreamMargin}
	switch u.Scheme {
	case "http", "https":
		if u.Host == "" {
			return nil, fmt.Errorf("API URL %q has no host", base)
		}
		c.base = &url.URL{Scheme: u.Scheme, Host: u.Host, Path: strings.TrimSuffix(u.Path, "/")}
	case "unix":
		sock := u.Path
		if sock == "" {
			return nil, fmt.Errorf("API URL %q names no socket path", base)
		}
		c.style = PathSocket
		c.base = &url.URL{Scheme: "http", Host: "sprite"}
	default:
		return nil, fmt.Errorf("API URL %q: scheme must be https, http or unix", base)
	}
	for _, o := range opts {
		o(c)
	}
	if u.Scheme == "unix" && c.style == PathSocket && !c.logDirSet {
		// Inside a Sprite the socket has no logs route; its files do.
		c.logDir = SpriteLogDir
	}
	if u.Scheme == "unix" {
		// Whatever client was given, it must dial the socket.
		var hc http.Client
		if c.http != nil {
			hc = *c.http
		}
		hc.Transport = unixTransport(u.Path)
		c.http = &hc
	}
	if c.http == nil {
		c.http = &http.Client{Transport: http.DefaultTransport}
	}
	if c.log == nil {
		c.log = slog.Default()
	}
	if c.maxData <= 0 {
		c.maxData = DefaultMaxEventData
	}
	if c.margin <= 0 {
		c.margin = StreamMargin
	}
	if c.headerTimeout <= 0 {
		c.headerTimeout = DefaultHeaderTimeout
	}
	if c.readTimeout <= 0 {
		c.readTimeout = DefaultReadTimeout
	}
	return c, nil
}

// unixTransport dials the socket at path whatever host a URL names.
func unixTransport(path string) *http.Transport {
	return &http.Transport{
		DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
			var d net.Dialer
			return d.DialContext(ctx, "unix", path)
		},
		MaxIdleConnsPerHost: 16,
		IdleConnTimeout:     90 * time.Second,
	}
}

// PathStyle returns the path style the client uses.
func (c *Client) PathStyle() PathStyle { return c.style }

// servicesPath builds the path of the services collection of sprite, plus
// escaped extra segments.
func (c *Client) servicesPath(sprite string, segs ...string) string {
	var b strings.Builder
	b.WriteString(c.base.Path)
	if c.style == PathSprites {
		b.WriteString("/v1/sprites/")
		b.WriteString(url.PathEscape(sprite))
		b.WriteString("/services")
	} else {
		b.WriteString("/v1/services")
	}
	for _, s := range segs {
		b.WriteByte('/')
		b.WriteString(url.PathEscape(s))
	}
	return b.String()
}

// call describes one request.
type call struct {
	op      string
	sprite  string
	service string
	method  string
	path    string
	query   url.Values
	body    any
	// idempotent calls are retried on transient failures.
	idempotent bool
	// headerTimeout, when set, bounds each try's wait for the headers.
	headerTimeout time.Duration
	// atOnce says the answer is a read of state that the runtime gives at
	// once (a get, a list), which the in-process transport may serve on
	// the caller's goroutine (withAnswerAtOnce).
	atOnce bool
}

// do sends a call and returns the response for a 2xx status; any other
// status becomes an *APIError. The caller closes the body.
func (c *Client) do(ctx context.Context, cl call) (*http.Response, error) {
	var payload []byte
	if cl.body != nil {
		var err error
		if payload, err = json.Marshal(cl.body); err != nil {
			return nil, fmt.Errorf("%s: encode body: %w", cl.op, err)
		}
	}
	tries := 1
	if cl.idempotent {
		tries = c.retry.tries
	}
	for attempt := 1; ; attempt++ {
		resp, err := c.send(ctx, cl, payload)
		if err == nil && resp.StatusCode/100 == 2 {
			return resp, nil
		}
		if err == nil {
			body, _ := io.ReadAll(io.LimitReader(resp.Body, maxErrorBody))
			resp.Body.Close()
			err = newAPIError(cl.op, cl.sprite, cl.service, resp, body)
		}
		if attempt >= tries || !retryable(err) || ctx.Err() != nil {
			return nil, err
		}
		wait := c.retry.delay(attempt, err)
		if !fitsDeadline(ctx, wait) {
			return nil, fmt.Errorf("%w (not retried: the deadline comes before the next try in %s)", err, wait.Round(time.Millisecond))
		}
		c.log.Debug("retrying", "op", cl.op, "attempt", attempt, "wait", wait, "err", err)
		if !sleepCtx(ctx, wait) {
			return nil, fmt.Errorf("%w (stopped retrying: %w)", err, context.Cause(ctx))
		}
	}
}

// read runs a call that is not a stream under the client's limits: each
// try gets the header timeout, the whole call (retries and handle, which
// reads the answer) the read timeout. handle must close the body.
func (c *Client) read(ctx context.Context, cl call, handle func(*http.Response) error) error {
	limit := &TimeoutError{Op: cl.op, Limit: c.readTimeout, What: "whole answer"}
	rctx, cancel := context.WithTimeoutCause(ctx, c.readTimeout, limit)
	defer cancel()
	cl.headerTimeout = c.headerTimeout
	if cl.atOnce {
		rctx = withAnswerAtOnce(rctx)
	}
	resp, err := c.do(rctx, cl)
	if err == nil {
		err = handle(resp)
	}
	return ownTimeout(ctx, rctx, limit, err)
}

// ownTimeout names err as the client's own limit when inner (derived from
// the caller's outer context) ended it and the caller's did not: the
// caller's context wins, so a cancelled caller sees context.Canceled.
func ownTimeout(outer, inner context.Context, limit error, err error) error {
	if err == nil || outer.Err() != nil || inner.Err() == nil || errors.Is(err, ErrTimeout) {
		return err
	}
	if te, ok := limit.(*TimeoutError); ok {
		cp := *te
		cp.Err = err
		return &cp
	}
	return fmt.Errorf("%w (%w)", limit, err)
}

// cancelBody cancels a try's context when its body is closed.
type cancelBody struct {
	io.ReadCloser
	cancel context.CancelCauseFunc
}

func (b cancelBody) Close() error {
	err := b.ReadCloser.Close()
	b.cancel(nil)
	return err
}

// send performs one HTTP request; with cl.headerTimeout set, a server that
// sends no headers in time ends it with a *TimeoutError.
func (c *Client) send(ctx context.Context, cl call, payload []byte) (*http.Response, error) {
	if cl.headerTimeout <= 0 {
		return c.sendOnce(ctx, cl, payload)
	}
	hdr := &TimeoutError{Op: cl.op, Limit: cl.headerTimeout, What: "response headers", headers: true}
	tctx, cancel := context.WithCancelCause(ctx)
	timer := time.AfterFunc(cl.headerTimeout, func() { cancel(hdr) })
	resp, err := c.sendOnce(tctx, cl, payload)
	if !timer.Stop() {
		// The timer fired, maybe just as the headers came: either way the
		// try's context is (being) cancelled, so the body is unusable.
		if err == nil {
			resp.Body.Close()
		}
		cancel(hdr)
		if ctx.Err() != nil { // the caller's context or the read limit came first
			if err == nil {
				err = fmt.Errorf("%s: %w", cl.op, context.Cause(ctx))
			}
			return nil, err
		}
		cp := *hdr
		cp.Err = err
		return nil, &cp
	}
	if err != nil {
		cancel(nil)
		return nil, err
	}
	resp.Body = cancelBody{resp.Body, cancel}
	return resp, nil
}

// sendOnce performs one HTTP request.
func (c *Client) sendOnce(ctx context.Context, cl call, payload []byte) (*http.Response, error) {
	u := *c.base
	u.Path = cl.path
	u.RawPath = ""
	// url.URL re-escapes Path; RawPath keeps our escaping of each segment.
	if unesc, err := url.PathUnescape(cl.path); err == nil {
		u.Path, u.RawPath = unesc, cl.path
	}
	if len(cl.query) > 0 {
		u.RawQuery = cl.query.Encode()
	}
	var body io.Reader
	if payload != nil {
		body = bytes.NewReader(payload)
	}
	// The URL as built, not printed and parsed again as NewRequest would.
	req, err := http.NewRequestWithContext(ctx, cl.method, "", body)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", cl.op, err)
	}
	req.URL, req.Host = &u, u.Host
	if payload != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Accept", "application/json, application/x-ndjson")
	req.Header.Set("User-Agent", c.userAgent)
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", cl.op, err)
	}
	if v := resp.Header.Get("Sprite-Version"); v != "" {
		c.log.Debug("response", "op", cl.op, "status", resp.StatusCode, "sprite_version", v)
	}
	return resp, nil
}

// maxAnswerBody bounds a JSON answer that is read whole.
const maxAnswerBody = 32 << 20

// readAnswer reads a bounded body whole and closes it.
func readAnswer(op string, resp *http.Response) ([]byte, error) {
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxAnswerBody+1))
	if err != nil {
		return nil, fmt.Errorf("%s: read answer: %w", op, err)
	}
	if len(data) > maxAnswerBody {
		return nil, fmt.Errorf("%s: answer larger than %d bytes", op, maxAnswerBody)
	}
	return data, nil
}

// decodeJSON reads a bounded JSON body into v.
func decodeJSON(op string, resp *http.Response, v any) error {
	data, err := readAnswer(op, resp)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(data, v); err != nil {
		return fmt.Errorf("%s: decode answer: %w", op, err)
	}
	return nil
}

// List returns every service of sprite with its state.
func (c *Client) List(ctx context.Context, sprite string) ([]Service, error) {
	if err := c.checkSprite(sprite); err != nil {
		return nil, err
	}
	var list []Service
	err := c.read(ctx, call{op: "list services", sprite: sprite, method: http.MethodGet,
		path: c.servicesPath(sprite), idempotent: true, atOnce: true},
		func(resp *http.Response) error {
			raw, err := readAnswer("list services", resp)
			if err == nil {
				list, err = decodeServiceList(raw)
			}
			return err
		})
	if err != nil {
		return nil, err
	}
	return list, nil
}

// decodeServiceList accepts a bare array, {"services":[...]} or null.
func decodeServiceList(raw []byte) ([]Service, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) > 0 && raw[0] == '{' {
		var wrapped struct {
			Services json.RawMessage `json:"services"`
		}
		if err := json.Unmarshal(raw, &wrapped); err != nil {
			return nil, fmt.Errorf("list services: decode answer: %w", err)
		}
		raw = wrapped.Services
		if len(raw) == 0 {
			raw = []byte("null")
		}
	}
	list, err := wire.DecodeServices(raw)
	if err != nil {
		return nil, fmt.Errorf("list services: decode answer: %w", err)
	}
	return list, nil
}

// Get returns one service with its state.
func (c *Client) Get(ctx context.Context, sprite, service string) (*Service, error) {
	if err := c.checkNames(sprite, service); err != nil {
		return nil, err
	}
	var s Service
	err := c.read(ctx, call{op: "get service", sprite: sprite, service: service,
		method: http.MethodGet, path: c.servicesPath(sprite, service), idempotent: true, atOnce: true},
		func(resp *http.Response) error {
			raw, err := readAnswer("get service", resp)
			if err != nil {
				return err
			}
			if s, err = c.gets.decode(sprite+"/"+service, raw, wire.DecodeService); err != nil {
				return fmt.Errorf("get service: decode answer: %w", err)
			}
			return nil
		})
	if err != nil {
		return nil, err
	}
	if s.Name == "" {
		s.Name = service
	}
	return &s, nil
}

// Put creates or updates a service and starts it, watching it for watch
// (0 returns at once). The answer is a stream of what the service did in
// that window; a stream holding an exit event means it died at start-up.
// A runtime that answers a single JSON Service instead gives a stream with
// no events and the stream's Service field set. A runtime that refuses the
// body with 400 "service name required" is asked once more with Name set.
func (c *Client) Put(ctx context.Context, sprite, service string, req ServiceRequest, watch time.Duration) (*Stream, error) {
	if err := c.checkNames(sprite, service); err != nil {
		return nil, err
	}
	if strings.TrimSpace(req.Cmd) == "" {
		return nil, fmt.Errorf("create service %q: cmd is required", service)
	}
	cl := call{op: "create service", sprite: sprite, service: service, method: http.MethodPut,
		path: c.servicesPath(sprite, service), query: durationQuery("duration", watch), body: req}
	st, err := c.stream(ctx, cl, watch)
	if err != nil && isNameRequired(err) && req.Name == "" {
		// One runtime wants the name in the body as well; retrying with it
		// is safe because the first request was refused outright.
		req.Name = service
		cl.body = req
		st, err = c.stream(ctx, cl, watch)
	}
	return st, err
}

// isNameRequired matches the 400 "service name required" quirk.
func isNameRequired(err error) bool {
	ae, ok := err.(*APIError)
	return ok && ae.StatusCode == http.StatusBadRequest &&
		strings.Contains(strings.ToLower(ae.Detail()), "name required")
}

// Delete removes a service's definition (its log file stays).
func (c *Client) Delete(ctx context.Context, sprite, service string) error {
	if err := c.checkNames(sprite, service); err != nil {
		return err
	}
	return c.read(ctx, call{op: "delete service", sprite: sprite, service: service,
		method: http.MethodDelete, path: c.servicesPath(sprite, service)}, drain)
}

// Start starts a service (and what it needs), watching it for watch.
func (c *Client) Start(ctx context.Context, sprite, service string, watch time.Duration) (*Stream, error) {
	return c.action(ctx, "start", sprite, service, "duration", watch)
}

// Stop stops a service: SIGTERM, then SIGKILL after timeout.
func (c *Client) Stop(ctx context.Context, sprite, service string, timeout time.Duration) (*Stream, error) {
	return c.action(ctx, "stop", sprite, service, "timeout", timeout)
}

// Restart restarts a service, watching it for watch. On runtimes without
// the restart route it stops then starts the service, and the stream's
// Note says so.
func (c *Client) Restart(ctx context.Context, sprite, service string, watch time.Duration) (*Stream, error) {
	st, err := c.action(ctx, "restart", sprite, service, "duration", watch)
	if err == nil || !IsRouteNotFound(err) {
		return st, err
	}
	stop, err := c.Stop(ctx, sprite, service, 10*time.Second)
	if err != nil && !IsConflict(err) { // 409: it was not running; start it anyway
		return nil, fmt.Errorf("restart service %q (stop then start, no restart route): %w", service, err)
	}
	if stop != nil {
		for stop.Next() {
		}
		stopErr := stop.Err()
		stop.Close()
		if stopErr != nil {
			return nil, fmt.Errorf("restart service %q (stop then start, no restart route): stop: %w", service, stopErr)
		}
	}
	st, err = c.Start(ctx, sprite, service, watch)
	if err != nil {
		return nil, fmt.Errorf("restart service %q (stopped, then start failed): %w", service, err)
	}
	st.Note = "the runtime has no restart route: stopped, then started"
	return st, nil
}

// action is a POST on a service that answers a stream.
func (c *Client) action(ctx context.Context, verb, sprite, service, param string, d time.Duration) (*Stream, error) {
	if err := c.checkNames(sprite, service); err != nil {
		return nil, err
	}
	return c.stream(ctx, call{op: verb + " service", sprite: sprite, service: service,
		method: http.MethodPost, path: c.servicesPath(sprite, service, verb),
		query: durationQuery(param, d)}, d)
}

// Signal sends a signal (TERM, HUP, INT, KILL, QUIT, USR1, USR2; a SIG
// prefix is dropped) to a service's process group.
func (c *Client) Signal(ctx context.Context, sprite, service, signal string) error {
	if err := c.checkNames(sprite, service); err != nil {
		return err
	}
	sig := NormalizeSignal(signal)
	if sig == "" {
		return fmt.Errorf("signal service %q: empty signal name", service)
	}
	return c.read(ctx, call{op: "signal service", sprite: sprite, service: service,
		method: http.MethodPost, path: c.servicesPath(sprite, "signal"),
		body: map[string]string{"name": service, "signal": sig}}, drain)
}

// NormalizeSignal upper-cases a signal name and drops a SIG prefix:
// "sigterm" and "SIGTERM" become "TERM".
func NormalizeSignal(s string) string {
	s = strings.ToUpper(strings.TrimSpace(s))
	return strings.TrimPrefix(s, "SIG")
}

// LogsOptions selects what Logs returns.
type LogsOptions struct {
	// Lines is the tail size; 0 means the API default (all).
	Lines int
	// Follow keeps the stream open for new output this long; 0 does not
	// follow.
	Follow time.Duration
	// Since, when set, keeps only the lines at or after it, by their
	// timestamps (see since.go); Lines still bounds what is read.
	Since time.Time
}

// Logs returns a service's log output as a stream of output events; lines
// that are not JSON arrive as raw stdout events. Without Follow it is an
// idempotent read and is retried like one.
//
// When the API has no logs route (the socket inside a Sprite) and the
// client has a log directory (see WithLogDir), the service's log files
// there are read instead: the same events, the last Lines lines found by
// reading the file backwards, Follow polling for appended lines across
// rotation, and a complete event naming the files; the stream's Note says
// so. A service with no log file yet gives an empty stream, an unknown one
// the API's not-found error.
func (c *Client) Logs(ctx context.Context, sprite, service string, o LogsOptions) (*Stream, error) {
	if err := c.checkNames(sprite, service); err != nil {
		return nil, err
	}
	q := url.Values{}
	if o.Lines > 0 {
		q.Set("lines", strconv.Itoa(o.Lines))
	}
	if o.Follow > 0 {
		q.Set("duration", o.Follow.String())
	}
	cl := call{op: "read logs", sprite: sprite, service: service,
		method: http.MethodGet, path: c.servicesPath(sprite, service, "logs"), query: q}
	var st *Stream
	var err error
	if o.Follow > 0 {
		st, err = c.stream(ctx, cl, o.Follow)
	} else {
		// A plain read of the tail: bounded like the other reads.
		cl.idempotent, cl.headerTimeout = true, c.headerTimeout
		limit := &TimeoutError{Op: cl.op, Limit: c.readTimeout, What: "whole answer"}
		st, err = c.streamWithin(ctx, cl, c.readTimeout, limit)
	}
	if err != nil && c.logDir != "" && IsRouteNotFound(err) {
		st, err = c.logsFromFiles(ctx, sprite, service, o)
	}
	if err != nil {
		return nil, err
	}
	return withSince(st, o.Since), nil
}

// ListSpritesOptions pages through Sprites.
type ListSpritesOptions struct {
	Prefix            string // only Sprites whose name starts with this
	MaxResults        int    // 1–50 (more is cut to 50); 0 leaves the API default
	ContinuationToken string // from the previous page's NextContinuationToken
}

// ListSprites returns one page of the account's Sprites. It needs the
// public API; the socket has no such route.
func (c *Client) ListSprites(ctx context.Context, o ListSpritesOptions) (*SpritesPage, error) {
	q := url.Values{}
	if o.Prefix != "" {
		q.Set("prefix", o.Prefix)
	}
	if o.MaxResults > 0 {
		q.Set("max_results", strconv.Itoa(min(o.MaxResults, 50)))
	}
	if o.ContinuationToken != "" {
		q.Set("continuation_token", o.ContinuationToken)
	}
	var page SpritesPage
	err := c.read(ctx, call{op: "list sprites", method: http.MethodGet,
		path: c.base.Path + "/v1/sprites", query: q, idempotent: true},
		func(resp *http.Response) error { return decodeJSON("list sprites", resp, &page) })
	if err != nil {
		return nil, err
	}
	if page.Sprites == nil {
		page.Sprites = []Sprite{}
	}
	return &page, nil
}

// stream starts a streaming call. Its deadline is window plus the stream
// margin; the caller's context still wins.
func (c *Client) stream(ctx context.Context, cl call, window time.Duration) (*Stream, error) {
	cause := &StreamDeadlineError{Op: cl.op, Window: window, Margin: c.margin}
	return c.streamWithin(ctx, cl, window+c.margin, cause)
}

// streamWithin starts a streaming call that must end within limit; cause
// is the error that says so.
func (c *Client) streamWithin(ctx context.Context, cl call, limit time.Duration, cause error) (*Stream, error) {
	sctx, cancel := context.WithTimeoutCause(ctx, limit, cause)
	resp, err := c.do(sctx, cl)
	if err != nil {
		err = ownTimeout(ctx, sctx, cause, err)
		cancel()
		return nil, err
	}
	body := io.Reader(resp.Body)
	var svc *Service
	if cl.method == http.MethodPut {
		// The reference documents a plain JSON Service for create where
		// the runtimes send a stream: accept both.
		svc, body = serviceAnswer(resp.Body)
	}
	st := NewStream(body, c.maxData)
	st.body, st.cancel, st.ctx, st.Service, st.op = resp.Body, cancel, sctx, svc, cl.op
	return st, nil
}

// serviceAnswer tells a JSON Service answer from an event stream by the
// first line: an event line is a whole JSON object with a "type", a
// Service is an object with a name, cmd or state and no type. Only a first
// line that is a lone "{" (a pretty-printed Service) makes it read
// further, and never more than 1 MiB; so a stream is never held up beyond
// its first line. It returns the reader the stream decoder must use, which
// replays whatever was read.
func serviceAnswer(r io.Reader) (*Service, io.Reader) {
	const maxAnswer = 1 << 20
	br := bufio.NewReaderSize(r, 4<<10)
	var seen []byte
	for len(seen) < maxAnswer {
		chunk, err := br.ReadSlice('\n')
		seen = append(seen, chunk...)
		if err != bufio.ErrBufferFull {
			break
		}
	}
	replay := func() io.Reader { return io.MultiReader(bytes.NewReader(seen), br) }
	t := bytes.TrimSpace(seen)
	if len(t) == 0 || t[0] != '{' {
		return nil, replay()
	}
	if string(t) == "{" {
		// Pretty-printed: the object spans lines. Nothing else reads on.
		rest, _ := io.ReadAll(io.LimitReader(br, int64(maxAnswer-len(seen))))
		seen = append(seen, rest...)
		t = bytes.TrimSpace(seen)
	}
	var probe map[string]json.RawMessage
	if json.Unmarshal(t, &probe) != nil {
		return nil, replay()
	}
	_, isEvent := probe["type"]
	_, hasName := probe["name"]
	_, hasCmd := probe["cmd"]
	_, hasState := probe["state"]
	if isEvent || !(hasName || hasCmd || hasState) {
		return nil, replay()
	}
	var svc Service
	if json.Unmarshal(t, &svc) != nil {
		return nil, replay()
	}
	// Whatever follows the Service is still read as events.
	return &svc, br
}

// durationQuery encodes a duration parameter; 0 is sent as "0".
func durationQuery(name string, d time.Duration) url.Values {
	v := "0"
	if d > 0 {
		v = d.String()
	}
	return url.Values{name: {v}}
}

// drain discards a small body so the connection can be reused. It never
// fails: the status already said the call succeeded.
func drain(resp *http.Response) error {
	io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	resp.Body.Close()
	return nil
}
