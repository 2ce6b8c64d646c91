package dashboard

import (
	"encoding/json"
	"errors"
	"net/http"

	"github.com/sprites-mcp/sprites-mcp/internal/auth"
)

// page serves the dashboard. Without a live session it is the same page
// with status 401: the page then shows its login form, and a wrong or
// missing token never reads as a blank page.
func (db *Dashboard) page(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	if _, ok := db.sessionOf(r); !ok && db.d.Auth != nil {
		w.WriteHeader(http.StatusUnauthorized)
	}
	w.Write(indexHTML)
}

// login exchanges the bearer token in the Authorization header (never in
// a URL or a body a log might keep) for a session cookie. Without
// authentication on the server, any login opens a session, as /mcp needs
// no token either.
func (db *Dashboard) login(w http.ResponseWriter, r *http.Request) {
	var c *auth.Client
	if db.d.Auth != nil {
		var err error
		c, err = db.d.Auth.Authenticate(r)
		if err != nil {
			// The reason, never the header: it holds the token.
			db.log.Debug("dashboard: login refused", "reason", err.Error(), "remote", r.RemoteAddr)
			msg := "wrong token"
			if errors.Is(err, auth.ErrNoToken) {
				msg = "enter a token"
			}
			writeJSON(w, http.StatusUnauthorized, map[string]any{"error": msg, "auth": true})
			return
		}
	}
	id, s := db.sessions.create(c)
	setCookie(w, r, id, int(maxLifetime.Seconds()))
	db.log.Info("dashboard: logged in", "client", s.name(), "remote", r.RemoteAddr)
	db.sessionInfo(w, r, s)
}

// logout ends the session and clears the cookie.
func (db *Dashboard) logout(w http.ResponseWriter, r *http.Request) {
	if c, err := r.Cookie(cookieName); err == nil {
		db.sessions.end(c.Value)
	}
	setCookie(w, r, "", -1)
	w.WriteHeader(http.StatusNoContent)
}

// sessionInfoJSON is what the page learns about its session: who it is,
// whether it may act, and the CSRF token its actions must carry.
type sessionInfoJSON struct {
	Client   string   `json:"client"`
	CanWrite bool     `json:"can_write"`
	CSRF     string   `json:"csrf"`
	Sprites  []string `json:"sprites"`
	Auth     bool     `json:"auth"`
}

func (db *Dashboard) sessionInfo(w http.ResponseWriter, r *http.Request, s *session) {
	sprites, err := db.visibleSprites(r.Context(), s)
	if err != nil {
		writeJSON(w, http.StatusBadGateway, map[string]string{"error": "list sprites: " + err.Error()})
		return
	}
	writeJSON(w, http.StatusOK, sessionInfoJSON{
		Client:   s.name(),
		CanWrite: s.canWrite() && !db.d.ReadOnly,
		CSRF:     s.csrf,
		Sprites:  sprites,
		Auth:     db.d.Auth != nil,
	})
}

// writeJSON answers status with v.
func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.Encode(v)
}
