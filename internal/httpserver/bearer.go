package httpserver

import (
	"errors"
	"net/http"

	"github.com/sprites-mcp/sprites-mcp/internal/auth"
)

// bearer authenticates every request but a CORS preflight, refuses a
// client the use of a session it was not issued, and records the client in
// the request's context for the scope checks.
type bearer struct {
	auth     *auth.Authenticator
	refusals *refusalLog
}

func (b bearer) wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// A CORS preflight carries no credentials by design; mcp-go answers
		// it (for an allowed origin: checked before) without running MCP.
		if r.Method == http.MethodOptions && r.Header.Get("Access-Control-Request-Method") != "" {
			next.ServeHTTP(w, r)
			return
		}
		c, err := b.auth.Authenticate(r)
		if err != nil {
			// The reason, never the header: it holds the token.
			b.refusals.refused("http: unauthenticated request", "reason", err.Error(), "remote", r.RemoteAddr)
			challenge := `Bearer realm="sprites-mcp"`
			if errors.Is(err, auth.ErrBadToken) {
				challenge += `, error="invalid_token"`
			}
			w.Header().Set("WWW-Authenticate", challenge)
			writeJSONError(w, http.StatusUnauthorized, "unauthorized: "+err.Error())
			return
		}
		if !ownsSession(c, r) {
			b.refusals.refused("http: a client used a session it was not issued", "client", c.Name, "remote", r.RemoteAddr)
			writeJSONError(w, http.StatusNotFound, "unknown session: initialize a new one")
			return
		}
		next.ServeHTTP(w, r.WithContext(auth.WithClient(r.Context(), c)))
	})
}
