package client

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// These tests run the client against a real unix-socket server in the
// socket path style whose logs route is missing ("404 page not found"), as
// inside a Sprite, with real log files in a temp dir.

// spriteSocket is a socket server without the logs route, and a client of
// it reading logs from dir.
func spriteSocket(t *testing.T, opts ...Option) (*fakeAPI, *Client, string) {
	t.Helper()
	f := newFakeAPI(t, PathSocket)
	f.on("logs", nil) // the router's plain 404
	dir := t.TempDir()
	return f, f.client(append([]Option{WithLogDir(dir)}, opts...)...), dir
}

// writeLines writes n runtime lines to path, stdout and stderr in turn,
// one millisecond apart, and returns them as the events they stand for.
func writeLines(t *testing.T, path string, n int) []Event {
	t.Helper()
	var b strings.Builder
	evs := make([]Event, n)
	for i := range n {
		typ := []EventType{EventStdout, EventStderr}[i%2]
		at := logStamp.Add(time.Duration(i) * time.Millisecond)
		text := fmt.Sprintf("line %d %s", i, strings.Repeat("x", i%300))
		b.WriteString(diskLine(at, typ, text))
		evs[i] = Event{Type: typ, Data: text + "\n", Timestamp: at.UnixMilli()}
	}
	writeLog(t, path, b.String())
	return evs
}

// wantOutput fails unless got is want followed by one complete event.
func wantOutput(t *testing.T, got, want []Event) {
	t.Helper()
	if len(got) != len(want)+1 {
		t.Fatalf("got %d events; want %d lines and complete", len(got), len(want))
	}
	for i, w := range want {
		g := got[i]
		if g.Type != w.Type || g.Data != w.Data || g.Timestamp != w.Timestamp || g.Truncated != w.Truncated {
			t.Fatalf("event %d = %+v; want %+v", i, g, w)
		}
	}
	if last := got[len(got)-1]; last.Type != EventComplete || last.LogFiles == nil {
		t.Fatalf("last event = %+v; want complete with log files", last)
	}
}

func readLogs(t *testing.T, c *Client, svc string, o LogsOptions) (*Stream, []Event) {
	t.Helper()
	st, err := c.Logs(context.Background(), "", svc, o)
	if err != nil {
		t.Fatal(err)
	}
	note := st.Note
	evs, err := collect(t, st)
	if err != nil {
		t.Fatalf("stream error: %v", err)
	}
	if !strings.Contains(note, "no logs route") {
		t.Errorf("Note = %q; want it to say the logs were read from the files", note)
	}
	return st, evs
}

func TestLogsFromFileTailSizes(t *testing.T) {
	f, c, dir := spriteSocket(t)
	path := filepath.Join(dir, "web.log")
	// About 350 KB: the tail crosses several of the backward blocks.
	all := writeLines(t, path, 2000)
	for _, n := range []int{0, 1, 2, 10, 1999, 2000, 5000} {
		st, evs := readLogs(t, c, "web", LogsOptions{Lines: n})
		want := all
		if n > 0 && n < len(all) {
			want = all[len(all)-n:]
		}
		wantOutput(t, evs, want)
		if lf := evs[len(evs)-1].LogFiles; lf.Combined != path || lf.Stdout != "" || lf.Stderr != "" {
			t.Errorf("log files = %+v; want the combined file %s", lf, path)
		}
		if !st.Complete() {
			t.Error("Complete() is false after the complete event")
		}
	}
	// The route was asked each time (it might come back), Get never: the file exists.
	for _, r := range f.requests() {
		if r.Route != "logs" {
			t.Errorf("unexpected request %s %s", r.Method, r.RawPath)
		}
	}
	if q := f.last().Query; q.Get("lines") != "5000" {
		t.Errorf("the logs route was asked with %v; want lines=5000", q)
	}
}

// A last line without its newline is a line too, sent without one.
func TestLogsFromFileLastLineUnterminated(t *testing.T) {
	_, c, dir := spriteSocket(t)
	path := filepath.Join(dir, "web.log")
	writeLog(t, path, diskLine(logStamp, EventStdout, "a")+diskLine(logStamp, EventStderr, "b")+"2026-06-02T17:11:17.821Z [stderr] c")
	_, evs := readLogs(t, c, "web", LogsOptions{Lines: 2})
	ms := logStamp.UnixMilli()
	wantOutput(t, evs, []Event{{Type: EventStderr, Data: "b\n", Timestamp: ms}, {Type: EventStderr, Data: "c", Timestamp: ms}})
}

// A 12 MiB line costs the cap, not the line: it arrives cut and marked,
// its neighbours whole, and the bytes allocated stay far below its size.
func TestLogsFromFileHugeLine(t *testing.T) {
	const capBytes = 4 << 10
	_, c, dir := spriteSocket(t, WithMaxEventData(capBytes))
	path := filepath.Join(dir, "web.log")
	huge := strings.Repeat("€", 4<<20) // 12 MiB of 3-byte runes
	writeLog(t, path, diskLine(logStamp, EventStdout, "before")+diskLine(logStamp, EventStderr, huge)+diskLine(logStamp, EventStdout, "after"))
	huge = ""
	for _, n := range []int{0, 2, 3} {
		runtime.GC()
		var m0, m1 runtime.MemStats
		runtime.ReadMemStats(&m0)
		_, evs := readLogs(t, c, "web", LogsOptions{Lines: n})
		runtime.ReadMemStats(&m1)
		if alloc := m1.TotalAlloc - m0.TotalAlloc; alloc > 2<<20 {
			t.Errorf("lines=%d: reading a 12 MiB line allocated %d bytes; want under 2 MiB", n, alloc)
		}
		lines := evs[:len(evs)-1]
		if n == 2 {
			lines = append([]Event{{Type: EventStdout, Data: "before\n"}}, lines...) // keep indices
		}
		if len(lines) != 3 || lines[0].Data != "before\n" || lines[2].Data != "after\n" || lines[2].Truncated {
			t.Fatalf("lines=%d: neighbours of the huge line = %+v", n, lines)
		}
		h := lines[1]
		// Cut on a rune boundary, its newline kept so it is not joined to
		// the next line by readers that join pieces.
		if h.Type != EventStderr || !h.Truncated || len(h.Data) > capBytes || len(h.Data) < capBytes-3 ||
			!utf8.ValidString(h.Data) || strings.Trim(h.Data, "€") != "\n" || h.Timestamp != logStamp.UnixMilli() {
			t.Errorf("lines=%d: huge line = type %s truncated %v, %d bytes (valid %v), ts %d",
				n, h.Type, h.Truncated, len(h.Data), utf8.ValidString(h.Data), h.Timestamp)
		}
	}
}

func TestLogsFromFileInvalidUTF8(t *testing.T) {
	_, c, dir := spriteSocket(t)
	writeLog(t, filepath.Join(dir, "web.log"), "2026-06-02T17:11:17.821Z [stdout] caf\xe9 \xff\xfe ok\n\xc3\n")
	_, evs := readLogs(t, c, "web", LogsOptions{})
	wantOutput(t, evs, []Event{
		{Type: EventStdout, Data: "caf\uFFFD \uFFFD\uFFFD ok\n", Timestamp: logStamp.UnixMilli()},
		{Type: EventStdout, Data: "\uFFFD\n"},
	})
}

// The old layout's two files are merged by timestamp, and the tail is the
// last n lines of the merge.
func TestLogsFromOldFilesMergedByTime(t *testing.T) {
	_, c, dir := spriteSocket(t)
	outPath, errPath := filepath.Join(dir, "web.stdout.log"), filepath.Join(dir, "web.stderr.log")
	var out, errs strings.Builder
	var all []Event
	for i := range 300 {
		at := logStamp.Add(time.Duration(i) * time.Millisecond)
		// An uneven interleaving: runs of stdout, runs of stderr.
		typ, b := EventStdout, &out
		if (i/7)%3 == 1 {
			typ, b = EventStderr, &errs
		}
		text := fmt.Sprintf("%s %d", typ, i)
		b.WriteString(diskLine(at, typ, text))
		all = append(all, Event{Type: typ, Data: text + "\n", Timestamp: at.UnixMilli()})
	}
	writeLog(t, outPath, out.String())
	writeLog(t, errPath, errs.String())
	for _, n := range []int{0, 1, 5, 50, 299, 300, 1000} {
		want := all
		if n > 0 && n < len(all) {
			want = all[len(all)-n:]
		}
		_, evs := readLogs(t, c, "web", LogsOptions{Lines: n})
		wantOutput(t, evs, want)
		if lf := evs[len(evs)-1].LogFiles; lf.Stdout != outPath || lf.Stderr != errPath || lf.Combined != "" {
			t.Errorf("log files = %+v; want the two old files", lf)
		}
	}
}

// Old files with plain lines (no timestamp) give stdout, then stderr; a
// single old file is enough.
func TestLogsFromOldPlainFiles(t *testing.T) {
	_, c, dir := spriteSocket(t)
	writeLog(t, filepath.Join(dir, "web.stdout.log"), "o1\no2\no3\n")
	writeLog(t, filepath.Join(dir, "web.stderr.log"), "e1\ne2\n")
	_, evs := readLogs(t, c, "web", LogsOptions{})
	wantOutput(t, evs, []Event{{Type: EventStdout, Data: "o1\n"}, {Type: EventStdout, Data: "o2\n"},
		{Type: EventStdout, Data: "o3\n"}, {Type: EventStderr, Data: "e1\n"}, {Type: EventStderr, Data: "e2\n"}})
	_, evs = readLogs(t, c, "web", LogsOptions{Lines: 3})
	wantOutput(t, evs, []Event{{Type: EventStdout, Data: "o3\n"}, {Type: EventStderr, Data: "e1\n"}, {Type: EventStderr, Data: "e2\n"}})

	errOnly := filepath.Join(dir, "api.stderr.log")
	writeLog(t, errOnly, "only\n")
	_, evs = readLogs(t, c, "api", LogsOptions{})
	wantOutput(t, evs, []Event{{Type: EventStderr, Data: "only\n"}})
	if lf := evs[1].LogFiles; lf.Stderr != errOnly || lf.Stdout != "" {
		t.Errorf("log files = %+v; want only the stderr file", lf)
	}
}

// The current combined file wins over stale old ones beside it.
func TestLogsCombinedFileWins(t *testing.T) {
	_, c, dir := spriteSocket(t)
	writeLog(t, filepath.Join(dir, "web.stdout.log"), "stale\n")
	writeLog(t, filepath.Join(dir, "web.log"), diskLine(logStamp, EventStdout, "fresh"))
	_, evs := readLogs(t, c, "web", LogsOptions{})
	wantOutput(t, evs, []Event{{Type: EventStdout, Data: "fresh\n", Timestamp: logStamp.UnixMilli()}})
}

// A defined service that has written nothing yet: an empty stream with a
// complete event naming where its log will be.
func TestLogsMissingFileOfExistingService(t *testing.T) {
	f, c, dir := spriteSocket(t)
	st, evs := readLogs(t, c, "web", LogsOptions{Lines: 10})
	wantOutput(t, evs, nil)
	if lf := evs[0].LogFiles; lf.Combined != filepath.Join(dir, "web.log") {
		t.Errorf("log files = %+v; want the combined path", lf)
	}
	if !strings.Contains(st.Note, "no log file yet") {
		t.Errorf("Note = %q; want it to say there is no log file yet", st.Note)
	}
	if r := f.last(); r.Route != "get" || r.Service != "web" {
		t.Errorf("the last request was %s %s; want a get of the service", r.Method, r.RawPath)
	}
}

// An unknown service is the API's not-found, not a route error and not an
// empty stream; other failures of the check are reported with the dir.
func TestLogsUnknownService(t *testing.T) {
	f, c, dir := spriteSocket(t)
	f.on("get", fixture(t, http.StatusNotFound, "application/json", "error_json.json"))
	_, err := c.Logs(context.Background(), "", "ghost", LogsOptions{Lines: 5})
	var ae *APIError
	if !errors.As(err, &ae) || !IsNotFound(err) || IsRouteNotFound(err) || ae.Op != "read logs" || ae.Service != "ghost" {
		t.Fatalf("err = %v (%#v); want the API's not-found for the service, as read logs", err, ae)
	}
	if !strings.Contains(err.Error(), `service "ghost" not found`) {
		t.Errorf("message %q does not name the service", err)
	}

	f.on("get", reply(http.StatusInternalServerError, "text/plain", "boom"))
	_, err = c.Logs(context.Background(), "", "ghost", LogsOptions{})
	if !errors.Is(err, ErrServer) || !strings.Contains(err.Error(), dir) {
		t.Errorf("err = %v; want the server error, mentioning %s", err, dir)
	}
}

// The NDJSON route wins when it exists, even with files in the log dir;
// a JSON 404 of the route (an unknown service) is not a missing route.
func TestLogsRouteWinsOverFiles(t *testing.T) {
	f := newFakeAPI(t, PathSocket)
	dir := t.TempDir()
	writeLog(t, filepath.Join(dir, "web.log"), diskLine(logStamp, EventStdout, "from the file"))
	c := f.client(WithLogDir(dir))
	st, err := c.Logs(context.Background(), "", "web", LogsOptions{Lines: 100})
	if err != nil {
		t.Fatal(err)
	}
	note := st.Note
	evs, err := collect(t, st)
	if err != nil || len(evs) != 4 || evs[0].Data == "from the file\n" || note != "" {
		t.Errorf("with the route: %+v, err %v, note %q; want the route's four events", evs, err, note)
	}
	f.on("logs", fixture(t, http.StatusNotFound, "application/json", "error_json.json"))
	if _, err := c.Logs(context.Background(), "", "web", LogsOptions{}); !IsNotFound(err) || IsRouteNotFound(err) {
		t.Errorf("a JSON 404 of the route gave %v; want it returned, no fallback", err)
	}
}

// Which clients fall back, and to where.
func TestLogDirDefaults(t *testing.T) {
	for _, c := range []struct {
		base string
		opts []Option
		want string
	}{
		{"unix://" + SocketPath, nil, SpriteLogDir},
		{"unix:///tmp/x.sock", []Option{WithPathStyle(PathSprites)}, ""},
		{"unix:///tmp/x.sock", []Option{WithLogDir("")}, ""},
		{"unix:///tmp/x.sock", []Option{WithLogDir("/var/log/x")}, "/var/log/x"},
		{"http://127.0.0.1:1", nil, ""},
		{"http://127.0.0.1:1", []Option{WithLogDir("/l")}, "/l"},
	} {
		cl, err := New(c.base, c.opts...)
		if err != nil {
			t.Fatal(err)
		}
		if got := cl.LogDir(); got != c.want {
			t.Errorf("New(%q, %d options).LogDir() = %q; want %q", c.base, len(c.opts), got, c.want)
		}
	}
	// Without a log dir the route's 404 is returned as it is.
	f := newFakeAPI(t, PathSocket)
	f.on("logs", nil)
	if _, err := f.client(WithLogDir("")).Logs(context.Background(), "", "web", LogsOptions{}); !IsRouteNotFound(err) {
		t.Errorf("err = %v; want the route's 404", err)
	}
}

// A log path that cannot be read fails the call with the directory named,
// and leaves nothing open.
func TestLogsUnreadableFile(t *testing.T) {
	_, c, dir := spriteSocket(t)
	bad := filepath.Join(dir, "web.log")
	if err := os.Mkdir(bad, 0o755); err != nil { // opens, but reads fail
		t.Fatal(err)
	}
	_, err := c.Logs(context.Background(), "", "web", LogsOptions{Lines: 5})
	if err == nil || !strings.Contains(err.Error(), dir) || !strings.Contains(err.Error(), `service "web"`) {
		t.Fatalf("err = %v; want a read error naming the service and %s", err, dir)
	}
	if openFiles(t, bad) {
		t.Error("the log path is still open after the failed call")
	}
	// Without a tail the read error ends the stream instead.
	st, err := c.Logs(context.Background(), "", "web", LogsOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if evs, err := collect(t, st); err == nil || len(evs) != 0 {
		t.Errorf("reading a directory gave %d events, err %v; want a read error", len(evs), err)
	}
	if openFiles(t, bad) {
		t.Error("the log path is still open after Close")
	}
}

// The files are let go as soon as the complete event is read, even before
// Close.
func TestLogsFilesReleasedAtComplete(t *testing.T) {
	_, c, dir := spriteSocket(t)
	path := filepath.Join(dir, "web.log")
	writeLog(t, path, diskLine(logStamp, EventStdout, "a"))
	st, err := c.Logs(context.Background(), "", "web", LogsOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if !openFiles(t, path) {
		t.Fatal("the log file is not open before reading (the check below would prove nothing)")
	}
	for st.Next() {
	}
	if !st.Complete() || st.Err() != nil {
		t.Fatalf("complete %v, err %v", st.Complete(), st.Err())
	}
	if openFiles(t, path) {
		t.Error("the log file is still open after the complete event")
	}
}
