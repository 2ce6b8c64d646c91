package httpserver

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"net/http"
	"strings"

	"github.com/mark3labs/mcp-go/server"

	"github.com/sprites-mcp/sprites-mcp/internal/auth"
)

// Legacy (before 2026-07-28) sessions are bound to the client that opened
// them, as the MCP security guidance asks: a session ID carries its
// client's session tag (auth.Client.SessionTag), and a request whose
// session ID does not carry its own client's tag is refused. So a client
// that learns another's session ID cannot read that session's
// notifications (resource updates of sprites outside its scope) or end it.
// The tag is stable across restarts and replicas with the same auth file.

const sessionIDPrefix = "mcp-session-"

// sessionOptions chooses how mcp-go keeps sessions: none when stateless,
// client-bound IDs when there are clients, mcp-go's own otherwise.
func sessionOptions(stateless, authenticated bool) []server.StreamableHTTPOption {
	switch {
	case stateless:
		return []server.StreamableHTTPOption{server.WithStateLess(true)}
	case authenticated:
		return []server.StreamableHTTPOption{server.WithSessionIdManagerResolver(sessionIDs{})}
	}
	return nil
}

// sessionIDs mints session IDs for the client of each request.
type sessionIDs struct{}

var _ server.SessionIdManagerResolver = sessionIDs{}

// ResolveSessionIdManager implements server.SessionIdManagerResolver; r is
// nil when mcp-go sweeps or closes sessions outside any request.
func (sessionIDs) ResolveSessionIdManager(r *http.Request) server.SessionIdManager {
	if r != nil {
		if c, ok := auth.ClientFrom(r.Context()); ok {
			return clientSessionIDs{prefix: sessionIDPrefix + c.SessionTag() + "-"}
		}
	}
	return clientSessionIDs{prefix: sessionIDPrefix}
}

// clientSessionIDs mints and checks the session IDs of one client.
type clientSessionIDs struct{ prefix string }

func (m clientSessionIDs) Generate() string {
	var b [16]byte
	rand.Read(b[:]) // never fails (crypto/rand's documented guarantee)
	return m.prefix + hex.EncodeToString(b[:])
}

var errForeignSession = errors.New("session id not issued to this client")

func (m clientSessionIDs) Validate(id string) (bool, error) {
	if !strings.HasPrefix(id, m.prefix) {
		return false, errForeignSession
	}
	return false, nil
}

// Terminate has nothing to record: mcp-go drops the session's state.
func (m clientSessionIDs) Terminate(id string) (bool, error) {
	if !strings.HasPrefix(id, m.prefix) {
		return false, errForeignSession
	}
	return false, nil
}

// ownsSession reports whether the session ID r carries, if any, was issued
// to c. The bearer middleware checks it for every method, because mcp-go
// does not validate the session ID of a GET.
func ownsSession(c *auth.Client, r *http.Request) bool {
	id := r.Header.Get("Mcp-Session-Id")
	return id == "" || strings.HasPrefix(id, sessionIDPrefix+c.SessionTag()+"-")
}
