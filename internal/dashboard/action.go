package dashboard

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net/http"
	"time"

	"github.com/sprites-mcp/sprites-mcp/client"
)

// actionJSON is the body of POST /api/action.
type actionJSON struct {
	Sprite  string `json:"sprite"`
	Service string `json:"service"`
	Action  string `json:"action"` // start, stop or restart
}

// actionWatch is how long a start or restart watches the service before
// answering; the page shows what follows through its event stream.
const actionWatch = time.Second

// action starts, stops or restarts a service, for a session whose client
// may change things on that sprite; the CSRF check came first.
func (db *Dashboard) action(w http.ResponseWriter, r *http.Request, s *session) {
	if ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); ct != "application/json" {
		writeJSON(w, http.StatusUnsupportedMediaType, map[string]string{"error": "send the action as application/json"})
		return
	}
	var a actionJSON
	dec := json.NewDecoder(io.LimitReader(r.Body, 4096))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&a); err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "bad action: " + err.Error()})
		return
	}
	if why := db.refusal(s, a); why != "" {
		db.log.Info("dashboard: refused an action", "client", s.name(), "action", a.Action, "sprite", a.Sprite, "service", a.Service, "why", why)
		writeJSON(w, http.StatusForbidden, map[string]string{"error": why})
		return
	}
	ctx, cancel := context.WithTimeout(asClient(r.Context(), s), actionTimeout)
	defer cancel()
	var st *client.Stream
	var err error
	switch a.Action {
	case "start":
		st, err = db.d.Services.Start(ctx, a.Sprite, a.Service, actionWatch)
	case "stop":
		st, err = db.d.Services.Stop(ctx, a.Sprite, a.Service, 0)
	case "restart":
		st, err = db.d.Services.Restart(ctx, a.Sprite, a.Service, actionWatch)
	}
	if err == nil {
		for st.Next() {
		}
		err = st.Err()
		st.Close()
	}
	if err != nil {
		writeJSON(w, http.StatusBadGateway, map[string]string{"error": fmt.Sprintf("%s %s: %v", a.Action, a.Service, err)})
		return
	}
	db.log.Info("dashboard: action", "client", s.name(), "action", a.Action, "sprite", a.Sprite, "service", a.Service)
	writeJSON(w, http.StatusOK, map[string]string{"done": a.Action + " " + a.Service})
}

// refusal says why s may not do a, or "" when it may.
func (db *Dashboard) refusal(s *session, a actionJSON) string {
	switch {
	case a.Action != "start" && a.Action != "stop" && a.Action != "restart":
		return fmt.Sprintf("unknown action %q: use start, stop or restart", a.Action)
	case db.d.ReadOnly:
		return "the server runs --read-only: no actions"
	case !s.canWrite():
		return fmt.Sprintf("client %q is read-only: no actions", s.name())
	case !s.allows(a.Sprite):
		return fmt.Sprintf("sprite %q is outside the scope of client %q", a.Sprite, s.name())
	}
	return ""
}
