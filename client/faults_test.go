package client

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"
	"unicode/utf8"
)

// streamLines answers with NDJSON written and flushed line by line.
func streamLines(lines ...string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/x-ndjson")
		for _, l := range lines {
			io.WriteString(w, l)
			w.(http.Flusher).Flush()
		}
	}
}

func TestStreamCutMidLine(t *testing.T) {
	f := newFakeAPI(t, PathSprites)
	f.on("start", streamLines(`{"type":"started","timestamp":1}`+"\n",
		`{"type":"stdout","data":"whole\n"}`+"\n", `{"type":"stdout","data":"hal`))
	st, err := f.client().Start(context.Background(), "dev", "web", time.Second)
	if err != nil {
		t.Fatal(err)
	}
	evs, err := collect(t, st)
	if !errors.Is(err, ErrStreamCut) {
		t.Errorf("err = %v; want ErrStreamCut", err)
	}
	if len(evs) != 3 || evs[1].Data != "whole\n" {
		t.Fatalf("events = %+v", evs)
	}
	// What arrived of the cut line is kept, marked as cut, not raw JSON.
	if last := evs[2]; last.Type != EventStdout || last.Data != "hal" || !last.Truncated || last.Raw {
		t.Errorf("cut event = %+v; want stdout \"hal\", Truncated", last)
	}
	if st.Complete() {
		t.Error("a cut stream reports Complete")
	}
}

// The connection dies mid-stream, mid-line: the events before it arrive,
// then an error (never a hang or a clean end).
func TestStreamConnectionResetMidStream(t *testing.T) {
	f := newFakeAPI(t, PathSprites)
	gotFirst := make(chan struct{})
	f.on("logs", func(w http.ResponseWriter, r *http.Request) {
		conn, buf, err := w.(http.Hijacker).Hijack()
		if err != nil {
			t.Error(err)
			return
		}
		defer conn.Close()
		buf.WriteString("HTTP/1.1 200 OK\r\nContent-Type: application/x-ndjson\r\nTransfer-Encoding: chunked\r\n\r\n")
		line := `{"type":"stdout","data":"one\n"}` + "\n" + `{"type":"stdout","da`
		buf.WriteString(strings.ToLower(strconvHex(len(line))) + "\r\n" + line + "\r\n")
		buf.Flush()
		select {
		case <-gotFirst:
		case <-time.After(10 * time.Second):
		}
		conn.(*net.TCPConn).SetLinger(0) // RST
	})
	st, err := f.client().Logs(context.Background(), "dev", "web", LogsOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if !st.Next() || st.Event().Data != "one\n" {
		t.Fatalf("first event = %+v, err %v", st.Event(), st.Err())
	}
	close(gotFirst)
	for st.Next() {
	}
	err = st.Err()
	if err == nil {
		t.Fatal("a reset stream ended cleanly")
	}
	if !errors.Is(err, syscall.ECONNRESET) && !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Errorf("err = %v; want the reset or an unexpected EOF", err)
	}
	if !errors.Is(err, ErrStreamCut) {
		t.Errorf("err = %v; the last line was cut mid-way, so want ErrStreamCut too", err)
	}
}

func strconvHex(n int) string {
	const digits = "0123456789abcdef"
	if n == 0 {
		return "0"
	}
	var b []byte
	for ; n > 0; n /= 16 {
		b = append([]byte{digits[n%16]}, b...)
	}
	return string(b)
}

// A 10 MiB line costs bounded memory: its event keeps at most the cap,
// marked Truncated, and the stream goes on.
func TestStreamTenMebibyteLine(t *testing.T) {
	const size = 10 << 20
	big := bytes.Repeat([]byte("x"), size)
	jsonLine := append(append([]byte(`{"type":"stderr","timestamp":5,"data":"`), big...), "\"}\n"...)
	rawLine := append(append([]byte(nil), big...), '\n')
	for _, tc := range []struct {
		name string
		line []byte
		typ  EventType
		raw  bool
	}{{"json", jsonLine, EventStderr, false}, {"raw", rawLine, EventStdout, true}} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFakeAPI(t, PathSprites)
			f.on("logs", func(w http.ResponseWriter, r *http.Request) {
				w.Write(tc.line)
				io.WriteString(w, `{"type":"stdout","data":"after\n"}`+"\n")
				io.WriteString(w, `{"type":"complete","log_files":{"combined":"/l"}}`+"\n")
			})
			const maxData = 4 << 10
			c := f.client(WithMaxEventData(maxData))
			runtime.GC()
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			st, err := c.Logs(context.Background(), "dev", "web", LogsOptions{})
			if err != nil {
				t.Fatal(err)
			}
			evs, err := collect(t, st)
			runtime.ReadMemStats(&after)
			if err != nil || len(evs) != 3 || !st.Complete() {
				t.Fatalf("%d events, err %v, complete %v", len(evs), err, st.Complete())
			}
			ev := evs[0]
			if ev.Type != tc.typ || ev.Raw != tc.raw || !ev.Truncated || len(ev.Data) > maxData || len(ev.Data) < maxData/2 {
				t.Errorf("long event: type %s raw %v truncated %v, %d bytes kept; want about %d",
					ev.Type, ev.Raw, ev.Truncated, len(ev.Data), maxData)
			}
			if strings.Trim(ev.Data, "x") != "" {
				t.Errorf("long event data is not the line's start: %q…", ev.Data[:min(40, len(ev.Data))])
			}
			if evs[1].Data != "after\n" {
				t.Errorf("the line after the long one = %+v", evs[1])
			}
			// Allocated during the call, server side included: far less than
			// the 10 MiB line (the server writes from the prepared slice).
			if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 4<<20 {
				t.Errorf("reading a 10 MiB line allocated %d bytes; want well under it", alloc)
			}
		})
	}
}

func TestStreamInvalidUTF8(t *testing.T) {
	f := newFakeAPI(t, PathSprites)
	f.on("logs", streamLines(
		"{\"type\":\"stdout\",\"data\":\"bad \xff\xfe bytes\\n\"}\n",
		"raw \xc3\x28 line\n",
		"{\"type\":\"stderr\",\"message\":\"\xe2\x82\"}\n"))
	st, err := f.client().Logs(context.Background(), "dev", "web", LogsOptions{})
	if err != nil {
		t.Fatal(err)
	}
	evs, err := collect(t, st)
	if err != nil || len(evs) != 3 {
		t.Fatalf("%d events, err %v", len(evs), err)
	}
	want := []string{"bad \uFFFD\uFFFD bytes\n", "raw \uFFFD( line", "\uFFFD\uFFFD"}
	for i, ev := range evs {
		if !utf8.ValidString(ev.Data) || ev.Data != want[i] {
			t.Errorf("event %d data = %q; want %q", i, ev.Data, want[i])
		}
	}
	if evs[0].Raw || !evs[1].Raw || evs[2].Type != EventStderr {
		t.Errorf("events = %+v", evs)
	}
}

// stall answers with one event, then neither writes nor ends until the
// client goes away.
func stall(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/x-ndjson")
	io.WriteString(w, `{"type":"started","timestamp":1}`+"\n")
	w.(http.Flusher).Flush()
	select {
	case <-r.Context().Done():
	case <-time.After(30 * time.Second):
	}
}

func TestStreamStallsPastDeadline(t *testing.T) {
	f := newFakeAPI(t, PathSprites)
	f.on("start", stall)
	c := f.client(WithStreamMargin(200 * time.Millisecond))
	start := time.Now()
	st, err := c.Start(context.Background(), "dev", "web", 100*time.Millisecond)
	if err != nil {
		t.Fatal(err)
	}
	evs, err := collect(t, st)
	elapsed := time.Since(start)
	if len(evs) != 1 || evs[0].Type != EventStarted {
		t.Errorf("events = %+v; want the one sent before the stall", evs)
	}
	if !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), "start service: no end of stream within 300ms") {
		t.Errorf("err = %v; want the stream deadline, named", err)
	}
	if elapsed < 250*time.Millisecond || elapsed > 5*time.Second {
		t.Errorf("ended after %v; want about 300ms (window + margin)", elapsed)
	}

	// Stalling before the headers is cut off the same way.
	f.on("stop", func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-time.After(30 * time.Second):
		}
	})
	_, err = c.Stop(context.Background(), "dev", "web", 100*time.Millisecond)
	if !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), "stop service: no end of stream within 300ms") {
		t.Errorf("stall before headers: err = %v", err)
	}
}

// The caller's context wins over a longer stream deadline.
func TestStreamCallerContextWins(t *testing.T) {
	f := newFakeAPI(t, PathSprites)
	f.on("logs", stall)
	ctx, cancel := context.WithCancel(context.Background())
	st, err := f.client().Logs(ctx, "dev", "web", LogsOptions{Follow: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if !st.Next() {
		t.Fatalf("no first event: %v", st.Err())
	}
	time.AfterFunc(50*time.Millisecond, cancel)
	start := time.Now()
	for st.Next() {
	}
	if !errors.Is(st.Err(), context.Canceled) {
		t.Errorf("err = %v; want context.Canceled", st.Err())
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("took %v to notice the cancel", d)
	}
}

// A stream that ends without its complete event ends cleanly, and says so
// through Complete.
func TestStreamWithoutComplete(t *testing.T) {
	f := newFakeAPI(t, PathSprites)
	f.on("start", streamLines(`{"type":"started"}`+"\n", `{"type":"exit","exit_code":1}`+"\n"))
	st, err := f.client().Start(context.Background(), "dev", "web", time.Second)
	if err != nil {
		t.Fatal(err)
	}
	evs, err := collect(t, st)
	if err != nil || len(evs) != 2 || st.Complete() {
		t.Errorf("%d events, err %v, complete %v; want 2, nil, false", len(evs), err, st.Complete())
	}
	// An empty body is a stream with no events.
	f.on("start", status(http.StatusOK))
	st, err = f.client().Start(context.Background(), "dev", "web", time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if evs, err := collect(t, st); err != nil || len(evs) != 0 || st.Complete() {
		t.Errorf("empty body: %d events, err %v", len(evs), err)
	}
}

// Closing a stream early releases the connection: the server sees its
// request end.
func TestStreamCloseEarlyReleases(t *testing.T) {
	f := newFakeAPI(t, PathSprites)
	gone := make(chan struct{})
	f.on("logs", func(w http.ResponseWriter, r *http.Request) {
		defer close(gone)
		tick := time.NewTicker(5 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-r.Context().Done():
				return
			case <-tick.C:
				io.WriteString(w, `{"type":"stdout","data":"tick\n"}`+"\n")
				w.(http.Flusher).Flush()
			}
		}
	})
	st, err := f.client().Logs(context.Background(), "dev", "web", LogsOptions{Follow: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	if !st.Next() {
		t.Fatal(st.Err())
	}
	st.Close()
	st.Close() // twice is fine
	select {
	case <-gone:
	case <-time.After(5 * time.Second):
		t.Fatal("the server still streams 5s after Close")
	}
	if st.Next() {
		t.Error("Next after Close returned an event")
	}
}

// The iterator stops early without leaking and leaves Err clean.
func TestStreamAllBreak(t *testing.T) {
	st := NewStream(bufio.NewReader(bytes.NewReader(readFixture(t, "restart.ndjson"))), 0)
	n := 0
	for ev := range st.All() {
		n++
		if ev.Type == EventStopped {
			break
		}
	}
	if n != 2 || st.Err() != nil {
		t.Errorf("broke after %d events, err %v", n, st.Err())
	}
	if !st.Next() || st.Event().Type != EventStarted {
		t.Errorf("after a break the next event is %+v", st.Event())
	}
}

// Close from another goroutine stops a Next that waits for data.
func TestStreamCloseFromAnotherGoroutine(t *testing.T) {
	f := newFakeAPI(t, PathSocket)
	f.on("logs", stall)
	st, err := f.client().Logs(context.Background(), "", "web", LogsOptions{Follow: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	if !st.Next() {
		t.Fatal(st.Err())
	}
	time.AfterFunc(50*time.Millisecond, func() { st.Close() })
	done := make(chan bool)
	go func() { done <- st.Next() }()
	select {
	case more := <-done:
		if more {
			t.Error("Next returned an event after Close")
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Next still waits 5s after Close")
	}
}

// A 10 MB JSON event whose "type" comes after its data, then a plain-text
// line: the long event is decoded (its data capped, marked Truncated, its
// type and timestamp read from the end of the line), not shown as raw
// JSON, and every line after it arrives, with or without a final newline.
func TestStreamLongEventTypeLastThenPlainLine(t *testing.T) {
	const size = 10 << 20
	big := bytes.Repeat([]byte("x"), size)
	line := append(append([]byte(`{"data":"`), big...), `","timestamp":7,"type":"stderr"}`+"\n"...)
	for _, last := range []string{"plain text after\n", "plain text after"} {
		f := newFakeAPI(t, PathSprites)
		f.on("logs", func(w http.ResponseWriter, r *http.Request) {
			w.Write(line)
			io.WriteString(w, `{"type":"stdout","data":"json after\n"}`+"\n")
			io.WriteString(w, last)
		})
		st, err := f.client().Logs(context.Background(), "dev", "web", LogsOptions{})
		if err != nil {
			t.Fatal(err)
		}
		evs, err := collect(t, st)
		if err != nil || len(evs) != 3 {
			t.Fatalf("last line %q: %d events, err %v: %+v", last, len(evs), err, evs)
		}
		long := evs[0]
		if long.Type != EventStderr || long.Raw || !long.Truncated || long.Timestamp != 7 ||
			len(long.Data) != DefaultMaxEventData || strings.Trim(long.Data, "x") != "" {
			t.Errorf("long event: type %s raw %v truncated %v ts %d, %d bytes %.20q; want stderr, its data capped",
				long.Type, long.Raw, long.Truncated, long.Timestamp, len(long.Data), long.Data)
		}
		if evs[1].Data != "json after\n" || evs[2].Data != "plain text after" || !evs[2].Raw {
			t.Errorf("lines after the long one: %+v", evs[1:])
		}
	}
}

// A long JSON line whose type cannot be read (cut before and kept end
// without it) is still its data, as stdout, not JSON text.
func TestSalvageWithoutType(t *testing.T) {
	var p eventParser
	ev, ok := decodeLine(&p, []byte(`{"data":"abc\"def`), []byte(`xxxx","timestamp":3}`), true, 64)
	if !ok || ev.Type != EventStdout || ev.Raw || !ev.Truncated || ev.Data != `abc"def` || ev.Timestamp != 3 {
		t.Errorf("event = %+v", ev)
	}
	// A quoted "type" inside the data is not the key.
	ev, _ = decodeLine(&p, []byte(`{"data":"say \"type\": \"x\"`), []byte(`yy\"type\":\"exit\"","type":"stderr"}`), true, 64)
	if ev.Type != EventStderr {
		t.Errorf("type = %q; want stderr from the key, not the data", ev.Type)
	}
}
