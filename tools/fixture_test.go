package tools

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sprites-mcp/sprites-mcp/client"
	"github.com/sprites-mcp/sprites-mcp/schema"
)

// The recorded Sprites API: a real HTTP server on 127.0.0.1 that answers
// in the public path style with the client's recorded fixtures
// (client/testdata), so ready and since are proven on the wire format of
// the API as well as on the embedded runtime.

// recordedAPI serves the fixtures. A stream route named in hold sends its
// fixture up to the line before hold's value, then keeps the connection
// open, as a runtime still watching does, until the request is cancelled;
// cancelled is closed then.
type recordedAPI struct {
	t         *testing.T
	create    string            // the create stream's fixture; create_stream.ndjson when empty
	hold      map[string]string // route -> first line not sent
	cancelled chan struct{}
}

func fixtureLines(t *testing.T, name string) [][]byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "client", "testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return bytes.SplitAfter(b, []byte("\n"))
}

func (a *recordedAPI) stream(route, fixture string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/x-ndjson")
		stop, held := a.hold[route]
		for _, line := range fixtureLines(a.t, fixture) {
			if held && bytes.Contains(line, []byte(stop)) {
				w.(http.Flusher).Flush()
				<-r.Context().Done()
				close(a.cancelled)
				return
			}
			w.Write(line)
		}
	}
}

// newRecordedHarness is a harness whose tools use the recorded API, under
// the protocol revision proto.
func newRecordedHarness(t *testing.T, proto string, a *recordedAPI) *harness {
	mux := http.NewServeMux()
	const svc = "/v1/sprites/local/services/"
	create := a.create
	if create == "" {
		create = "create_stream.ndjson"
	}
	mux.HandleFunc("PUT "+svc+"{svc}", a.stream("put", create))
	mux.HandleFunc("GET "+svc+"{svc}/logs", a.stream("logs", "logs.ndjson"))
	mux.HandleFunc("GET "+svc+"{svc}", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write(bytes.Join(fixtureLines(t, "get_minimal.json"), nil))
	})
	ts := httptest.NewServer(mux) // binds 127.0.0.1
	t.Cleanup(ts.Close)
	c, err := client.New(ts.URL, client.WithLogger(quiet()))
	if err != nil {
		t.Fatal(err)
	}
	h := &harness{t: t, protoV: proto}
	h.connect(c, harnessOpts{protocol: proto})
	return h
}

// TestReadyOnTheRecordedAPI checks ready against the API's recorded
// create stream, held open after its output as a runtime still watching
// holds it: the call returns on the matching line and cancels the request;
// and a service that exits is reported at once, the stream still open.
func TestReadyOnTheRecordedAPI(t *testing.T) {
	for _, proto := range protocols {
		t.Run(proto, func(t *testing.T) {
			a := &recordedAPI{t: t, hold: map[string]string{"put": `"complete"`}, cancelled: make(chan struct{})}
			h := newRecordedHarness(t, proto, a)
			start := time.Now()
			res := h.mustOK("service_create", map[string]any{"service_name": "web", "cmd": "python3 -m http.server 8080", "ready": "^Serving HTTP"})
			var act schema.ActionResult
			structured(t, res, &act)
			if r := act.Ready; act.Outcome != "ready" || act.PID != 1234 || r == nil || !r.Matched ||
				r.Line != "Serving HTTP on 0.0.0.0 port 8080 (http://0.0.0.0:8080/) ..." {
				t.Errorf("ready on the API: %+v\n%s", act, text(res))
			}
			if !strings.HasPrefix(text(res), "web on local: ready after ") || !strings.Contains(text(res), "(matched /^Serving HTTP/) — pid 1234") {
				t.Errorf("text:\n%s", text(res))
			}
			select {
			case <-a.cancelled:
			case <-time.After(10 * time.Second):
				t.Fatal("the held create stream was not cancelled after the match")
			}
			if took := time.Since(start); took > 10*time.Second {
				t.Errorf("took %s", took)
			}

			a = &recordedAPI{t: t, create: "start_exit.ndjson", hold: map[string]string{"put": `"complete"`}, cancelled: make(chan struct{})}
			h = newRecordedHarness(t, proto, a)
			res = h.mustFail("service_create", map[string]any{"service_name": "app", "cmd": "python3 app.py", "ready": "listening"})
			structured(t, res, &act)
			if act.Outcome != "failed at start-up" || act.ExitCode == nil || *act.ExitCode != 2 || act.Ready == nil || act.Ready.Matched ||
				!strings.Contains(act.Cause, "can't open file '/home/sprite/app.py'") {
				t.Errorf("died first on the API: %+v\n%s", act, text(res))
			}
			select {
			case <-a.cancelled:
			case <-time.After(10 * time.Second):
				t.Fatal("the held create stream was not cancelled after the exit")
			}

			// A full stream with no matching line: not ready, still running.
			h = newRecordedHarness(t, proto, &recordedAPI{t: t})
			res = h.mustFail("service_create", map[string]any{"service_name": "web", "cmd": "python3", "ready": "never printed", "duration": "1s"})
			if txt := text(res); !strings.Contains(txt, "not ready after") || !strings.Contains(txt, "still running (pid 1234)") ||
				!strings.Contains(txt, "GET / HTTP/1.1") {
				t.Errorf("never matched on the API:\n%s", txt)
			}
		})
	}
}

// TestLogsSinceOnTheRecordedAPI checks since against the API's recorded
// logs (it has no time filter: the lines' timestamps decide).
func TestLogsSinceOnTheRecordedAPI(t *testing.T) {
	for _, proto := range protocols {
		t.Run(proto, func(t *testing.T) {
			h := newRecordedHarness(t, proto, &recordedAPI{t: t})
			// logs.ndjson: stdout at 17:11:17.901, stderr at 17:11:18.012, stdout at 17:11:19.000.
			res := h.mustOK("service_logs", map[string]any{"service_name": "web", "since": "2026-06-02T17:11:18Z"})
			var out schema.LogsResult
			structured(t, res, &out)
			if out.Scanned != 2 || len(out.Lines) != 2 || out.Lines[0].Stream != "stderr" || out.Since != "2026-06-02T17:11:18Z" {
				t.Errorf("since on the API: %+v\n%s", out, text(res))
			}
			res = h.mustOK("service_logs", map[string]any{"service_name": "web", "since": "2026-06-02T17:11:18Z", "stream": "stdout"})
			structured(t, res, &out)
			if out.Matched != 1 || len(out.Lines) != 1 || !strings.HasPrefix(out.Lines[0].Text, "café") {
				t.Errorf("since with stream on the API: %+v\n%s", out, text(res))
			}
			res = h.mustOK("service_logs", map[string]any{"service_name": "web", "since": "1h"})
			if !strings.Contains(text(res), "no log lines since ") {
				t.Errorf("since 1h on a log of June 2026:\n%s", text(res))
			}
		})
	}
}
