package httpserver

import (
	"encoding/json"
	"net/http"
)

// middleware wraps a handler with one concern: it answers the request
// itself (a refusal) or passes it on, perhaps changed.
type middleware func(http.Handler) http.Handler

// chain wraps h in mws so that the first of mws sees a request first.
func chain(h http.Handler, mws ...middleware) http.Handler {
	for i := len(mws) - 1; i >= 0; i-- {
		h = mws[i](h)
	}
	return h
}

// writeJSONError answers status with {"error": msg}.
func writeJSONError(w http.ResponseWriter, status int, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.Encode(map[string]string{"error": msg})
}
