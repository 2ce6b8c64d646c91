package httpserver

import (
	"encoding/json"
	"net/http"
)

// healthz answers GET /healthz with what a load balancer or an operator
// needs and nothing more: that the server is up, its version and its
// backend kind. It needs no token.
func healthz(version, backendKind string) http.Handler {
	body, _ := json.Marshal(map[string]any{"up": true, "version": version, "backend": backendKind})
	body = append(body, '\n')
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			writeJSONError(w, http.StatusMethodNotAllowed, "use GET")
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Cache-Control", "no-store")
		w.Write(body)
	})
}
