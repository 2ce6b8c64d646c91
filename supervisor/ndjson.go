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

// begin sends the headers; it is implied by the first event.
func (n *ndjson) begin() {
	if n.begun {
		return
	}
	n.begun = true
	n.w.Header().Set("Content-Type", "application/x-ndjson")
	n.w.Header().Set("Cache-Control", "no-store")
	n.w.WriteHeader(http.StatusOK)
	_ = n.rc.Flush()
}

func (n *ndjson) send(ev Event) {
	if n.err != nil {
		return
	}
	n.begin()
	_ = n.rc.SetWriteDeadline(time.Now().Add(writeTimeout))
	if n.err = n.enc.Encode(ev); n.err == nil {
		n.err = n.rc.Flush()
	}
}

func (n *ndjson) complete(lf *LogFiles) {
	n.send(Event{Type: evComplete, LogFiles: lf, Timestamp: nowMs()})
}
