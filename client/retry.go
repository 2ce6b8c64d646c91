package client

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/sprites-mcp/sprites-mcp/internal/backoff"
)

// retryPolicy bounds the retries of idempotent reads.
type retryPolicy struct {
	tries int           // attempts in all, first included
	base  time.Duration // first backoff, doubled per attempt, jittered
	max   time.Duration // longest wait, Retry-After included
}

var defaultRetry = retryPolicy{tries: 3, base: 200 * time.Millisecond, max: 10 * time.Second}

// WithRetry sets how many attempts idempotent reads get (1 disables
// retries) and the first backoff.
func WithRetry(tries int, base time.Duration) Option {
	return func(c *Client) {
		c.retry.tries = max(tries, 1)
		if base > 0 {
			c.retry.base = base
		}
	}
}

// retryable says whether a failed idempotent call may be tried again:
// 429, 502, 503, 504, a try with no headers in time, and connections
// refused, reset or closed before an answer (what a proxy in front of a waking Sprite tends to do).
func retryable(err error) bool {
	var ae *APIError
	if errors.As(err, &ae) {
		switch ae.StatusCode {
		case http.StatusTooManyRequests, http.StatusBadGateway,
			http.StatusServiceUnavailable, http.StatusGatewayTimeout:
			return true
		}
		return false
	}
	var te *TimeoutError
	if errors.As(err, &te) && te.headers {
		return true // one try went unanswered; the read limit bounds the rest
	}
	return errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.ECONNRESET) ||
		errors.Is(err, syscall.EPIPE) || errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) ||
		strings.Contains(err.Error(), "server closed idle connection")
}

// delay is the wait before attempt+1: Retry-After when the server gave one
// (capped), else exponential backoff: the first wait is between base/2 and
// base, each further one doubles, spread wide (Jitter 1) because many
// clients may be retrying against the same waking Sprite.
func (p retryPolicy) delay(attempt int, err error) time.Duration {
	var ae *APIError
	if errors.As(err, &ae) && ae.RetryAfter > 0 {
		return min(ae.RetryAfter, p.max)
	}
	return backoff.Policy{Floor: p.base / 2, Cap: p.max, Jitter: 1}.Delay(attempt)
}

// parseRetryAfter reads a Retry-After header: seconds or an HTTP date.
func parseRetryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	if s, err := strconv.ParseFloat(v, 64); err == nil && s > 0 {
		return secondsDuration(s)
	}
	if t, err := http.ParseTime(v); err == nil && t.After(now) {
		return t.Sub(now)
	}
	return 0
}

// fitsDeadline reports whether waiting d still leaves ctx time to try
// again; when it does not, the caller gives up at once instead of sleeping
// into a certain failure.
func fitsDeadline(ctx context.Context, d time.Duration) bool {
	dl, ok := ctx.Deadline()
	return !ok || time.Until(dl) > d
}

// sleepCtx waits d or until ctx ends; it reports whether d passed.
func sleepCtx(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}
