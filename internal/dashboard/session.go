package dashboard

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"net/http"
	"sync"
	"time"

	"github.com/sprites-mcp/sprites-mcp/internal/auth"
)

// Session bounds: anyone holding a token can log in again, so the oldest
// idle session gives way when there are too many.
const (
	maxSessions = 256
	idleExpiry  = 30 * time.Minute
	maxLifetime = 12 * time.Hour
	cookieName  = "sprites_mcp_session"
)

// session is one logged-in browser. Its ID lives only in an HttpOnly
// cookie; its CSRF token is handed to the page, which sends it back on
// every action.
type session struct {
	client  *auth.Client // nil: a server without authentication
	csrf    string
	created time.Time

	mu       sync.Mutex
	lastSeen time.Time
	streams  int // open event and log streams
}

// allows reports whether the session's client may see sprite.
func (s *session) allows(sprite string) bool { return s.client == nil || s.client.Allows(sprite) }

// canWrite reports whether the session's client may start, stop and
// restart services (the server's --read-only aside).
func (s *session) canWrite() bool { return s.client == nil || !s.client.ReadOnly }

// name is the client's name, for the page and the log.
func (s *session) name() string {
	if s.client == nil {
		return "local"
	}
	return s.client.Name
}

// sessions holds the live sessions by the SHA-256 of their ID, so the map
// holds nothing a cookie could be rebuilt from.
type sessions struct {
	now func() time.Time

	mu   sync.Mutex
	byID map[[sha256.Size]byte]*session
}

func newSessions(now func() time.Time) *sessions {
	return &sessions{now: now, byID: map[[sha256.Size]byte]*session{}}
}

func randomToken() string {
	var b [32]byte
	rand.Read(b[:]) // never fails (crypto/rand's documented guarantee)
	return hex.EncodeToString(b[:])
}

// create starts a session for c and returns its ID.
func (ss *sessions) create(c *auth.Client) (string, *session) {
	id := randomToken()
	now := ss.now()
	s := &session{client: c, csrf: randomToken(), created: now, lastSeen: now}
	ss.mu.Lock()
	defer ss.mu.Unlock()
	ss.sweep(now)
	if len(ss.byID) >= maxSessions {
		ss.evictOldest()
	}
	ss.byID[sha256.Sum256([]byte(id))] = s
	return id, s
}

// get returns the live session of id and marks it seen.
func (ss *sessions) get(id string) (*session, bool) {
	if id == "" {
		return nil, false
	}
	key := sha256.Sum256([]byte(id))
	now := ss.now()
	ss.mu.Lock()
	defer ss.mu.Unlock()
	s, ok := ss.byID[key]
	if !ok {
		return nil, false
	}
	if s.expired(now) {
		delete(ss.byID, key)
		return nil, false
	}
	s.mu.Lock()
	s.lastSeen = now
	s.mu.Unlock()
	return s, true
}

// end forgets the session of id.
func (ss *sessions) end(id string) {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	delete(ss.byID, sha256.Sum256([]byte(id)))
}

// expired: idle too long, or alive too long. An open stream keeps a
// session from idling (its heartbeats mark it seen).
func (s *session) expired(now time.Time) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return now.Sub(s.lastSeen) >= idleExpiry || now.Sub(s.created) >= maxLifetime
}

// sweep drops expired sessions. Callers hold mu.
func (ss *sessions) sweep(now time.Time) {
	for k, s := range ss.byID {
		if s.expired(now) {
			delete(ss.byID, k)
		}
	}
}

// evictOldest drops the session seen least recently. Callers hold mu.
func (ss *sessions) evictOldest() {
	var oldestKey [sha256.Size]byte
	var oldest time.Time
	first := true
	for k, s := range ss.byID {
		s.mu.Lock()
		seen := s.lastSeen
		s.mu.Unlock()
		if first || seen.Before(oldest) {
			oldestKey, oldest, first = k, seen, false
		}
	}
	delete(ss.byID, oldestKey)
}

// count is how many sessions are held (for tests).
func (ss *sessions) count() int {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	return len(ss.byID)
}

// setCookie hands the browser the session ID: HttpOnly (no script reads
// it), SameSite=Strict (no other site's page sends it), Secure over TLS.
func setCookie(w http.ResponseWriter, r *http.Request, id string, maxAge int) {
	http.SetCookie(w, &http.Cookie{
		Name:     cookieName,
		Value:    id,
		Path:     "/",
		MaxAge:   maxAge,
		HttpOnly: true,
		Secure:   r.TLS != nil,
		SameSite: http.SameSiteStrictMode,
	})
}

// sessionOf returns the request's session, if it has a live one.
func (db *Dashboard) sessionOf(r *http.Request) (*session, bool) {
	c, err := r.Cookie(cookieName)
	if err != nil {
		return nil, false
	}
	return db.sessions.get(c.Value)
}

// withSession refuses a request without a live session with 401.
func (db *Dashboard) withSession(h func(http.ResponseWriter, *http.Request, *session)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		s, ok := db.sessionOf(r)
		if !ok {
			writeJSON(w, http.StatusUnauthorized, map[string]any{
				"error": "not logged in: log in with a token", "auth": db.d.Auth != nil,
			})
			return
		}
		h(w, r, s)
	}
}

// withCSRF refuses an action whose X-CSRF-Token header is not the
// session's token. The cookie alone proves nothing: a browser attaches it
// to whatever request a page makes it send.
func (db *Dashboard) withCSRF(h func(http.ResponseWriter, *http.Request, *session)) func(http.ResponseWriter, *http.Request, *session) {
	return func(w http.ResponseWriter, r *http.Request, s *session) {
		got := r.Header.Get("X-CSRF-Token")
		if got == "" || subtle.ConstantTimeCompare([]byte(got), []byte(s.csrf)) != 1 {
			db.log.Debug("dashboard: refused an action without the session's CSRF token", "client", s.name(), "remote", r.RemoteAddr)
			writeJSON(w, http.StatusForbidden, map[string]string{"error": "missing or wrong CSRF token: reload the page"})
			return
		}
		h(w, r, s)
	}
}

// acquireStream counts one more open stream for s, within the bounds.
func (db *Dashboard) acquireStream(s *session) (release func(), ok bool) {
	s.mu.Lock()
	if s.streams >= maxStreamsPerSession {
		s.mu.Unlock()
		return nil, false
	}
	s.streams++
	s.mu.Unlock()
	select {
	case db.streams <- struct{}{}:
	default:
		s.mu.Lock()
		s.streams--
		s.mu.Unlock()
		return nil, false
	}
	return func() {
		<-db.streams
		s.mu.Lock()
		s.streams--
		s.mu.Unlock()
	}, true
}

// touch marks s seen (a stream's heartbeat).
func (s *session) touch(now time.Time) {
	s.mu.Lock()
	s.lastSeen = now
	s.mu.Unlock()
}

// keepAlive marks s seen if it is still a live session, and reports
// whether it is: a stream ends with its session (logout, expiry, eviction).
func (ss *sessions) keepAlive(s *session) bool {
	now := ss.now()
	ss.mu.Lock()
	defer ss.mu.Unlock()
	for k, held := range ss.byID {
		if held != s {
			continue
		}
		if s.expired(now) {
			delete(ss.byID, k)
			return false
		}
		s.touch(now)
		return true
	}
	return false
}
