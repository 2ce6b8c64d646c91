// Package faultserver is a test helper: a real HTTP server on 127.0.0.1
// that speaks the Sprites Services API wire contract and misbehaves in one
// chosen way on every request. Tests of the client, the tools and the
// resources point a client at it to prove that every call ends within its
// deadline with a clear error, or a stream marked as cut — never a hang
// or a panic:
//
//	for _, f := range faultserver.All() {
//		srv := faultserver.New(t, f)
//		c, _ := client.New(srv.URL, ...)
//		...
//	}
//
// It serves both path styles (/v1/sprites/{sprite}/services/... and
// /v1/services/...) and /v1/sprites. Without a fault (OK) every route gives
// its documented answer: JSON for list, get and list sprites, an NDJSON
// event stream for create, start, stop, restart and logs, 204 for delete
// and signal. It is a normal package so that tests of several packages can
// share it; nothing but tests imports it.
package faultserver

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// Fault is one way of misbehaving.
type Fault string

// The faults. What each does depends on the kind of route: a stream
// (create, start, stop, restart, logs), a JSON answer (list, get, list
// sprites) or an empty one (delete, signal).
const (
	// OK is no fault: the documented answers.
	OK Fault = "ok"
	// Status500 ... Status409 answer that status with a JSON or text body as
	// the API does. 429 carries Retry-After: 1 (and retry_after_seconds);
	// 409 says the service is not running, the answer to a stop of a
	// stopped service; 404 is a missing service.
	Status500 Fault = "500"
	Status502 Fault = "502"
	Status503 Fault = "503"
	Status429 Fault = "429 retry-after"
	Status401 Fault = "401"
	Status404 Fault = "404"
	Status409 Fault = "409 not running"
	// ResetMidStream sends the headers and the first part of the answer,
	// then resets the connection (TCP RST). Empty routes reset before
	// answering.
	ResetMidStream Fault = "reset mid-stream"
	// CutLine ends the answer cleanly in the middle of a JSON line (a
	// stream) or object (a JSON answer).
	CutLine Fault = "cut JSON line"
	// HugeLine sends one line of HugeLineSize bytes (100 MB by default),
	// generated as it is written, never held in memory: an event whose
	// data is that long, or a JSON answer whose cmd is.
	HugeLine Fault = "100 MB line"
	// InvalidUTF8 puts bytes that are not UTF-8 in data, plain lines and
	// JSON strings.
	InvalidUTF8 Fault = "invalid UTF-8"
	// NoHeaders never answers: no status line, no headers, until the
	// client goes away.
	NoHeaders Fault = "headers never come"
	// StallMidStream sends the headers and the first part of the answer,
	// then nothing, until the client goes away. Empty routes answer 204 at
	// once: they have nothing to stall.
	StallMidStream Fault = "stall mid-stream"
	// NoComplete ends a stream cleanly without its complete event; other
	// routes answer normally.
	NoComplete Fault = "no complete"
	// SlowDrip sends the headers, then one byte every DripInterval, for
	// ever: events on a stream, blanks (valid JSON whitespace) before a
	// JSON answer that never comes.
	SlowDrip Fault = "slow drip"
)

// All returns every fault, OK excluded, in a fixed order.
func All() []Fault {
	return []Fault{Status500, Status502, Status503, Status429, Status401, Status404, Status409,
		ResetMidStream, CutLine, HugeLine, InvalidUTF8, NoHeaders, StallMidStream, NoComplete, SlowDrip}
}

// DefaultHugeLineSize is the length of HugeLine's line.
const DefaultHugeLineSize = 100 << 20

// Server is a running fault server; it stops when the test ends.
type Server struct {
	// URL is the base to give client.New (http://127.0.0.1:port).
	URL   string
	Fault Fault
	// HugeLineSize and DripInterval tune HugeLine and SlowDrip; set them
	// before the first request.
	HugeLineSize int
	DripInterval time.Duration
	// Routes, when set, limits the fault to these routes; the others answer
	// OK (a stop that gets a 409 while the read after it works). The names:
	// list, get, put, delete, start, stop, restart, signal, logs, sprites.
	Routes []string

	srv      *httptest.Server
	quit     chan struct{}
	requests atomic.Int64
}

// New starts a server that answers every request with fault f, and stops
// it (ending every held request) when t ends.
func New(t testing.TB, f Fault) *Server {
	t.Helper()
	s := &Server{Fault: f, HugeLineSize: DefaultHugeLineSize, DripInterval: 20 * time.Millisecond,
		quit: make(chan struct{})}
	s.srv = httptest.NewServer(http.HandlerFunc(s.serve))
	s.URL = s.srv.URL
	t.Cleanup(func() {
		close(s.quit)
		s.srv.Close()
	})
	return s
}

// Requests returns how many requests the server has received.
func (s *Server) Requests() int { return int(s.requests.Load()) }

// kind is what a route answers with.
type kind int

const (
	kindStream kind = iota
	kindJSON
	kindEmpty
)

// route names a request: list, get, put, delete, start, stop, restart,
// signal, logs or sprites, and the service it is about.
func route(r *http.Request) (name, service string) {
	p := strings.TrimPrefix(r.URL.Path, "/v1/")
	if p == "sprites" || p == "sprites/" {
		return "sprites", ""
	}
	if strings.HasPrefix(p, "sprites/") {
		// sprites/{sprite}/services/...
		if parts := strings.SplitN(p, "/", 3); len(parts) == 3 {
			p = parts[2]
		}
	}
	segs := strings.Split(strings.Trim(strings.TrimPrefix(p, "services"), "/"), "/")
	switch {
	case len(segs) == 1 && segs[0] == "":
		return "list", ""
	case len(segs) == 1 && segs[0] == "signal":
		return "signal", ""
	case len(segs) == 1:
		switch r.Method {
		case http.MethodPut:
			return "put", segs[0]
		case http.MethodDelete:
			return "delete", segs[0]
		}
		return "get", segs[0]
	default:
		return segs[1], segs[0] // start, stop, restart, logs
	}
}

func kindOf(name string) kind {
	switch name {
	case "list", "get", "sprites":
		return kindJSON
	case "delete", "signal":
		return kindEmpty
	}
	return kindStream
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	s.requests.Add(1)
	name, service := route(r)
	if service == "" {
		service = "web"
	}
	k := kindOf(name)
	fault := s.Fault
	if len(s.Routes) > 0 && !slices.Contains(s.Routes, name) {
		fault = OK
	}
	switch fault {
	case Status500, Status502, Status503, Status429, Status401, Status404, Status409:
		s.status(w, fault, service)
	case ResetMidStream:
		s.reset(w, k, name, service)
	case CutLine:
		s.begin(w, k)
		body := answer(k, name, service, "")
		io.WriteString(w, body[:len(body)*2/3])
		if k == kindStream {
			io.WriteString(w, `{"type":"stdout","data":"cut her`)
		}
	case HugeLine:
		s.huge(w, k, name)
	case InvalidUTF8:
		s.begin(w, k)
		if k == kindStream {
			io.WriteString(w, "{\"type\":\"stdout\",\"data\":\"bad \xff\xfe bytes\\n\"}\n")
			io.WriteString(w, "plain \xc3\x28 line\n")
		}
		io.WriteString(w, answer(k, name, service, "\xff\xe2\x82"))
	case NoHeaders:
		s.hold(r)
	case StallMidStream:
		s.begin(w, k)
		if k == kindEmpty {
			// A 204 is whole once its headers are out; holding the handler
			// would only stall the next request on the connection, which
			// the client reuses.
			return
		}
		body := answer(k, name, service, "")
		io.WriteString(w, body[:len(body)/2])
		w.(http.Flusher).Flush()
		s.hold(r)
	case NoComplete:
		s.begin(w, k)
		body := answer(k, name, service, "")
		if k == kindStream {
			body = body[:strings.LastIndex(strings.TrimSuffix(body, "\n"), "\n")+1]
		}
		io.WriteString(w, body)
	case SlowDrip:
		s.drip(w, r, k)
	default: // OK
		s.begin(w, k)
		io.WriteString(w, answer(k, name, service, ""))
	}
}

// begin writes the success headers of a route of kind k.
func (s *Server) begin(w http.ResponseWriter, k kind) {
	switch k {
	case kindStream:
		w.Header().Set("Content-Type", "application/x-ndjson")
		w.WriteHeader(http.StatusOK)
	case kindJSON:
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusOK)
	default:
		w.WriteHeader(http.StatusNoContent)
	}
}

// answer is the documented body of a route; bad is put into its strings
// (for InvalidUTF8).
func answer(k kind, name, service, bad string) string {
	switch k {
	case kindEmpty:
		return ""
	case kindJSON:
		svc := fmt.Sprintf(`{"name":%q,"cmd":"sleep%s","args":["1000"],"needs":null,`+
			`"state":{"name":%q,"status":"running","pid":42,"started_at":"2026-06-02T17:11:17Z","restart_count":0}}`,
			service, bad, service)
		switch name {
		case "list":
			return "[" + svc + "]\n"
		case "sprites":
			return fmt.Sprintf(`{"sprites":[{"name":"mcp-dev%s","status":"running"}],"has_more":false}`, bad) + "\n"
		}
		return svc + "\n"
	}
	var b strings.Builder
	line := func(format string, a ...any) { fmt.Fprintf(&b, format+"\n", a...) }
	switch name {
	case "stop":
		line(`{"type":"stopping","timestamp":1780420277821}`)
		line(`{"type":"stopped","exit_code":143,"timestamp":1780420277901}`)
	case "logs":
		line(`{"type":"stdout","data":"hello%s\n","timestamp":1780420277821}`, bad)
		line(`{"type":"stderr","data":"warn\n","timestamp":1780420277901}`)
	default:
		line(`{"type":"started","timestamp":1780420277821}`)
		line(`{"type":"stdout","data":"serving%s\n","timestamp":1780420277901}`, bad)
	}
	line(`{"type":"complete","log_files":{"combined":"/.sprite/logs/services/%s.log"},"timestamp":1780420282821}`, service)
	return b.String()
}

// status answers the fault's status as the API does.
func (s *Server) status(w http.ResponseWriter, fault Fault, service string) {
	code, body, ctype := 0, "", "application/json"
	switch fault {
	case Status500:
		code, body = 500, `{"error":"internal","message":"internal server error"}`
	case Status502:
		code, body, ctype = 502, "bad gateway", "text/plain"
	case Status503:
		code, body = 503, `{"error":"unavailable","message":"sprite is waking up"}`
	case Status429:
		w.Header().Set("Retry-After", "1")
		code, body = 429, `{"error":"rate_limited","message":"too many requests","retry_after_seconds":1}`
	case Status401:
		code, body = 401, `{"error":"unauthorized","message":"invalid token"}`
	case Status404:
		code, body = 404, fmt.Sprintf(`{"error":"not_found","message":"service %q not found"}`, service)
	case Status409:
		code, body, ctype = 409, fmt.Sprintf("service %q is not running (status stopped)", service), "text/plain"
	}
	w.Header().Set("Content-Type", ctype)
	w.WriteHeader(code)
	io.WriteString(w, body+"\n")
}

// reset sends the headers and part of the answer (nothing on an empty
// route), then resets the connection.
func (s *Server) reset(w http.ResponseWriter, k kind, name, service string) {
	conn, buf, err := w.(http.Hijacker).Hijack()
	if err != nil {
		return
	}
	defer conn.Close()
	if k != kindEmpty {
		body := answer(k, name, service, "")
		part := body[:len(body)/2]
		fmt.Fprintf(buf, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s", len(body), part)
		buf.Flush()
	}
	if tc, ok := conn.(*net.TCPConn); ok {
		tc.SetLinger(0) // close sends RST
	}
}

// huge writes one line of HugeLineSize bytes from a small buffer.
func (s *Server) huge(w http.ResponseWriter, k kind, name string) {
	s.begin(w, k)
	if k == kindEmpty {
		return // a 204 has no body
	}
	head, foot := `{"name":"web","cmd":"`, `","state":{"status":"running"}}`+"\n"
	if k == kindStream {
		io.WriteString(w, `{"type":"started","timestamp":1}`+"\n")
		head, foot = `{"type":"stdout","data":"`, `","timestamp":2}`+"\n"
	}
	bw := bufio.NewWriterSize(w, 64<<10)
	bw.WriteString(head)
	chunk := []byte(strings.Repeat("x", 64<<10))
	for left := s.HugeLineSize; left > 0; left -= len(chunk) {
		if _, err := bw.Write(chunk[:min(left, len(chunk))]); err != nil {
			return // the client went away
		}
	}
	bw.WriteString(foot)
	if k == kindStream {
		bw.WriteString(`{"type":"stdout","data":"after the long line\n"}` + "\n")
		bw.WriteString(`{"type":"complete","timestamp":3}` + "\n")
	}
	bw.Flush()
}

// drip sends one byte every DripInterval until the client goes away.
func (s *Server) drip(w http.ResponseWriter, r *http.Request, k kind) {
	if k == kindEmpty {
		// An empty answer has no body to drip: it holds the answer back,
		// like NoHeaders.
		s.hold(r)
		return
	}
	w.Header().Set("Content-Type", "application/x-ndjson")
	w.WriteHeader(http.StatusOK)
	w.(http.Flusher).Flush()
	src := " "
	if k == kindStream {
		src = `{"type":"stdout","data":"drip\n"}` + "\n"
	}
	t := time.NewTicker(s.DripInterval)
	defer t.Stop()
	for i := 0; ; i++ {
		select {
		case <-r.Context().Done():
			return
		case <-s.quit:
			return
		case <-t.C:
		}
		if _, err := io.WriteString(w, src[i%len(src):i%len(src)+1]); err != nil {
			return
		}
		w.(http.Flusher).Flush()
	}
}

// hold waits until the client goes away or the server stops; then it
// aborts the answer, so the connection closes without completing it (a
// handler that returned would finish an empty 200).
func (s *Server) hold(r *http.Request) {
	select {
	case <-r.Context().Done():
	case <-s.quit:
	}
	panic(http.ErrAbortHandler)
}
