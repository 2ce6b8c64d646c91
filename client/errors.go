package client

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"
	"unicode/utf8"
)

// Sentinel errors that an *APIError unwraps to, for errors.Is.
var (
	ErrNotFound     = errors.New("not found")
	ErrConflict     = errors.New("conflict")
	ErrUnauthorized = errors.New("unauthorized")
	ErrRateLimited  = errors.New("rate limited")
	ErrBadRequest   = errors.New("bad request")
	ErrServer       = errors.New("server error")
	// ErrInvalidName is returned, wrapped, for a sprite or service name the
	// API would misroute or refuse; nothing is sent.
	ErrInvalidName = errors.New("invalid name")
	// ErrStreamCut is returned by Stream.Err when the stream ended in the
	// middle of a line.
	ErrStreamCut = errors.New("stream cut mid-line")
)

// maxErrorBody bounds how much of an error response is read and kept.
const maxErrorBody = 1 << 10

// APIError is every non-2xx answer of the API.
type APIError struct {
	Op         string // e.g. "get service", "start service"
	Sprite     string // empty for list sprites and on the socket
	Service    string // empty for list and list sprites
	StatusCode int
	// Code and Message come from a JSON error body ({"error","message"} or
	// {"errors":[...]}); Body is the trimmed text otherwise.
	Code       string
	Message    string
	Body       string
	RetryAfter time.Duration // from Retry-After or retry_after_seconds on 429
}

func (e *APIError) Error() string {
	var b strings.Builder
	b.WriteString(e.Op)
	b.WriteString(": ")
	b.WriteString(e.subject())
	switch e.StatusCode {
	case http.StatusNotFound:
		b.WriteString(" not found")
	case http.StatusConflict:
		b.WriteString(": conflict")
	case http.StatusUnauthorized:
		b.WriteString(": unauthorized (check SPRITES_TOKEN)")
	case http.StatusForbidden:
		b.WriteString(": forbidden for this token")
	case http.StatusTooManyRequests:
		b.WriteString(": rate limited")
		if e.RetryAfter > 0 {
			fmt.Fprintf(&b, ", retry after %s", e.RetryAfter)
		}
	default:
		fmt.Fprintf(&b, ": HTTP %d", e.StatusCode)
	}
	if d := e.Detail(); d != "" {
		b.WriteString(" (")
		b.WriteString(d)
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

// Unwrap maps the status to a sentinel so callers can use errors.Is.
func (e *APIError) Unwrap() error {
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

// IsRateLimited reports whether err is a 429 of the API.
func IsRateLimited(err error) bool { return errors.Is(err, ErrRateLimited) }

// IsRouteNotFound reports whether err is a 404 for an unknown route (plain
// text "404 page not found") rather than for a missing sprite or service.
func IsRouteNotFound(err error) bool {
	var ae *APIError
	return errors.As(err, &ae) && ae.StatusCode == http.StatusNotFound &&
		ae.Code == "" && ae.Message == "" && strings.Contains(ae.Body, "page not found")
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
			e.RetryAfter = time.Duration(*j.Retry * float64(time.Second))
		}
	}
	if e.Code == "" && e.Message == "" {
		e.Body = truncateUTF8(text, 512)
	}
	return e
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

// truncateUTF8 cuts s to at most n bytes without splitting a rune.
func truncateUTF8(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}
