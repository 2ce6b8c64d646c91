package main

import (
	"bytes"
	"sync"
)

// stderrTail keeps the last max bytes of the server's stderr, for the
// failure messages, and remembers whether the race detector reported a
// race anywhere in it (the report may be older than the kept tail).
type stderrTail struct {
	mu   sync.Mutex
	max  int
	buf  []byte
	race bool
}

func newStderrTail(max int) *stderrTail { return &stderrTail{max: max} }

func (w *stderrTail) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	// A marker split across two writes is still found: look at the seam.
	seam := append(w.buf[max(len(w.buf)-32, 0):len(w.buf):len(w.buf)], p...)
	w.race = w.race || bytes.Contains(seam, []byte("WARNING: DATA RACE"))
	w.buf = append(w.buf, p...)
	if over := len(w.buf) - w.max; over > 0 {
		w.buf = append(w.buf[:0], w.buf[over:]...)
	}
	return len(p), nil
}

// state returns the kept tail and whether a race was reported.
func (w *stderrTail) state() (string, bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return string(w.buf), w.race
}
