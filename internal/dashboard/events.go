package dashboard

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/sprites-mcp/sprites-mcp/client"
	"github.com/sprites-mcp/sprites-mcp/internal/present"
	"github.com/sprites-mcp/sprites-mcp/resources"
)

// serviceJSON is one row of the page: a service's state as the tools and
// resources present it (status words, pid only while live, the last error
// cleaned and masked), plus its port.
type serviceJSON struct {
	Name     string `json:"name"`
	HTTPPort int    `json:"http_port,omitempty"`
	present.State
}

// spriteJSON is one "services" event: every service of one sprite.
type spriteJSON struct {
	Sprite   string        `json:"sprite"`
	Services []serviceJSON `json:"services"`
}

func spriteView(sprite string, list []client.Service) spriteJSON {
	out := spriteJSON{Sprite: sprite, Services: make([]serviceJSON, 0, len(list))}
	for _, s := range list {
		row := serviceJSON{Name: s.Name, State: present.StateOf(s.State)}
		if s.HTTPPort != nil {
			row.HTTPPort = *s.HTTPPort
		}
		out.Services = append(out.Services, row)
	}
	slices.SortFunc(out.Services, func(a, b serviceJSON) int { return strings.Compare(a.Name, b.Name) })
	return out
}

// sse starts a server-sent event stream on w.
type sse struct {
	w http.ResponseWriter
	f http.Flusher
}

func startSSE(w http.ResponseWriter) (*sse, bool) {
	f, ok := w.(http.Flusher)
	if !ok {
		return nil, false
	}
	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	// The browser reconnects this soon after a stream ends.
	fmt.Fprint(w, "retry: 2000\n\n")
	f.Flush()
	return &sse{w: w, f: f}, true
}

// send writes one event whose data is v as JSON (one line: JSON escapes
// newlines inside strings).
func (s *sse) send(event string, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	if _, err := fmt.Fprintf(s.w, "event: %s\ndata: %s\n\n", event, b); err != nil {
		return err
	}
	s.f.Flush()
	return nil
}

func (s *sse) comment() error {
	if _, err := fmt.Fprint(s.w, ": keep-alive\n\n"); err != nil {
		return err
	}
	s.f.Flush()
	return nil
}

// openStream takes a stream slot for s or answers 429.
func (db *Dashboard) openStream(w http.ResponseWriter, s *session) (func(), bool) {
	release, ok := db.acquireStream(s)
	if !ok {
		writeJSON(w, http.StatusTooManyRequests, map[string]string{"error": "too many open views: close some tabs"})
		return nil, false
	}
	return release, true
}

// events streams the services of every sprite the session may see: one
// "services" event per sprite at once (as soon as its watcher has polled)
// and again whenever anything in it changes. The lists come from the
// resources' watchers, shared with MCP subscriptions and other browsers.
func (db *Dashboard) events(w http.ResponseWriter, r *http.Request, s *session) {
	sprites, err := db.visibleSprites(r.Context(), s)
	if err != nil {
		writeJSON(w, http.StatusBadGateway, map[string]string{"error": "list sprites: " + err.Error()})
		return
	}
	release, ok := db.openStream(w, s)
	if !ok {
		return
	}
	defer release()

	ctx, cancel := context.WithCancel(r.Context())
	defer cancel()
	type update struct {
		sprite string
		list   []client.Service
	}
	updates := make(chan update, len(sprites)+1)
	for _, sp := range sprites {
		feed, err := db.d.Resources.Watch(sp)
		if err != nil {
			db.log.Warn("dashboard: cannot watch a sprite", "sprite", sp, "err", err)
			continue
		}
		defer feed.Stop()
		go func(f *resources.Feed) {
			for {
				select {
				case <-ctx.Done():
					return
				case l := <-f.C():
					select {
					case updates <- update{f.Sprite(), l}:
					case <-ctx.Done():
						return
					}
				}
			}
		}(feed)
	}

	out, ok := startSSE(w)
	if !ok {
		return
	}
	if err := out.send("sprites", sprites); err != nil {
		return
	}
	beat := time.NewTicker(heartbeat)
	defer beat.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case u := <-updates:
			if out.send("services", spriteView(u.sprite, u.list)) != nil {
				return
			}
		case <-beat.C:
			if !db.sessions.keepAlive(s) || out.comment() != nil {
				return
			}
		}
	}
}

// logs streams the tail of one service's log, rendered exactly as the
// logs resource renders it: a "tail" event with the whole tail whenever it
// changed, an "error" event when the log cannot be read.
func (db *Dashboard) logs(w http.ResponseWriter, r *http.Request, s *session) {
	sprite, service := r.URL.Query().Get("sprite"), r.URL.Query().Get("service")
	if !s.allows(sprite) {
		writeJSON(w, http.StatusForbidden, map[string]string{"error": fmt.Sprintf("sprite %q is outside the scope of client %q", sprite, s.name())})
		return
	}
	release, ok := db.openStream(w, s)
	if !ok {
		return
	}
	defer release()
	out, ok := startSSE(w)
	if !ok {
		return
	}
	ctx, cancel := context.WithCancel(r.Context())
	defer cancel()
	// The session's heartbeat: the stream ends with its session.
	go func() {
		beat := time.NewTicker(heartbeat)
		defer beat.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-beat.C:
				if !db.sessions.keepAlive(s) {
					cancel()
					return
				}
			}
		}
	}()
	emit := func(text string) {
		out.send("tail", map[string]string{"sprite": sprite, "service": service, "text": text})
	}
	if err := db.d.Resources.FollowLogs(ctx, sprite, service, logLines, logFollow, emit); err != nil {
		out.send("error", map[string]string{"error": err.Error()})
	}
}
