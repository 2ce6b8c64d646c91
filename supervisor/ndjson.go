package supervisor

import (
	"encoding/json"
	"net/http"
	"time"
)

// ndjson writes a stream of events, each flushed as it happens. A client
// that stops reading cannot hold a handler for ever: each write has a
// deadline.
type ndjson struct {
	w     http.ResponseWriter
	rc    *http.ResponseController
	enc   *json.Encoder
	begun bool
	err   error
}

const writeTimeout = 30 * time.Second

func newNDJSON(w http.ResponseWriter) *ndjson {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	return &ndjson{w: w, rc: http.NewResponseController(w), enc: enc}
}

// begin sends the headers at once; the first event implies it.
func (n *ndjson) begin() {
	if n.writeHeader() {
		_ = n.rc.Flush()
	}
}

// writeHeader sets the headers unless they are set, and reports whether it
// did. The first event leaves them for its own flush: one write, not two.
func (n *ndjson) writeHeader() bool {
	if n.begun {
		return false
	}
	n.begun = true
	n.w.Header().Set("Content-Type", "application/x-ndjson")
	n.w.Header().Set("Cache-Control", "no-store")
	n.w.WriteHeader(http.StatusOK)
	return true
}

func (n *ndjson) send(ev Event) {
	if n.err != nil {
		return
	}
	n.writeHeader()
	_ = n.rc.SetWriteDeadline(time.Now().Add(writeTimeout))
	if n.err = n.enc.Encode(ev); n.err == nil {
		n.err = n.rc.Flush()
	}
}

func (n *ndjson) complete(lf *LogFiles) {
	n.send(Event{Type: evComplete, LogFiles: lf, Timestamp: nowMs()})
}
