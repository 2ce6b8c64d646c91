package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
)

// maxRequestBody is the largest request body /mcp accepts. MCP requests are
// small; a larger body is a mistake or an attack.
const maxRequestBody = 1 << 20

// guard is the middleware in front of mcp-go's handler: Host (on loopback
// binds), Origin, bearer authentication, body size, and the bookkeeping
// that lets a shutdown end long-lived streams while it drains calls.
type guard struct {
	loopback bool           // bound to loopback: Host must name loopback too
	origins  []string       // normalised allowed origins (--allowed-origins)
	auth     *authenticator // nil: no authentication (loopback only)
	streams  *streamSet
	// refusals logs refused requests without letting their sender decide
	// the log's volume.
	refusals *refusalLog
}

// checkHostOrigin answers 403 for a request a browser could have been
// tricked into sending: on a loopback bind, a Host that does not name
// loopback (DNS rebinding); anywhere, an Origin that is neither allowed nor
// a loopback page of this same host. Requests without Origin come from
// programs, not pages, and pass.
func (g *guard) checkHostOrigin(w http.ResponseWriter, r *http.Request) bool {
	if g.loopback && !isLoopbackName(hostOnly(r.Host)) {
		g.refusals.refused("http: refused a foreign Host on a loopback bind", "host", r.Host, "remote", r.RemoteAddr)
		writeJSONError(w, http.StatusForbidden, "forbidden: Host "+r.Host+" is not this loopback server (DNS rebinding protection)")
		return false
	}
	origin := r.Header.Get("Origin")
	if origin == "" || g.originAllowed(origin, r.Host) {
		return true
	}
	g.refusals.refused("http: refused a foreign Origin", "origin", origin, "remote", r.RemoteAddr)
	writeJSONError(w, http.StatusForbidden, "forbidden: Origin "+origin+" is not allowed; the server's operator can add it with --allowed-origins")
	return false
}

func (g *guard) originAllowed(origin, host string) bool {
	norm, err := normalizeOrigin(origin)
	if err != nil {
		return false // "null" and other opaque origins
	}
	if slices.Contains(g.origins, norm) {
		return true
	}
	u, _ := url.Parse(norm)
	return isLoopbackName(u.Hostname()) && strings.EqualFold(u.Host, host)
}

// hostOnly strips the port from a Host header.
func hostOnly(hostport string) string {
	if i := strings.LastIndexByte(hostport, ':'); i >= 0 && !strings.HasSuffix(hostport, "]") {
		return hostport[:i]
	}
	return hostport
}

// mcp wraps the MCP handler.
func (g *guard) mcp(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !g.checkHostOrigin(w, r) {
			return
		}
		// A CORS preflight carries no credentials by design; mcp-go answers
		// it (for an allowed origin: checked above) without running MCP.
		preflight := r.Method == http.MethodOptions && r.Header.Get("Access-Control-Request-Method") != ""
		if g.auth != nil && !preflight {
			c, err := g.auth.authenticate(r)
			if err != nil {
				// The reason, never the header: it holds the token.
				g.refusals.refused("http: unauthenticated request", "reason", err.Error(), "remote", r.RemoteAddr)
				challenge := `Bearer realm="sprites-mcp"`
				if errors.Is(err, errBadToken) {
					challenge += `, error="invalid_token"`
				}
				w.Header().Set("WWW-Authenticate", challenge)
				writeJSONError(w, http.StatusUnauthorized, "unauthorized: "+err.Error())
				return
			}
			if !ownsSession(c, r) {
				g.refusals.refused("http: a client used a session it was not issued", "client", c.Name, "remote", r.RemoteAddr)
				writeJSONError(w, http.StatusNotFound, "unknown session: initialize a new one")
				return
			}
			r = r.WithContext(withAuthClient(r.Context(), c))
		}
		long := r.Method == http.MethodGet
		if r.Method == http.MethodPost {
			body, ok := readBody(w, r)
			if !ok {
				return
			}
			long = isListen(body)
			r.Body = io.NopCloser(bytes.NewReader(body))
			r.ContentLength = int64(len(body))
		}
		if long {
			// A listening stream is not a call to drain: a shutdown ends it.
			ctx, done := g.streams.add(r.Context(), r.Method)
			defer done()
			r = r.WithContext(ctx)
		}
		next.ServeHTTP(w, r)
	})
}

// readBody reads a POST body of at most maxRequestBody bytes, answering 413
// beyond that.
func readBody(w http.ResponseWriter, r *http.Request) ([]byte, bool) {
	tooLarge := func() ([]byte, bool) {
		writeJSONError(w, http.StatusRequestEntityTooLarge, "request body over 1 MiB: MCP messages are small; send less")
		return nil, false
	}
	if r.ContentLength > maxRequestBody {
		return tooLarge()
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxRequestBody+1))
	if err != nil {
		writeJSONError(w, http.StatusBadRequest, "read request body: "+err.Error())
		return nil, false
	}
	if len(body) > maxRequestBody {
		return tooLarge()
	}
	return body, true
}

// isListen reports whether body is a subscriptions/listen request, which
// holds its response open as a stream.
func isListen(body []byte) bool {
	if !bytes.Contains(body, []byte("subscriptions/listen")) {
		return false // the common case costs no second parse
	}
	var m struct {
		Method string `json:"method"`
	}
	return json.Unmarshal(body, &m) == nil && m.Method == "subscriptions/listen"
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
