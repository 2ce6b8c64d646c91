package resources

import (
	"context"
	"sync"
	"time"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"

	"github.com/sprites-mcp/sprites-mcp/client"
)

// Bounds on what clients can make us hold and do: subscriptions cannot be
// refused through mcp-go's hooks, so beyond these they are acknowledged but
// not recorded, and the log says so.
const (
	maxURIsPerSubscriber = 256
	maxWatchers          = 32 // sprites polled at once
)

// subscriber is one place resource notifications go: the resources/subscribe
// subscriptions of one session (2025-11-25 and earlier), or one open
// subscriptions/listen stream (2026-07-28).
type subscriber struct {
	session server.ClientSession
	// listenID is the ID of the subscriptions/listen request, which every
	// notification on that stream carries in its _meta; nil for
	// resources/subscribe.
	listenID    any
	uris        map[string]ref
	listChanged bool // a listen stream that asked for resources/list_changed
}

// target is one subscribed URI of one subscriber.
type target struct {
	sub *subscriber
	uri string
	ref ref
}

// subscriptions records who listens to what, and runs one watcher per
// sprite that anyone listens to. Every change goes through reconcile, under
// mu, so the watchers always match the subscriptions.
type subscriptions struct {
	r *Resources

	mu        sync.Mutex
	closed    bool
	bySession map[string]*subscriber // resources/subscribe, by session ID
	listens   map[*subscriber]bool   // open subscriptions/listen streams
	watchers  map[string]context.CancelFunc
	// feeds are the other consumers of the watchers (see feeds.go), and
	// latest the last list each running watcher published for them.
	feeds  map[*Feed]bool
	latest map[string][]client.Service
	wg     sync.WaitGroup // running watchers
	// lastPoll is when each sprite was last polled, so that a watcher
	// started right after another stopped (a client toggling its
	// subscription) still polls no faster than once a period.
	lastPoll map[string]time.Time
}

func (s *subscriptions) init(r *Resources) {
	s.r = r
	s.bySession = map[string]*subscriber{}
	s.listens = map[*subscriber]bool{}
	s.watchers = map[string]context.CancelFunc{}
	s.feeds = map[*Feed]bool{}
	s.latest = map[string][]client.Service{}
	s.lastPoll = map[string]time.Time{}
}

// polled records that sprite was polled at t, and forgets sprites not
// polled for a period (their next watcher may poll at once).
func (s *subscriptions) polled(sprite string, t time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for sp, at := range s.lastPoll {
		if t.Sub(at) >= s.r.poll {
			delete(s.lastPoll, sp)
		}
	}
	s.lastPoll[sprite] = t
}

// untilPoll is how long to wait before sprite may be polled again.
func (s *subscriptions) untilPoll(sprite string, now time.Time) time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	at, ok := s.lastPoll[sprite]
	if !ok {
		return 0
	}
	return max(0, at.Add(s.r.poll).Sub(now))
}

// afterSubscribe is the OnAfterSubscribe hook: resources/subscribe on
// 2025-11-25 and earlier.
func (r *Resources) afterSubscribe(ctx context.Context, _ any, req *mcp.SubscribeRequest, _ *mcp.EmptyResult) {
	session := server.ClientSessionFromContext(ctx)
	if session == nil || session.SessionID() == "" {
		// Without a session there is nowhere to send updates (stateless
		// HTTP); the subscription is acknowledged by mcp-go and ignored.
		r.log.Debug("resources/subscribe without a session: not recorded", logURI, req.Params.URI)
		return
	}
	rf, err := parseURI(req.Params.URI)
	if err != nil {
		r.log.Debug("resources/subscribe to a URI that is not ours: not recorded", logURI, req.Params.URI, logErr, err)
		return
	}
	r.subs.mu.Lock()
	defer r.subs.mu.Unlock()
	sub := r.subs.bySession[session.SessionID()]
	if sub == nil {
		sub = &subscriber{session: session, uris: map[string]ref{}}
		r.subs.bySession[session.SessionID()] = sub
	}
	if _, dup := sub.uris[req.Params.URI]; !dup && len(sub.uris) >= maxURIsPerSubscriber {
		r.log.Warn("too many resource subscriptions on one session: not recorded", logURI, req.Params.URI, logSession, session.SessionID())
		return
	}
	sub.uris[req.Params.URI] = rf
	r.subs.reconcile()
}

// afterUnsubscribe is the OnAfterUnsubscribe hook.
func (r *Resources) afterUnsubscribe(ctx context.Context, _ any, req *mcp.UnsubscribeRequest, _ *mcp.EmptyResult) {
	session := server.ClientSessionFromContext(ctx)
	if session == nil {
		return
	}
	r.subs.mu.Lock()
	defer r.subs.mu.Unlock()
	sub := r.subs.bySession[session.SessionID()]
	if sub == nil {
		return
	}
	delete(sub.uris, req.Params.URI)
	if len(sub.uris) == 0 {
		delete(r.subs.bySession, session.SessionID())
	}
	r.subs.reconcile()
}

// dropSession releases everything a session subscribed to (its end).
func (s *subscriptions) dropSession(id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.bySession[id]; !ok {
		return
	}
	delete(s.bySession, id)
	s.reconcile()
}

// beforeListen is the OnBeforeSubscriptionsListen hook (2026-07-28). mcp-go
// acknowledges the filter and holds the request open until the client
// cancels it; the subscription lives exactly as long as the request.
func (r *Resources) beforeListen(ctx context.Context, id any, req *mcp.SubscriptionsListenRequest) {
	session := server.ClientSessionFromContext(ctx)
	if session == nil || id == nil {
		return // mcp-go refuses such a listen itself
	}
	filter := req.Params.Notifications
	sub := &subscriber{session: session, listenID: id, uris: map[string]ref{}, listChanged: filter.ResourcesListChanged}
	for _, uri := range filter.ResourceSubscriptions {
		if len(sub.uris) >= maxURIsPerSubscriber {
			r.log.Warn("too many resource subscriptions on one listen stream: the rest not recorded", logURI, uri)
			break
		}
		rf, err := parseURI(uri)
		if err != nil {
			r.log.Debug("subscriptions/listen names a URI that is not ours: not recorded", logURI, uri, logErr, err)
			continue
		}
		sub.uris[uri] = rf
	}
	if len(sub.uris) == 0 && !sub.listChanged {
		return
	}
	r.subs.mu.Lock()
	r.subs.listens[sub] = true
	r.subs.reconcile()
	r.subs.mu.Unlock()

	context.AfterFunc(ctx, func() {
		r.subs.mu.Lock()
		defer r.subs.mu.Unlock()
		delete(r.subs.listens, sub)
		r.subs.reconcile()
	})
}

// each calls f for every subscriber. Callers hold mu.
func (s *subscriptions) each(f func(*subscriber)) {
	for _, sub := range s.bySession {
		f(sub)
	}
	for sub := range s.listens {
		f(sub)
	}
}

// wanted returns the sprites someone listens to: those with a subscribed
// URI or an open feed, and the default sprite when a listen stream asked for list_changed
// (its concrete resources are what that list is made of). Callers hold mu.
func (s *subscriptions) wanted() map[string]bool {
	want := map[string]bool{}
	s.each(func(sub *subscriber) {
		for _, rf := range sub.uris {
			want[rf.sprite] = true
		}
		if sub.listChanged && s.r.defaultSprite != "" {
			want[s.r.defaultSprite] = true
		}
	})
	for f := range s.feeds {
		want[f.sprite] = true
	}
	return want
}

// reconcile starts a watcher for each sprite that gained its first
// listener and stops those that lost their last. Callers hold mu.
func (s *subscriptions) reconcile() {
	want := map[string]bool{}
	if !s.closed {
		want = s.wanted()
	}
	for sprite, stop := range s.watchers {
		if !want[sprite] {
			stop()
			delete(s.watchers, sprite)
			delete(s.latest, sprite)
		}
	}
	for sprite := range want {
		if _, running := s.watchers[sprite]; running {
			continue
		}
		if len(s.watchers) >= maxWatchers {
			s.r.log.Warn("too many sprites watched at once: this one is not watched", logSprite, sprite)
			continue
		}
		ctx, cancel := context.WithCancel(context.Background())
		s.watchers[sprite] = cancel
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			s.r.watch(ctx, sprite)
		}()
	}
}

// targets returns every subscribed URI on sprite.
func (s *subscriptions) targets(sprite string) []target {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []target
	s.each(func(sub *subscriber) {
		for uri, rf := range sub.uris {
			if rf.sprite == sprite {
				out = append(out, target{sub: sub, uri: uri, ref: rf})
			}
		}
	})
	return out
}

// watching reports how many watchers run (for tests and debugging).
func (s *subscriptions) watching() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.watchers)
}

// close stops every watcher and waits for them to end.
func (s *subscriptions) close() {
	s.mu.Lock()
	s.closed = true
	s.reconcile()
	s.mu.Unlock()
	s.wg.Wait()
}

// notifyUpdated sends notifications/resources/updated for uri to sub. It is
// addressed to the subscriber's own session, never broadcast: mcp-go drops
// broadcast resources/updated on sessions with an open listen filter.
func (r *Resources) notifyUpdated(sub *subscriber, uri string) {
	n := mcp.JSONRPCNotification{
		JSONRPC: mcp.JSONRPC_VERSION,
		Notification: mcp.Notification{
			Method: mcp.MethodNotificationResourceUpdated,
			Params: mcp.NotificationParams{AdditionalFields: map[string]any{"uri": uri}},
		},
	}
	if sub.listenID != nil {
		n.Params.Meta = map[string]any{mcp.MetaKeySubscriptionID: sub.listenID}
	}
	if up, ok := sub.session.(server.SessionWithStreamableHTTPConfig); ok {
		up.UpgradeToSSEWhenReceiveNotification()
	}
	select {
	case sub.session.NotificationChannel() <- n:
	default:
		// Never block a watcher on a slow client: its next poll sends the
		// next change anyway.
		r.log.Warn("notification queue full: resources/updated dropped", logURI, uri, logSession, sub.session.SessionID())
	}
}
