package supervisor

import (
	"fmt"
	"slices"
	"sync"
)

// A hub fans a service's events (output, exit) out to the streams watching
// it. Publishing never blocks: each subscriber has a queue bounded in bytes,
// and a subscriber that falls behind loses events and is told how many, so
// a slow reader can never stall the service.
type hub struct {
	mu   sync.Mutex
	subs map[*subscription]struct{}
}

// maxQueueBytes bounds the output a subscriber may have waiting.
const maxQueueBytes = 1 << 20

// hubEvent is an event with the run that produced it.
type hubEvent struct {
	Event
	run *proc
}

type subscription struct {
	h      *hub
	mu     sync.Mutex
	queue  []hubEvent
	bytes  int
	lost   int
	gapAt  int           // where in queue the lost events belong: the first loss
	notify chan struct{} // one token: "the queue changed"
}

func (h *hub) subscribe() *subscription {
	s := &subscription{h: h, notify: make(chan struct{}, 1)}
	h.mu.Lock()
	if h.subs == nil {
		h.subs = map[*subscription]struct{}{}
	}
	h.subs[s] = struct{}{}
	h.mu.Unlock()
	return s
}

func (h *hub) publish(ev hubEvent) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for s := range h.subs {
		s.push(ev)
	}
}

func (s *subscription) push(ev hubEvent) {
	s.mu.Lock()
	size := len(ev.Data) + 64
	if s.bytes+size > maxQueueBytes && ev.Type != evExit {
		if s.lost == 0 {
			s.gapAt = len(s.queue)
		}
		s.lost++
	} else {
		s.queue = append(s.queue, ev)
		s.bytes += size
	}
	s.mu.Unlock()
	select {
	case s.notify <- struct{}{}:
	default:
	}
}

// take returns the queued events, with a gap marker where events were
// lost (after the output queued before the loss, before anything queued
// after it, such as the exit), so a reader sees the gap where it was.
func (s *subscription) take() []hubEvent {
	s.mu.Lock()
	defer s.mu.Unlock()
	q := s.queue
	if s.lost > 0 {
		gap := hubEvent{Event: Event{Type: evStderr, Timestamp: nowMs(),
			Data: fmt.Sprintf("[sprites-mcp: %d output events dropped here because the reader was too slow; the log file has them all]\n", s.lost)}}
		q = slices.Insert(q, s.gapAt, gap)
		s.lost = 0
	}
	s.queue, s.bytes = nil, 0
	return q
}

// close unsubscribes; it is safe to call more than once.
func (s *subscription) close() {
	s.h.mu.Lock()
	delete(s.h.subs, s)
	s.h.mu.Unlock()
}
