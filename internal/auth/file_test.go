package auth

import (
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestAuthFileParsing(t *testing.T) {
	good := sha256Hex("tok")
	for _, tc := range []struct {
		name, file, want string
	}{
		{"unknown key", `{"clients":[{"name":"a","token_sha256":"` + good + `","sprites":["*"],"readonly":true}]}`, `unknown field "readonly"`},
		{"unknown top-level key", `{"clients":[],"admins":[]}`, `unknown field "admins"`},
		{"bad hex", `{"clients":[{"name":"a","token_sha256":"zz` + good[2:] + `","sprites":["*"]}]}`, "64 hex digits"},
		{"short digest", `{"clients":[{"name":"a","token_sha256":"abcd","sprites":["*"]}]}`, "64 hex digits"},
		{"no clients", `{"clients":[]}`, "no clients"},
		{"no name", `{"clients":[{"token_sha256":"` + good + `","sprites":["*"]}]}`, "name is empty"},
		{"duplicate name", `{"clients":[{"name":"a","token_sha256":"` + good + `","sprites":["*"]},{"name":"a","token_sha256":"` + sha256Hex("x") + `","sprites":["*"]}]}`, "used twice"},
		{"shared token", `{"clients":[{"name":"a","token_sha256":"` + good + `","sprites":["*"]},{"name":"b","token_sha256":"` + good + `","sprites":["*"]}]}`, "same token_sha256"},
		{"no sprites", `{"clients":[{"name":"a","token_sha256":"` + good + `"}]}`, "sprites is empty"},
		{"bad pattern", `{"clients":[{"name":"a","token_sha256":"` + good + `","sprites":["dev-[a"]}]}`, "not a valid glob"},
		{"trailing data", `{"clients":[{"name":"a","token_sha256":"` + good + `","sprites":["*"]}]} {}`, "after the JSON object"},
		{"not JSON", `clients: a`, "invalid character"},
	} {
		_, err := LoadFile(writeAuthFile(t, tc.file))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: err = %v, want it to say %q", tc.name, err, tc.want)
		}
		if err != nil && strings.Contains(err.Error(), good) {
			t.Errorf("%s: the error repeats the digest: %v", tc.name, err)
		}
	}
	if _, err := LoadFile("/nonexistent/auth.json"); err == nil || !strings.Contains(err.Error(), "read the auth file") {
		t.Errorf("missing file: %v", err)
	}

	a, err := LoadFile(writeAuthFile(t, `{"clients": [
		{"name": "ci-bot", "token_sha256": "`+strings.ToUpper(good)+`", "sprites": ["dev-*"], "read_only": true},
		{"name": "release", "token_sha256": "`+sha256Hex("rel")+`", "sprites": ["*"]}]}`))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		header, client string
	}{
		{"Bearer tok", "ci-bot"}, {"bearer  tok ", "ci-bot"}, {"Bearer rel", "release"},
		{"Bearer tok2", ""}, {"Bearer ", ""}, {"tok", ""}, {"", ""},
	} {
		r, _ := http.NewRequest("GET", "/", nil)
		r.Header.Set("Authorization", tc.header)
		c, err := a.Authenticate(r)
		switch {
		case tc.client == "" && err == nil:
			t.Errorf("%q authenticated as %s", tc.header, c.Name)
		case tc.client != "" && (err != nil || c.Name != tc.client):
			t.Errorf("%q: %v, want client %s", tc.header, err, tc.client)
		}
	}
	ci, _ := a.Authenticate(&http.Request{Header: http.Header{"Authorization": {"Bearer tok"}}})
	if !ci.ReadOnly || !ci.Allows("dev-1") || ci.Allows("prod") || ci.Allows("dev/x") || ci.EverySprite() {
		t.Errorf("ci-bot scope wrong: %+v", ci)
	}
}

// sha256Hex is what an auth file stores for token.
func sha256Hex(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// writeAuthFile writes content to a temp file and returns its path.
func writeAuthFile(t *testing.T, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "auth.json")
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}
