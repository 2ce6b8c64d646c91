package client

import (
	"bytes"
	"maps"
	"slices"
	"sync"
)

// getMemo remembers, per service, the last answer of a get and what it
// decoded to. An agent that watches a service asks for it again and again
// and mostly gets the same bytes back; decoding them was the largest part
// of a service_get's own cost on the HTTP path (BENCHMARKS.md, "HTTP
// path"). An answer equal to the remembered one is not decoded again: its
// service is copied instead, so no caller shares a slice or map with
// another. At most maxGetMemo services are remembered.
type getMemo struct {
	mu sync.Mutex
	m  map[string]memoEntry
}

type memoEntry struct {
	raw []byte
	svc Service
}

// maxGetMemo bounds the services remembered; past it, one is forgotten
// for each new one.
const maxGetMemo = 256

// decode returns the service raw encodes, from the memo when raw is the
// answer remembered for key, else by decoding it (and remembering it).
// raw is kept: the caller must not reuse it.
func (g *getMemo) decode(key string, raw []byte, decode func([]byte) (Service, error)) (Service, error) {
	g.mu.Lock()
	e, ok := g.m[key]
	g.mu.Unlock()
	if ok && bytes.Equal(e.raw, raw) {
		return cloneService(e.svc), nil
	}
	s, err := decode(raw)
	if err != nil {
		return s, err
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.m == nil {
		g.m = make(map[string]memoEntry)
	}
	if _, known := g.m[key]; !known && len(g.m) >= maxGetMemo {
		for k := range g.m { // any one: map order is unspecified enough
			delete(g.m, k)
			break
		}
	}
	g.m[key] = memoEntry{raw: raw, svc: cloneService(s)}
	return s, nil
}

// cloneService copies s with its own slices, map and port.
func cloneService(s Service) Service {
	s.Args = slices.Clone(s.Args)
	s.Env = maps.Clone(s.Env)
	s.Needs = slices.Clone(s.Needs)
	if s.HTTPPort != nil {
		p := *s.HTTPPort
		s.HTTPPort = &p
	}
	return s
}
