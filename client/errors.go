package client

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/sprites-mcp/sprites-mcp/internal/textcut"
	"github.com/sprites-mcp/sprites-mcp/internal/wire"
)

// Sentinel errors that an *APIError unwraps to, for errors.Is.
var (
	// ErrNotFound: 404, a missing sprite or service, or a route the
	// runtime lacks (see IsRouteNotFound).
	ErrNotFound = errors.New("not found")
	// ErrConflict: 409, e.g. stopping a service that is not running, or a
	// second service claiming http_port.
	ErrConflict = errors.New("conflict")
	// ErrUnauthorized: 401 or 403, a bad token or one restricted to other
	// Sprites.
	ErrUnauthorized = errors.New("unauthorized")
	// ErrRateLimited: 429; APIError.RetryAfter says how long to wait.
	ErrRateLimited = errors.New("rate limited")
	// ErrBadRequest: 400, an invalid body or signal.
	ErrBadRequest = errors.New("bad request")
	// ErrServer: any 5xx, often a Sprite waking up.
	ErrServer = errors.New("server error")
	// ErrInvalidName is returned, wrapped, for a sprite or service name the
	// API would misroute or refuse; nothing is sent. It is the wire
	// package's, so the runtime's refusals match it too.
	ErrInvalidName = wire.ErrInvalidName
	// ErrStreamCut is returned by Stream.Err when the stream ended in the
	// middle of a line.
	ErrStreamCut = errors.New("stream cut mid-line")
	// ErrNotRunning: a 409 whose body says the service is not running, the
	// API's answer to stopping (or signalling) a stopped service. It also
	// matches ErrConflict. For a stop it means "already stopped": the stop's
	// own answer is the truth for the stop, whatever a later read says.
	ErrNotRunning = errors.New("service not running")
	// ErrTimeout: the API did not answer in time, the client's own limit
	// (see WithHeaderTimeout, WithReadTimeout, WithStreamMargin) and not the
	// caller's context. Both *TimeoutError and *StreamDeadlineError match it.
	ErrTimeout = errors.New("the API did not answer in time")
)

// TimeoutError ends a call the API did not answer in time: no response
// headers within the header timeout, or no whole answer within the read
// limit (retries included). It matches ErrTimeout and
// context.DeadlineExceeded; Err is what the transport said.
type TimeoutError struct {
	Op    string
	Limit time.Duration // the limit that ran out
	What  string        // "response headers" or "whole answer"
	Err   error
	// headers marks a try that got no headers in time: idempotent calls
	// try again.
	headers bool
}

func (e *TimeoutError) Error() string {
	return fmt.Sprintf("%s: the API did not answer in time (no %s within %s); "+
		"it may be overloaded, waking up or unreachable: try again, and if it keeps happening "+
		"check the API URL and the network, or raise the client's API timeout",
		e.Op, e.What, e.Limit)
}

// Unwrap lets errors.Is match ErrTimeout, context.DeadlineExceeded and the
// transport's error.
func (e *TimeoutError) Unwrap() []error {
	errs := []error{ErrTimeout, context.DeadlineExceeded}
	if e.Err != nil {
		errs = append(errs, e.Err)
	}
	return errs
}

// StreamDeadlineError ends a stream that ran past its deadline: the
// requested window (duration or timeout) plus the margin. It matches
// ErrTimeout and context.DeadlineExceeded.
type StreamDeadlineError struct {
	Op     string
	Window time.Duration
	Margin time.Duration
}

func (e *StreamDeadlineError) Error() string {
	return fmt.Sprintf("%s: no end of stream within %s (the requested %s plus a margin of %s): "+
		"the API did not answer in time; the action may still take effect, so read the service's state before trying again",
		e.Op, e.Window+e.Margin, e.Window, e.Margin)
}

// Unwrap lets errors.Is match ErrTimeout and context.DeadlineExceeded.
func (e *StreamDeadlineError) Unwrap() []error {
	return []error{ErrTimeout, context.DeadlineExceeded}
}

// maxErrorBody bounds how much of an error response is read and kept.
const maxErrorBody = 1 << 10

// APIError is every non-2xx answer of the API. Use errors.Is with the
// sentinels (ErrNotFound, ...) to branch, errors.As to read the fields.
type APIError struct {
	Op         string // e.g. "get service", "start service"
	Sprite     string // empty for list sprites and on the socket
	Service    string // empty for list and list sprites
	StatusCode int    // the HTTP status
	// Code and Message come from a JSON error body ({"error","message"} or
	// {"errors":[...]}); Body is the trimmed text otherwise.
	Code       string
	Message    string
	Body       string
	RetryAfter time.Duration // from Retry-After or retry_after_seconds on 429
}

// Error says what failed about what, in words a person can act on, then
// the server's own words in parentheses, e.g.
// `get service: service "web" not found on sprite "dev" (no such service)`.
func (e *APIError) Error() string {
	var b strings.Builder
	b.WriteString(e.Op)
	b.WriteString(": ")
	detail := e.Detail()
	switch e.StatusCode {
	case http.StatusNotFound:
		if e.routeMissing() {
			b.WriteString("the API has no route for this (the runtime may be older than this client)")
		} else {
			b.WriteString(e.notFound())
		}
	case http.StatusConflict:
		b.WriteString(e.subject())
		b.WriteString(": conflict with its current state")
	case http.StatusUnauthorized:
		b.WriteString(e.subject())
		b.WriteString(": unauthorized (check SPRITES_TOKEN)")
	case http.StatusForbidden:
		b.WriteString(e.subject())
		b.WriteString(": forbidden for this token")
	case http.StatusTooManyRequests:
		b.WriteString(e.subject())
		b.WriteString(": rate limited")
		if e.RetryAfter > 0 {
			fmt.Fprintf(&b, ", retry after %s", e.RetryAfter.Round(time.Millisecond))
		}
	case http.StatusBadRequest:
		b.WriteString(e.subject())
		b.WriteString(": bad request")
	default:
		b.WriteString(e.subject())
		if e.StatusCode >= 500 {
			fmt.Fprintf(&b, ": server error HTTP %d (a waking Sprite can cause this; try again)", e.StatusCode)
		} else {
			fmt.Fprintf(&b, ": HTTP %d", e.StatusCode)
		}
	}
	if detail != "" {
		b.WriteString(" (")
		b.WriteString(detail)
		b.WriteString(")")
	}
	return b.String()
}

// subject names what the operation was about, the way a person says it.
func (e *APIError) subject() string {
	switch {
	case e.Service != "" && e.Sprite != "":
		return fmt.Sprintf("service %q on sprite %q", e.Service, e.Sprite)
	case e.Service != "":
		return fmt.Sprintf("service %q", e.Service)
	case e.Sprite != "":
		return fmt.Sprintf("sprite %q", e.Sprite)
	default:
		return "sprites"
	}
}

// notFound names what is missing: the service on its sprite, or the sprite.
func (e *APIError) notFound() string {
	switch {
	case e.Service != "" && e.Sprite != "":
		return fmt.Sprintf("service %q not found on sprite %q", e.Service, e.Sprite)
	case e.Service != "":
		return fmt.Sprintf("service %q not found", e.Service)
	case e.Sprite != "":
		return fmt.Sprintf("sprite %q not found", e.Sprite)
	default:
		return "not found"
	}
}

// routeMissing reports a 404 from the router rather than from the
// services API: plain text "404 page not found", no JSON.
func (e *APIError) routeMissing() bool {
	return e.StatusCode == http.StatusNotFound && e.Code == "" && e.Message == "" &&
		strings.Contains(e.Body, "page not found")
}

// Detail is the server's own words: the JSON message (and code), else the
// trimmed body text.
func (e *APIError) Detail() string {
	switch {
	case e.Message != "" && e.Code != "" && e.Code != e.Message:
		return e.Code + ": " + e.Message
	case e.Message != "":
		return e.Message
	case e.Code != "":
		return e.Code
	default:
		return e.Body
	}
}

// Unwrap maps the status to its sentinel (two for a not-running 409) so
// callers can use errors.Is.
func (e *APIError) Unwrap() []error {
	if s := e.sentinel(); s != nil {
		if s == ErrConflict && e.notRunning() {
			return []error{ErrConflict, ErrNotRunning}
		}
		return []error{s}
	}
	return nil
}

// notRunning reports a 409 that says the service is not running, in the
// words of either runtime ("service \"web\" is not running (status
// stopped)", "service not running").
func (e *APIError) notRunning() bool {
	return e.StatusCode == http.StatusConflict &&
		strings.Contains(strings.ToLower(e.Detail()), "not running")
}

// sentinel is the one sentinel of the status, or nil.
func (e *APIError) sentinel() error {
	switch {
	case e.StatusCode == http.StatusNotFound:
		return ErrNotFound
	case e.StatusCode == http.StatusConflict:
		return ErrConflict
	case e.StatusCode == http.StatusUnauthorized || e.StatusCode == http.StatusForbidden:
		return ErrUnauthorized
	case e.StatusCode == http.StatusTooManyRequests:
		return ErrRateLimited
	case e.StatusCode == http.StatusBadRequest:
		return ErrBadRequest
	case e.StatusCode >= 500:
		return ErrServer
	}
	return nil
}

// IsNotFound reports whether err is a 404 of the API.
func IsNotFound(err error) bool { return errors.Is(err, ErrNotFound) }

// IsConflict reports whether err is a 409 of the API.
func IsConflict(err error) bool { return errors.Is(err, ErrConflict) }

// IsUnauthorized reports whether err is a 401 or 403 of the API.
func IsUnauthorized(err error) bool { return errors.Is(err, ErrUnauthorized) }

// IsNotRunning reports whether err is a 409 saying the service is not
// running: for a stop, the service is already stopped.
func IsNotRunning(err error) bool { return errors.Is(err, ErrNotRunning) }

// IsTimeout reports whether the API did not answer within the client's
// own limits (not the caller's context).
func IsTimeout(err error) bool { return errors.Is(err, ErrTimeout) }

// IsRateLimited reports whether err is a 429 of the API.
func IsRateLimited(err error) bool { return errors.Is(err, ErrRateLimited) }

// IsRouteNotFound reports whether err is a 404 for an unknown route (plain
// text "404 page not found") rather than for a missing sprite or service.
func IsRouteNotFound(err error) bool {
	var ae *APIError
	return errors.As(err, &ae) && ae.routeMissing()
}

// newAPIError reads at most maxErrorBody bytes of resp's body into an APIError.
func newAPIError(op, sprite, service string, resp *http.Response, body []byte) *APIError {
	e := &APIError{Op: op, Sprite: sprite, Service: service, StatusCode: resp.StatusCode}
	e.RetryAfter = parseRetryAfter(resp.Header.Get("Retry-After"), time.Now())
	text := strings.TrimSpace(strings.ToValidUTF8(string(body), "\uFFFD"))
	var j struct {
		Error   any      `json:"error"`
		Message string   `json:"message"`
		Errors  []any    `json:"errors"`
		Retry   *float64 `json:"retry_after_seconds"`
	}
	if json.Unmarshal(body, &j) == nil {
		e.Code = jsonText(j.Error)
		e.Message = j.Message
		if e.Message == "" && len(j.Errors) > 0 {
			parts := make([]string, 0, len(j.Errors))
			for _, x := range j.Errors {
				parts = append(parts, jsonText(x))
			}
			e.Message = strings.Join(parts, "; ")
		}
		if e.RetryAfter == 0 && j.Retry != nil && *j.Retry > 0 {
			e.RetryAfter = secondsDuration(*j.Retry)
		}
	}
	if e.Code == "" && e.Message == "" {
		e.Body = truncateUTF8(text, 512)
	}
	return e
}

// maxRetryAfter caps a server's Retry-After: a larger figure (1e308
// seconds overflows a Duration into a negative one) is still "much later".
const maxRetryAfter = time.Hour

// secondsDuration converts a positive number of seconds from the wire to
// a Duration, capped at maxRetryAfter.
func secondsDuration(s float64) time.Duration {
	if s >= maxRetryAfter.Seconds() {
		return maxRetryAfter
	}
	return time.Duration(s * float64(time.Second))
}

// jsonText renders a decoded JSON error value (string, or object with a
// message) as text.
func jsonText(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case map[string]any:
		for _, k := range []string{"message", "error", "detail"} {
			if s, ok := x[k].(string); ok {
				return s
			}
		}
	}
	b, _ := json.Marshal(v)
	return string(b)
}

// truncateUTF8 cuts s to at most n bytes without splitting a rune, and
// says so with an ellipsis.
func truncateUTF8(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return textcut.Prefix(s, n) + "…"
}
