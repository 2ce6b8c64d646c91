package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path"
	"strings"
)

// authClient is one caller of the HTTP transport, as the auth file (or
// SPRITES_MCP_AUTH_TOKEN) describes it. It is immutable once loaded.
type authClient struct {
	Name     string
	Sprites  []string // path.Match patterns; ["*"] is every sprite
	ReadOnly bool
	// sessionTag marks the legacy session IDs issued to this client (see
	// auth_session.go).
	sessionTag string
}

// allows reports whether the client may touch sprite.
func (c *authClient) allows(sprite string) bool {
	for _, p := range c.Sprites {
		if ok, _ := path.Match(p, sprite); ok {
			return true
		}
	}
	return false
}

// everySprite reports whether the client's patterns admit any name, so
// scope checks can be skipped entirely.
func (c *authClient) everySprite() bool {
	for _, p := range c.Sprites {
		if p == "*" {
			return true
		}
	}
	return false
}

type authClientKey struct{}

// withAuthClient records the authenticated caller in ctx.
func withAuthClient(ctx context.Context, c *authClient) context.Context {
	return context.WithValue(ctx, authClientKey{}, c)
}

// authClientFrom returns the caller recorded in ctx. Over stdio there is
// none, and the caller is the local user: full access.
func authClientFrom(ctx context.Context) (*authClient, bool) {
	c, ok := ctx.Value(authClientKey{}).(*authClient)
	return c, ok && c != nil
}

// maxAuthFileBytes bounds the auth file; a real one is a few KiB.
const maxAuthFileBytes = 1 << 20

// authFileJSON is the auth file's shape (DESIGN.md section 5). Unknown keys
// are refused so a misspelt "read_only" cannot silently grant write access.
type authFileJSON struct {
	Clients []struct {
		Name        string   `json:"name"`
		TokenSHA256 string   `json:"token_sha256"`
		Sprites     []string `json:"sprites"`
		ReadOnly    bool     `json:"read_only"`
	} `json:"clients"`
}

// authEntry pairs a token digest with its client.
type authEntry struct {
	digest [sha256.Size]byte
	client *authClient
}

// authenticator checks bearer tokens. It keeps only SHA-256 digests: a
// presented token is used for one comparison and dropped with its request.
// (With SPRITES_MCP_AUTH_TOKEN the server's configuration still holds that
// one token for the life of the process; an auth file holds none.)
type authenticator struct {
	entries []authEntry
}

// loadAuthFile reads and checks the auth file at name.
func loadAuthFile(name string) (*authenticator, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, fmt.Errorf("read the auth file: %w", err)
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxAuthFileBytes+1))
	if err != nil {
		return nil, fmt.Errorf("read the auth file %s: %w", name, err)
	}
	if len(b) > maxAuthFileBytes {
		return nil, fmt.Errorf("auth file %s is over %d bytes: it should list clients only", name, maxAuthFileBytes)
	}
	a, err := parseAuthFile(b)
	if err != nil {
		return nil, fmt.Errorf("auth file %s: %w", name, err)
	}
	return a, nil
}

// parseAuthFile checks every client: a unique name, a 64-digit hex
// token_sha256 (the digest, never the token), unique digests, and valid
// sprite patterns.
func parseAuthFile(b []byte) (*authenticator, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	var doc authFileJSON
	if err := dec.Decode(&doc); err != nil {
		return nil, fmt.Errorf("%w (expected {\"clients\": [{\"name\", \"token_sha256\", \"sprites\", \"read_only\"}]})", err)
	}
	if dec.More() {
		return nil, errors.New("unexpected data after the JSON object")
	}
	if len(doc.Clients) == 0 {
		return nil, errors.New(`no clients: list at least one under "clients"`)
	}
	a := &authenticator{}
	names := map[string]bool{}
	digests := map[[sha256.Size]byte]string{}
	for i, c := range doc.Clients {
		where := fmt.Sprintf("client %d", i+1)
		if c.Name != "" {
			where = fmt.Sprintf("client %q", c.Name)
		}
		if strings.TrimSpace(c.Name) == "" {
			return nil, fmt.Errorf("%s: name is empty: give each client a name (it appears in logs)", where)
		}
		if names[c.Name] {
			return nil, fmt.Errorf("%s: the name is used twice", where)
		}
		names[c.Name] = true
		raw, err := hex.DecodeString(strings.TrimSpace(c.TokenSHA256))
		if err != nil || len(raw) != sha256.Size {
			return nil, fmt.Errorf("%s: token_sha256 must be 64 hex digits, the SHA-256 of the token (printf %%s \"$TOKEN\" | sha256sum)", where)
		}
		var d [sha256.Size]byte
		copy(d[:], raw)
		if other, dup := digests[d]; dup {
			return nil, fmt.Errorf("%s: same token_sha256 as client %q: give each client its own token", where, other)
		}
		digests[d] = c.Name
		if len(c.Sprites) == 0 {
			return nil, fmt.Errorf(`%s: sprites is empty: list the sprite name patterns it may use, ["*"] for all`, where)
		}
		for _, p := range c.Sprites {
			if _, err := path.Match(p, ""); err != nil || p == "" {
				return nil, fmt.Errorf("%s: sprite pattern %q is not a valid glob (path.Match syntax: *, ?, [a-z])", where, p)
			}
		}
		a.entries = append(a.entries, authEntry{digest: d, client: &authClient{
			Name: c.Name, Sprites: append([]string(nil), c.Sprites...), ReadOnly: c.ReadOnly,
			sessionTag: sessionTagFor(d),
		}})
	}
	return a, nil
}

// singleTokenAuth is SPRITES_MCP_AUTH_TOKEN: one client, every sprite,
// full access.
func singleTokenAuth(token string) *authenticator {
	d := sha256.Sum256([]byte(token))
	return &authenticator{entries: []authEntry{{
		digest: d,
		client: &authClient{Name: "default", Sprites: []string{"*"}, sessionTag: sessionTagFor(d)},
	}}}
}

// Reasons a request is refused, for the 401 body and the log; they never
// contain the token.
var (
	errNoToken  = errors.New("missing bearer token: send Authorization: Bearer <token>")
	errBadToken = errors.New("invalid bearer token")
)

// authenticate returns the client whose token r carries. Digests are
// compared in constant time and every entry is compared, so the timing says
// neither how much of a token matched nor which entry did.
func (a *authenticator) authenticate(r *http.Request) (*authClient, error) {
	h := r.Header.Get("Authorization")
	scheme, token, ok := strings.Cut(h, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(token) == "" {
		return nil, errNoToken
	}
	sum := sha256.Sum256([]byte(strings.TrimSpace(token)))
	var found *authClient
	for _, e := range a.entries {
		if subtle.ConstantTimeCompare(sum[:], e.digest[:]) == 1 {
			found = e.client
		}
	}
	if found == nil {
		return nil, errBadToken
	}
	return found, nil
}
