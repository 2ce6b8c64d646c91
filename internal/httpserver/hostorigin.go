package httpserver

import (
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/sprites-mcp/sprites-mcp/internal/config"
)

// hostOrigin refuses with 403 a request a browser could have been tricked
// into sending: on a loopback bind, a Host that does not name loopback
// (DNS rebinding); anywhere, an Origin that is neither allowed nor a
// loopback page of this same host. Requests without Origin come from
// programs, not pages, and pass.
type hostOrigin struct {
	loopback bool     // bound to loopback: Host must name loopback too
	origins  []string // normalised allowed origins (--allowed-origins)
	refusals *refusalLog
}

func (h hostOrigin) wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if h.loopback && !config.IsLoopbackName(hostOnly(r.Host)) {
			h.refusals.refused("http: refused a foreign Host on a loopback bind", "host", r.Host, "remote", r.RemoteAddr)
			writeJSONError(w, http.StatusForbidden, "forbidden: Host "+r.Host+" is not this loopback server (DNS rebinding protection)")
			return
		}
		origin := r.Header.Get("Origin")
		if origin != "" && !h.originAllowed(origin, r.Host) {
			h.refusals.refused("http: refused a foreign Origin", "origin", origin, "remote", r.RemoteAddr)
			writeJSONError(w, http.StatusForbidden, "forbidden: Origin "+origin+" is not allowed; the server's operator can add it with --allowed-origins")
			return
		}
		next.ServeHTTP(w, r)
	})
}

func (h hostOrigin) originAllowed(origin, host string) bool {
	norm, err := config.NormalizeOrigin(origin)
	if err != nil {
		return false // "null" and other opaque origins
	}
	if slices.Contains(h.origins, norm) {
		return true
	}
	u, _ := url.Parse(norm)
	return config.IsLoopbackName(u.Hostname()) && strings.EqualFold(u.Host, host)
}

// hostOnly strips the port from a Host header.
func hostOnly(hostport string) string {
	if i := strings.LastIndexByte(hostport, ':'); i >= 0 && !strings.HasSuffix(hostport, "]") {
		return hostport[:i]
	}
	return hostport
}
