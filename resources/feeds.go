package resources

import (
	"errors"
	"fmt"
	"sync"

	"github.com/sprites-mcp/sprites-mcp/client"
)

// maxFeeds bounds the feeds open at once (each is one browser view of one
// sprite); the dashboard bounds its own streams well below this.
const maxFeeds = 1024

// Feed is a consumer of a sprite's watcher besides MCP subscriptions (the
// dashboard): it receives the sprite's services after the watcher's first
// poll and after every poll that changed anything. Feeds and subscriptions
// of one sprite share its watcher, so a sprite is polled once per period
// however many feeds and subscribers watch it.
type Feed struct {
	sprite string
	c      chan []client.Service
	once   sync.Once
	stop   func()
}

// C delivers the sprite's services, newest only: a slow reader skips the
// lists it had no time for. The slices are shared: read them, never change
// them.
func (f *Feed) C() <-chan []client.Service { return f.c }

// Sprite is the sprite the feed watches.
func (f *Feed) Sprite() string { return f.sprite }

// Stop releases the feed; the sprite's watcher stops with its last
// listener. Calling it again does nothing.
func (f *Feed) Stop() { f.once.Do(f.stop) }

// offer hands list to the feed, replacing a list not yet read. Callers hold
// subscriptions.mu, so there is one sender and the send cannot block.
func (f *Feed) offer(list []client.Service) {
	select {
	case <-f.c:
	default:
	}
	f.c <- list
}

// ErrClosed is Watch's answer once the resources are closed.
var ErrClosed = errors.New("resources closed: no more watching")

// Watch opens a feed of sprite's services. A sprite the watcher has already
// polled is delivered at once; otherwise after the first poll.
func (r *Resources) Watch(sprite string) (*Feed, error) {
	if !validSprite(sprite) {
		return nil, fmt.Errorf("watch %q: not a valid sprite name", sprite)
	}
	s := &r.subs
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil, ErrClosed
	}
	if len(s.feeds) >= maxFeeds {
		return nil, fmt.Errorf("watch %s: %d feeds open already; close one first", sprite, maxFeeds)
	}
	f := &Feed{sprite: sprite, c: make(chan []client.Service, 1)}
	f.stop = func() {
		s.mu.Lock()
		defer s.mu.Unlock()
		delete(s.feeds, f)
		s.reconcile()
	}
	s.feeds[f] = true
	if list, ok := s.latest[sprite]; ok {
		f.offer(list)
	}
	s.reconcile()
	return f, nil
}

// publish records sprite's latest services and hands them to its feeds.
func (s *subscriptions) publish(sprite string, list []client.Service) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, watched := s.watchers[sprite]; !watched {
		return // the watcher was stopped while it polled
	}
	s.latest[sprite] = list
	for f := range s.feeds {
		if f.sprite == sprite {
			f.offer(list)
		}
	}
}
