package supervisor

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"sync"
)

// A list of 1000 services took about 10 ms to encode, on every call, and
// a client waiting for its services to come up calls it in a loop. Most
// services have not changed since the last call, so each keeps the JSON of
// its last view and encodes again only when its definition (defGen) or its
// state differ.

// viewCache is a service's last view as JSON.
type viewCache struct {
	mu     sync.Mutex
	defGen uint64
	state  State
	json   []byte // without a trailing newline; shared, never modified
}

// viewJSON is the service as list and get show it (view), as JSON.
func (s *service) viewJSON() ([]byte, error) {
	v, gen := s.viewGen()
	c := &s.cache
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.json != nil && c.defGen == gen && sameState(c.state, v.State) {
		return c.json, nil
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, fmt.Errorf("encode service %q: %w", s.name, err)
	}
	c.defGen, c.state, c.json = gen, v.State, bytes.TrimSuffix(b.Bytes(), []byte("\n"))
	return c.json, nil
}

// sameState reports whether two states encode alike. Every field of State
// is compared (TestSameStateComparesEveryField).
func sameState(a, b State) bool {
	return a.Name == b.Name && a.Status == b.Status && a.PID == b.PID && a.Error == b.Error &&
		a.RestartCount == b.RestartCount && a.StartedAt.Equal(b.StartedAt) &&
		a.NextRestartAt.Equal(b.NextRestartAt)
}

// listBuffers keeps the buffers of list answers between calls. At 1000
// services an answer is about 400 KB, and growing a fresh buffer for each
// was half of all the runtime allocated while a client polled the list
// (BenchmarkScale's allocation profile). A writer does not keep what it
// is given (io.Writer), so a buffer is reused once written; one that grew
// past maxPooledList is left to the collector.
var listBuffers = sync.Pool{New: func() any { return new(bytes.Buffer) }}

const maxPooledList = 4 << 20

// writeViews answers a list: the services' views as one JSON array.
func writeViews(w http.ResponseWriter, services []*service) {
	b := listBuffers.Get().(*bytes.Buffer)
	defer func() {
		if b.Cap() <= maxPooledList {
			b.Reset()
			listBuffers.Put(b)
		}
	}()
	b.WriteByte('[')
	for i, s := range services {
		j, err := s.viewJSON()
		if err != nil {
			writeError(w, http.StatusInternalServerError, err.Error())
			return
		}
		if i > 0 {
			b.WriteByte(',')
		}
		b.Write(j)
	}
	b.WriteString("]\n")
	writeBody(w, b.Bytes())
}

// writeView answers a get: one service's view.
func writeView(w http.ResponseWriter, s *service) {
	j, err := s.viewJSON()
	if err != nil {
		writeError(w, http.StatusInternalServerError, err.Error())
		return
	}
	writeBody(w, append(append([]byte(nil), j...), '\n'))
}

// writeBody answers with body, its length given: the answer then goes out
// in one piece, not in chunks (a list of 1000 services is about 400 KB).
func writeBody(w http.ResponseWriter, body []byte) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(body)
}
