package resources

import (
	"context"
	"encoding/json"
	"hash/fnv"
	"time"

	"github.com/sprites-mcp/sprites-mcp/client"
)

// vitals are what makes a service resource "updated": status, pid and
// restart count.
type vitals struct {
	status   client.Status
	pid      int
	restarts int
}

// snapshot is one poll of a sprite's services.
type snapshot struct {
	services map[string]vitals
	// list is the poll's answer, for the feeds.
	list []client.Service
	// listHash fingerprints the whole list (definitions and states), so the
	// list resource is updated when anything in it changes.
	listHash uint64
}

func takeSnapshot(svcs []client.Service) snapshot {
	s := snapshot{services: make(map[string]vitals, len(svcs)), list: svcs}
	h := fnv.New64a()
	for _, svc := range svcs {
		s.services[svc.Name] = vitals{status: svc.State.Status, pid: svc.State.PID, restarts: svc.State.RestartCount}
	}
	// The backend lists in a stable order; marshalling cannot fail for
	// these types.
	b, _ := json.Marshal(svcs)
	h.Write(b)
	s.listHash = h.Sum64()
	return s
}

// watch polls sprite every period until ctx ends, and tells subscribers
// what changed and feeds the new list. The first poll is the baseline; a failed poll changes
// nothing (a backend hiccup is not a change), except that a sprite which no
// longer exists has no services.
func (r *Resources) watch(ctx context.Context, sprite string) {
	r.log.Debug("watching services", logSprite, sprite)
	defer r.log.Debug("stopped watching services", logSprite, sprite)

	if wait := r.subs.untilPoll(sprite, time.Now()); wait > 0 {
		select {
		case <-ctx.Done():
			return
		case <-time.After(wait):
		}
	}
	ticker := time.NewTicker(r.poll)
	defer ticker.Stop()
	var prev *snapshot
	failing := false
	for {
		started := time.Now()
		cur, err := r.pollOnce(ctx, sprite)
		r.subs.polled(sprite, time.Now())
		switch {
		case ctx.Err() != nil:
			return
		case err != nil:
			if !failing {
				r.log.Warn("cannot poll services for subscribers; will keep trying", logSprite, sprite, logErr, err)
			}
			failing = true
		default:
			if failing {
				r.log.Info("polling services works again", logSprite, sprite)
			}
			failing = false
			if prev != nil {
				r.changed(sprite, *prev, cur)
			}
			if prev == nil || prev.listHash != cur.listHash {
				r.subs.publish(sprite, cur.list)
			}
			if sprite == r.defaultSprite {
				r.syncConcrete(names(cur), true)
			}
			prev = &cur
			if f := r.polled.Load(); f != nil {
				(*f)(sprite, started)
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-ticker.C:
		}
	}
}

// pollOnce lists sprite's services; a missing sprite has none.
func (r *Resources) pollOnce(ctx context.Context, sprite string) (snapshot, error) {
	ctx, cancel := context.WithTimeout(ctx, max(r.poll, 10*time.Second))
	defer cancel()
	svcs, err := r.svc.List(ctx, sprite)
	if err != nil {
		if client.IsNotFound(err) && !client.IsRouteNotFound(err) {
			return takeSnapshot(nil), nil
		}
		return snapshot{}, err
	}
	return takeSnapshot(svcs), nil
}

// changed sends notifications/resources/updated to every subscriber of
// sprite whose resource changed between prev and cur: the list resource
// when anything changed, a service or its logs when the service's status,
// pid or restart count changed, or it appeared or went.
func (r *Resources) changed(sprite string, prev, cur snapshot) {
	if prev.listHash == cur.listHash {
		return // nothing at all changed
	}
	for _, t := range r.subs.targets(sprite) {
		var hit bool
		switch t.ref.kind {
		case kindList:
			hit = true
		default:
			was, had := prev.services[t.ref.service]
			now, has := cur.services[t.ref.service]
			hit = had != has || was != now
		}
		if hit {
			r.notifyUpdated(t.sub, t.uri)
		}
	}
}

func names(s snapshot) []string {
	out := make([]string, 0, len(s.services))
	for n := range s.services {
		out = append(out, n)
	}
	return out
}
