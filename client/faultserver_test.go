package client_test

import (
	"context"
	"errors"
	"fmt"
	"runtime/debug"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/sprites-mcp/sprites-mcp/client"
	"github.com/sprites-mcp/sprites-mcp/internal/faultserver"
)

// The client's limits in TestEveryCallThroughEveryFault: short, so a
// fault that would hang costs seconds, not minutes, yet long enough that a
// healthy answer on a loaded two-core machine under the race detector is
// never taken for a hung one (300ms was not: a delete, which is not
// retried, once waited longer for its headers).
const (
	faultHeader = 3 * time.Second
	faultRead   = 5 * time.Second
	faultMargin = 2 * time.Second
	faultWindow = 300 * time.Millisecond
	// faultSlack is what a loaded machine may add to a limit before the
	// call counts as hung.
	faultSlack = 8 * time.Second
	faultCap   = 4 << 10 // event data cap
)

// outcome is what one call gave: its error, and for a stream what was read.
type outcome struct {
	err      error // from opening the call
	streamed bool  // it returned a stream
	events   []client.Event
	end      error // the stream's Err
	complete bool
}

// faultCall is one client call with the bound it must end within.
type faultCall struct {
	name   string
	kind   string // "stream", "json" or "empty"
	bound  time.Duration
	invoke func(ctx context.Context, c *client.Client) outcome
}

func streamed(st *client.Stream, err error) outcome {
	if err != nil {
		return outcome{err: err}
	}
	defer st.Close()
	o := outcome{streamed: true}
	for st.Next() {
		o.events = append(o.events, st.Event())
	}
	o.end, o.complete = st.Err(), st.Complete()
	return o
}

func faultCalls() []faultCall {
	stream := faultWindow + faultMargin
	return []faultCall{
		{"list", "json", faultRead, func(ctx context.Context, c *client.Client) outcome {
			_, err := c.List(ctx, "dev")
			return outcome{err: err}
		}},
		{"get", "json", faultRead, func(ctx context.Context, c *client.Client) outcome {
			_, err := c.Get(ctx, "dev", "web")
			return outcome{err: err}
		}},
		{"list sprites", "json", faultRead, func(ctx context.Context, c *client.Client) outcome {
			_, err := c.ListSprites(ctx, client.ListSpritesOptions{})
			return outcome{err: err}
		}},
		{"delete", "empty", faultRead, func(ctx context.Context, c *client.Client) outcome {
			return outcome{err: c.Delete(ctx, "dev", "web")}
		}},
		{"signal", "empty", faultRead, func(ctx context.Context, c *client.Client) outcome {
			return outcome{err: c.Signal(ctx, "dev", "web", "HUP")}
		}},
		{"create", "stream", stream, func(ctx context.Context, c *client.Client) outcome {
			return streamed(c.Put(ctx, "dev", "web", client.ServiceRequest{Cmd: "sleep"}, faultWindow))
		}},
		{"start", "stream", stream, func(ctx context.Context, c *client.Client) outcome {
			return streamed(c.Start(ctx, "dev", "web", faultWindow))
		}},
		{"stop", "stream", stream, func(ctx context.Context, c *client.Client) outcome {
			return streamed(c.Stop(ctx, "dev", "web", faultWindow))
		}},
		{"restart", "stream", stream, func(ctx context.Context, c *client.Client) outcome {
			return streamed(c.Restart(ctx, "dev", "web", faultWindow))
		}},
		{"logs", "stream", faultRead, func(ctx context.Context, c *client.Client) outcome {
			return streamed(c.Logs(ctx, "dev", "web", client.LogsOptions{Lines: 100}))
		}},
		{"logs follow", "stream", stream, func(ctx context.Context, c *client.Client) outcome {
			return streamed(c.Logs(ctx, "dev", "web", client.LogsOptions{Follow: faultWindow}))
		}},
	}
}

// TestEveryCallThroughEveryFault drives every client call through every
// fault of the fault server: each ends within its bound with a clear,
// typed error or a stream marked as cut — never a hang or a panic.
func TestEveryCallThroughEveryFault(t *testing.T) {
	faults := append([]faultserver.Fault{faultserver.OK}, faultserver.All()...)
	for _, fault := range faults {
		t.Run(string(fault), func(t *testing.T) {
			if fault != faultserver.HugeLine {
				// The 100 MB lines run alone first: in parallel they
				// starve the other faults' healthy answers of CPU.
				t.Parallel()
			}
			srv := faultserver.New(t, fault)
			c, err := client.New(srv.URL, client.WithRetry(3, 10*time.Millisecond),
				client.WithHeaderTimeout(faultHeader), client.WithReadTimeout(faultRead),
				client.WithStreamMargin(faultMargin), client.WithMaxEventData(faultCap))
			if err != nil {
				t.Fatal(err)
			}
			// The calls of one fault run at once: most of them wait out a
			// limit, and the test's parallelism is only the core count.
			var wg sync.WaitGroup
			for _, call := range faultCalls() {
				wg.Go(func() {
					o, took, panicked := runBounded(c, call)
					if panicked != "" {
						t.Errorf("%s: panic: %s", call.name, panicked)
						return
					}
					if took > call.bound+faultSlack {
						t.Errorf("%s: took %v; its bound is %v", call.name, took, call.bound)
					}
					if msg := checkOutcome(fault, call, o); msg != "" {
						t.Errorf("%s: %s", call.name, msg)
					}
				})
			}
			wg.Wait()
		})
	}
}

// runBounded runs one call, recovering a panic and giving up on a hang
// (reported as a took beyond any bound).
func runBounded(c *client.Client, call faultCall) (o outcome, took time.Duration, panicked string) {
	type result struct {
		o     outcome
		panic string
	}
	done := make(chan result, 1)
	start := time.Now()
	go func() {
		defer func() {
			if p := recover(); p != nil {
				done <- result{panic: fmt.Sprintf("%v\n%s", p, debug.Stack())}
			}
		}()
		done <- result{o: call.invoke(context.Background(), c)}
	}()
	select {
	case r := <-done:
		return r.o, time.Since(start), r.panic
	case <-time.After(call.bound + 2*faultSlack):
		return outcome{}, time.Since(start), ""
	}
}

// checkOutcome says what is wrong with o for this fault and call, or "".
func checkOutcome(fault faultserver.Fault, call faultCall, o outcome) string {
	for _, ev := range o.events {
		if len(ev.Data) > faultCap || !utf8.ValidString(ev.Data) || ev.Type == "" {
			return fmt.Sprintf("bad event: %s, %d bytes of data, valid UTF-8 %v", ev.Type, len(ev.Data), utf8.ValidString(ev.Data))
		}
	}
	err := o.err
	if err == nil && o.streamed {
		err = o.end
	}
	if err != nil && !strings.Contains(err.Error(), "service") && !strings.Contains(err.Error(), "sprites") &&
		!strings.HasPrefix(err.Error(), "read logs: ") {
		return fmt.Sprintf("error %q does not name the operation", err)
	}
	wantStatus := map[faultserver.Fault]int{
		faultserver.Status500: 500, faultserver.Status502: 502, faultserver.Status503: 503,
		faultserver.Status429: 429, faultserver.Status401: 401, faultserver.Status404: 404,
		faultserver.Status409: 409,
	}
	if code, ok := wantStatus[fault]; ok {
		var ae *client.APIError
		if !errors.As(o.err, &ae) || ae.StatusCode != code {
			return fmt.Sprintf("err = %v; want an *APIError with status %d", o.err, code)
		}
		if fault == faultserver.Status409 && !client.IsNotRunning(o.err) {
			return fmt.Sprintf("err = %v; want it to match ErrNotRunning", o.err)
		}
		if fault == faultserver.Status429 && ae.RetryAfter != time.Second {
			return fmt.Sprintf("RetryAfter = %v; want 1s", ae.RetryAfter)
		}
		return ""
	}
	switch fault {
	case faultserver.OK, faultserver.InvalidUTF8:
		if err != nil || (o.streamed && !o.complete) {
			return fmt.Sprintf("err = %v, complete %v; want a clean, complete answer", err, o.complete)
		}
	case faultserver.NoComplete:
		if err != nil || o.complete {
			return fmt.Sprintf("err = %v, complete %v; want a clean end without complete", err, o.complete)
		}
	case faultserver.NoHeaders:
		if !client.IsTimeout(err) || !strings.Contains(err.Error(), "did not answer in time") {
			return fmt.Sprintf("err = %v; want the API did not answer in time (ErrTimeout)", err)
		}
	case faultserver.StallMidStream, faultserver.SlowDrip:
		if call.kind == "empty" && fault == faultserver.StallMidStream {
			// A 204 is whole once its headers are in.
			if err != nil {
				return fmt.Sprintf("err = %v; want success from the 204", err)
			}
			break
		}
		if !client.IsTimeout(err) {
			return fmt.Sprintf("err = %v; want ErrTimeout", err)
		}
	case faultserver.ResetMidStream:
		if err == nil {
			return "a reset connection gave no error"
		}
	case faultserver.CutLine:
		switch call.kind {
		case "json":
			if err == nil || !strings.Contains(err.Error(), "decode answer") {
				return fmt.Sprintf("err = %v; want a decode error", err)
			}
		case "stream":
			if !errors.Is(err, client.ErrStreamCut) {
				return fmt.Sprintf("err = %v; want ErrStreamCut", err)
			}
		}
	case faultserver.HugeLine:
		switch call.kind {
		case "json":
			if err == nil {
				return "a 100 MB answer was accepted"
			}
		case "stream":
			// Read whole (the line capped, the rest delivered) or cut off
			// by the deadline on a slow machine: either way, said.
			if err == nil && !o.complete || err != nil && !client.IsTimeout(err) && o.err == nil {
				return fmt.Sprintf("err = %v, complete %v", err, o.complete)
			}
			if err == nil && (len(o.events) < 3 || !o.events[1].Truncated) {
				return fmt.Sprintf("events = %d; want the long one truncated and those after it", len(o.events))
			}
		}
	}
	return ""
}

// A caller that cancels gets context.Canceled, not a timeout, even from a
// server that never answers.
func TestFaultCallerCancelWins(t *testing.T) {
	srv := faultserver.New(t, faultserver.NoHeaders)
	c, err := client.New(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(100*time.Millisecond, cancel)
	start := time.Now()
	_, err = c.Get(ctx, "dev", "web")
	if !errors.Is(err, context.Canceled) || client.IsTimeout(err) {
		t.Errorf("err = %v; want context.Canceled and no timeout", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("took %v to notice the cancel", d)
	}
	_, err = c.Start(ctx, "dev", "web", time.Hour)
	if !errors.Is(err, context.Canceled) || client.IsTimeout(err) {
		t.Errorf("stream: err = %v; want context.Canceled", err)
	}
}

// A read whose server never sends headers ends after the header timeout of
// each try, retries included, within the read timeout: the hung
// service_get of the issue.
func TestFaultHeadersNeverComeIsBounded(t *testing.T) {
	srv := faultserver.New(t, faultserver.NoHeaders)
	c, err := client.New(srv.URL, client.WithHeaderTimeout(200*time.Millisecond),
		client.WithReadTimeout(3*time.Second), client.WithRetry(3, 10*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	_, err = c.Get(context.Background(), "dev", "web")
	took := time.Since(start)
	var te *client.TimeoutError
	if !errors.As(err, &te) || te.What != "response headers" || !errors.Is(err, client.ErrTimeout) ||
		!errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v; want a *TimeoutError for the headers", err)
	}
	if !strings.Contains(err.Error(), "get service: the API did not answer in time (no response headers within 200ms)") ||
		!strings.Contains(err.Error(), "try again") {
		t.Errorf("message = %q", err)
	}
	if srv.Requests() != 3 {
		t.Errorf("%d tries; want 3 (a try without headers is retried)", srv.Requests())
	}
	if took < 500*time.Millisecond || took > 3*time.Second+faultSlack {
		t.Errorf("took %v; want three header timeouts, about 600ms", took)
	}

	// With a read limit shorter than the tries, the limit ends the call.
	c, _ = client.New(srv.URL, client.WithHeaderTimeout(time.Hour), client.WithReadTimeout(300*time.Millisecond))
	start = time.Now()
	_, err = c.List(context.Background(), "dev")
	if !errors.As(err, &te) || te.What != "whole answer" || time.Since(start) > 300*time.Millisecond+faultSlack {
		t.Errorf("err = %v after %v; want the read timeout", err, time.Since(start))
	}
}

// A stream's deadline is its window plus the margin: a 1s start whose
// stream stalls after started ends after about 1s + margin, not 16s.
func TestFaultStreamStallEndsAfterWindowPlusMargin(t *testing.T) {
	srv := faultserver.New(t, faultserver.StallMidStream)
	c, err := client.New(srv.URL, client.WithStreamMargin(500*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	st, err := c.Start(context.Background(), "dev", "web", time.Second)
	if err != nil {
		t.Fatal(err)
	}
	for st.Next() {
	}
	st.Close()
	took := time.Since(start)
	var de *client.StreamDeadlineError
	if !errors.As(st.Err(), &de) || !client.IsTimeout(st.Err()) || !strings.Contains(st.Err().Error(), "did not answer in time") {
		t.Errorf("err = %v; want a *StreamDeadlineError", st.Err())
	}
	if took < 1400*time.Millisecond || took > 1500*time.Millisecond+faultSlack {
		t.Errorf("took %v; want about 1.5s", took)
	}
	if d, _ := client.New(srv.URL); d == nil || client.StreamMargin > 5*time.Second {
		t.Errorf("the default margin is %v; want a few seconds", client.StreamMargin)
	}
}
