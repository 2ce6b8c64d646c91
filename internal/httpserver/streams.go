package httpserver

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"sync"
)

// streamSet tracks the requests that stay open as streams (GET listening
// streams, subscriptions/listen), which http.Server.Shutdown would
// otherwise wait for until its deadline: a listening stream is not a call
// to drain, and a shutdown ends it.
type streamSet struct {
	mu      sync.Mutex
	closing bool
	open    map[*stream]struct{}
	log     *slog.Logger
}

// stream is one open listening request; its address is its identity in
// the set.
type stream struct {
	cancel context.CancelFunc
}

func newStreamSet(log *slog.Logger) *streamSet {
	return &streamSet{open: map[*stream]struct{}{}, log: log}
}

// track gives each listening request a context that closeAll cancels. It
// runs after limitBody, which holds a POST's body for it to read.
func (s *streamSet) track(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		long := r.Method == http.MethodGet ||
			(r.Method == http.MethodPost && isListen(bodyOf(r)))
		if long {
			ctx, done := s.add(r.Context(), r.Method)
			defer done()
			r = r.WithContext(ctx)
		}
		next.ServeHTTP(w, r)
	})
}

// add derives a context for a listening request (method is its HTTP
// method) that closeAll cancels; done releases it.
func (s *streamSet) add(parent context.Context, method string) (context.Context, func()) {
	ctx, cancel := context.WithCancel(parent)
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closing {
		cancel()
		return ctx, func() {}
	}
	st := &stream{cancel: cancel}
	s.open[st] = struct{}{}
	s.log.Debug("http: listening stream open", "method", method, "open", len(s.open))
	return ctx, func() {
		s.mu.Lock()
		delete(s.open, st)
		s.mu.Unlock()
		cancel()
	}
}

// closeAll ends every listening stream, and every one opened after it.
func (s *streamSet) closeAll() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.closing = true
	for st := range s.open {
		st.cancel()
	}
	clear(s.open)
}

// isListen reports whether body is a subscriptions/listen request, which
// holds its response open as a stream.
func isListen(body []byte) bool {
	if !bytes.Contains(body, []byte("subscriptions/listen")) {
		return false // the common case costs no second parse
	}
	var m struct {
		Method string `json:"method"`
	}
	return json.Unmarshal(body, &m) == nil && m.Method == "subscriptions/listen"
}
