package auth

import (
	"bytes"
	"errors"
	"net/http/httptest"
	"strings"
	"testing"
	"unicode/utf8"
)

// fuzzToken is the token whose digest the seeds use, so that the fuzzer
// reaches accepted files that know it.
const fuzzToken = "tok"

// FuzzAuthFile feeds arbitrary auth files to the parser. Invariants: no
// panic; a refusal is one clear, valid UTF-8 message bounded by the file;
// an accepted file has at least one client, each with a non-blank unique
// name and at least one sprite pattern; the token "tok" authenticates as
// the client whose token_sha256 is its digest, and as nobody when no
// client has it.
//
//	go test -run '^$' -fuzz FuzzAuthFile -fuzztime 30s ./internal/auth
func FuzzAuthFile(f *testing.F) {
	digest := sha256Hex(fuzzToken)
	f.Fuzz(func(t *testing.T, file []byte) {
		a, err := parseFile(file)
		if err != nil {
			msg := err.Error()
			if !utf8.ValidString(msg) || strings.TrimSpace(msg) == "" || len(msg) > 10*len(file)+600 {
				t.Fatalf("parseFile(%q): message %q", file, msg)
			}
			return
		}
		if a.Clients() == 0 {
			t.Fatalf("parseFile(%q): accepted with no clients", file)
		}
		names := map[string]bool{}
		for _, e := range a.entries {
			c := e.client
			if strings.TrimSpace(c.Name) == "" || names[c.Name] || len(c.Sprites) == 0 {
				t.Fatalf("parseFile(%q): accepted client %+v", file, c)
			}
			names[c.Name] = true
		}
		r := httptest.NewRequest("GET", "/mcp", nil)
		r.Header.Set("Authorization", "Bearer "+fuzzToken)
		c, err := a.Authenticate(r)
		known := bytes.Contains(bytes.ToLower(file), []byte(digest)) // a necessary condition
		switch {
		case err == nil && !known:
			t.Fatalf("parseFile(%q): %q authenticates as %q, yet no client has its digest", file, fuzzToken, c.Name)
		case err != nil && !errors.Is(err, ErrBadToken):
			t.Fatalf("parseFile(%q): Authenticate: %v", file, err)
		}
	})
}
