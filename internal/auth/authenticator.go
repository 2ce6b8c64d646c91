package auth

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"net/http"
	"strings"
)

// Authenticator checks bearer tokens. It keeps only SHA-256 digests: a
// presented token is used for one comparison and dropped with its request.
// (With SPRITES_MCP_AUTH_TOKEN the server's configuration still holds that
// one token for the life of the process; an auth file holds none.)
type Authenticator struct {
	entries []entry
}

// entry pairs a token digest with its client.
type entry struct {
	digest [sha256.Size]byte
	client *Client
}

// Clients is how many clients the authenticator knows, for the start-up
// log.
func (a *Authenticator) Clients() int { return len(a.entries) }

// SingleToken is SPRITES_MCP_AUTH_TOKEN: one client, every sprite, full
// access.
func SingleToken(token string) *Authenticator {
	d := sha256.Sum256([]byte(token))
	return &Authenticator{entries: []entry{{
		digest: d,
		client: &Client{Name: "default", Sprites: []string{"*"}, sessionTag: sessionTagFor(d)},
	}}}
}

// sessionTagFor derives a client's session tag from its token digest.
func sessionTagFor(digest [sha256.Size]byte) string {
	sum := sha256.Sum256(append([]byte("sprites-mcp session tag\x00"), digest[:]...))
	return hex.EncodeToString(sum[:8])
}

// Reasons a request is refused, for the 401 body and the log; they never
// contain the token.
var (
	ErrNoToken  = errors.New("missing bearer token: send Authorization: Bearer <token>")
	ErrBadToken = errors.New("invalid bearer token")
)

// Authenticate returns the client whose token r carries. Digests are
// compared in constant time and every entry is compared, so the timing says
// neither how much of a token matched nor which entry did.
func (a *Authenticator) Authenticate(r *http.Request) (*Client, error) {
	h := r.Header.Get("Authorization")
	scheme, token, ok := strings.Cut(h, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(token) == "" {
		return nil, ErrNoToken
	}
	sum := sha256.Sum256([]byte(strings.TrimSpace(token)))
	var found *Client
	for _, e := range a.entries {
		if subtle.ConstantTimeCompare(sum[:], e.digest[:]) == 1 {
			found = e.client
		}
	}
	if found == nil {
		return nil, ErrBadToken
	}
	return found, nil
}
