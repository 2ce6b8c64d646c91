package resources

import (
	"github.com/sprites-mcp/sprites-mcp/internal/config"

	"fmt"
	"strings"
	"testing"
	"unicode/utf8"
)

// uriOf writes a parsed ref back as its URI, in the one canonical form.
func uriOf(r ref) string {
	switch r.kind {
	case kindList:
		return scheme + r.sprite + "/services"
	case kindService:
		return scheme + r.sprite + "/services/" + r.service
	}
	return fmt.Sprintf("%s%s/services/%s/logs?lines=%d", scheme, r.sprite, r.service, r.lines)
}

// FuzzParseURI feeds arbitrary URIs to the resource URI parser.
// Invariants: no panic; a refusal is a malformed-URI error, valid UTF-8,
// that lists the accepted shapes; an accepted URI names valid names and
// a tail size in range, SpriteOf agrees with it, and its canonical form
// parses to the same resource.
//
//	go test -run '^$' -fuzz FuzzParseURI -fuzztime 30s ./resources
func FuzzParseURI(f *testing.F) {
	f.Fuzz(func(t *testing.T, raw string) {
		r, err := parseURI(raw)
		sprite, ok := SpriteOf(raw)
		if err != nil {
			msg := err.Error()
			if _, malformed := err.(*malformedError); !malformed || !utf8.ValidString(msg) || !strings.Contains(msg, expectedShapes) {
				t.Fatalf("parseURI(%q): error %q", raw, msg)
			}
			if ok {
				t.Fatalf("SpriteOf(%q) = %q, true; parseURI refused it", raw, sprite)
			}
			return
		}
		if !ok || sprite != r.sprite {
			t.Fatalf("SpriteOf(%q) = %q, %v; parseURI says %q", raw, sprite, ok, r.sprite)
		}
		if !validSprite(r.sprite) {
			t.Fatalf("parseURI(%q): accepted sprite %q", raw, r.sprite)
		}
		switch r.kind {
		case kindList:
			if r.service != "" || r.lines != 0 {
				t.Fatalf("parseURI(%q): list with %+v", raw, r)
			}
		case kindService:
			if !validService(r.service) || r.lines != 0 {
				t.Fatalf("parseURI(%q): service with %+v", raw, r)
			}
		case kindLogs:
			if !validService(r.service) || r.lines < 1 || r.lines > config.MaxLogLines {
				t.Fatalf("parseURI(%q): logs with %+v", raw, r)
			}
		default:
			t.Fatalf("parseURI(%q): kind %d", raw, r.kind)
		}
		again, err := parseURI(uriOf(r))
		if err != nil || again != r {
			t.Fatalf("parseURI(%q) = %+v, written %q, read back as %+v, %v", raw, r, uriOf(r), again, err)
		}
	})
}
