package auth

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"strings"

	"github.com/sprites-mcp/sprites-mcp/internal/config"
)

// fileJSON is the auth file's shape. Unknown keys are refused so a
// misspelt "read_only" cannot silently grant write access.
type fileJSON struct {
	Clients []struct {
		Name        string   `json:"name"`
		TokenSHA256 string   `json:"token_sha256"`
		Sprites     []string `json:"sprites"`
		ReadOnly    bool     `json:"read_only"`
	} `json:"clients"`
}

// LoadFile reads and checks the auth file at name.
func LoadFile(name string) (*Authenticator, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, fmt.Errorf("read the auth file: %w", err)
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, config.MaxAuthFileBytes+1))
	if err != nil {
		return nil, fmt.Errorf("read the auth file %s: %w", name, err)
	}
	if len(b) > config.MaxAuthFileBytes {
		return nil, fmt.Errorf("auth file %s is over %d bytes: it should list clients only", name, config.MaxAuthFileBytes)
	}
	a, err := parseFile(b)
	if err != nil {
		return nil, fmt.Errorf("auth file %s: %w", name, err)
	}
	return a, nil
}

// parseFile checks every client: a unique name, a 64-digit hex
// token_sha256 (the digest, never the token), unique digests, and valid
// sprite patterns.
func parseFile(b []byte) (*Authenticator, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	var doc fileJSON
	if err := dec.Decode(&doc); err != nil {
		return nil, fmt.Errorf("%w (expected {\"clients\": [{\"name\", \"token_sha256\", \"sprites\", \"read_only\"}]})", err)
	}
	if dec.More() {
		return nil, errors.New("unexpected data after the JSON object")
	}
	if len(doc.Clients) == 0 {
		return nil, errors.New(`no clients: list at least one under "clients"`)
	}
	a := &Authenticator{}
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
		a.entries = append(a.entries, entry{digest: d, client: &Client{
			Name: c.Name, Sprites: append([]string(nil), c.Sprites...), ReadOnly: c.ReadOnly,
			sessionTag: sessionTagFor(d),
		}})
	}
	return a, nil
}
