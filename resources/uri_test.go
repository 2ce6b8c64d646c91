package resources

import (
	"errors"
	"strings"
	"testing"

	"github.com/mark3labs/mcp-go/mcp"

	"github.com/sprites-mcp/sprites-mcp/internal/present"
)

func TestParseURI(t *testing.T) {
	good := []struct {
		uri  string
		want ref
		tpl  string
	}{
		{"sprites://local/services", ref{kind: kindList, sprite: "local"}, templateList},
		{"sprites://dev-1.x_y/services", ref{kind: kindList, sprite: "dev-1.x_y"}, templateList},
		{"sprites://local/services/web", ref{kind: kindService, sprite: "local", service: "web"}, templateService},
		{"sprites://local/services/web/logs", ref{kind: kindLogs, sprite: "local", service: "web", lines: 100}, templateLogs},
		{"sprites://local/services/web/logs?lines=1", ref{kind: kindLogs, sprite: "local", service: "web", lines: 1}, templateLogs},
		{"sprites://local/services/web/logs?lines=2000", ref{kind: kindLogs, sprite: "local", service: "web", lines: 2000}, templateLogs},
		{"sprites://local/services/logs", ref{kind: kindService, sprite: "local", service: "logs"}, templateService},
		{"sprites://local/services/" + strings.Repeat("a", 63), ref{kind: kindService, sprite: "local", service: strings.Repeat("a", 63)}, templateService},
	}
	for _, g := range good {
		got, err := parseURI(g.uri)
		if err != nil || got != g.want {
			t.Errorf("parseURI(%q) = %+v, %v; want %+v", g.uri, got, err, g.want)
			continue
		}
		// What parseURI accepts, mcp-go's template must match, or the
		// read would never reach our handler.
		tpl := mcp.NewResourceTemplate(g.tpl, "x")
		if !tpl.URITemplate.Regexp().MatchString(g.uri) {
			t.Errorf("%q parses but template %s does not match it", g.uri, g.tpl)
		}
	}

	bad := map[string]string{
		"":                                "scheme",
		"file:///x":                       "scheme",
		"SPRITES://local/services":        "scheme",
		"sprites://local":                 "{sprite}/services",
		"sprites://local/":                "{sprite}/services",
		"sprites://local/servicez":        "{sprite}/services",
		"sprites:///services":             `sprite name ""`,
		"sprites://-x/services":           `sprite name "-x"`,
		"sprites://a%20b/services":        `sprite name "a%20b"`,
		"sprites://local/services/":       `service name ""`,
		"sprites://local/services/signal": `service name "signal"`,
		"sprites://local/services/" + strings.Repeat("a", 64): "service name",
		"sprites://local/services/web/":                       "unexpected path",
		"sprites://local/services/web/log":                    "unexpected path",
		"sprites://local/services/web/logs/x":                 "unexpected path",
		"sprites://local/services?lines=5":                    "only the logs resource",
		"sprites://local/services/web?lines=5":                "only the logs resource",
		"sprites://local/services/web/logs?lines=0":           "1 to 2000",
		"sprites://local/services/web/logs?lines=2001":        "1 to 2000",
		"sprites://local/services/web/logs?lines=1e3":         "1 to 2000",
		"sprites://local/services/web/logs?lines=":            "1 to 2000",
		"sprites://local/services/web/logs?lines=1&lines=2":   "once",
		"sprites://local/services/web/logs?tail=5":            `unknown query parameter "tail"`,
		"sprites://local/services/web/logs?lines=5;x":         "does not parse",
		"sprites://local/services/web/logs#frag":              "fragments",
	}
	for uri, want := range bad {
		_, err := parseURI(uri)
		var m *malformedError
		if !errors.As(err, &m) {
			t.Errorf("parseURI(%q) = %v; want a malformed-URI error", uri, err)
			continue
		}
		if !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), expectedShapes) {
			t.Errorf("parseURI(%q) error %q lacks %q or the accepted shapes", uri, err, want)
		}
		if !isNotFound(err) {
			t.Errorf("parseURI(%q) error is not a not-found error", uri)
		}
	}
}

func TestURIBuilders(t *testing.T) {
	for _, u := range []string{present.ListURI("local"), present.ServiceURI("local", "web"), present.LogsURI("local", "web")} {
		if _, err := parseURI(u); err != nil {
			t.Errorf("built URI %q does not parse: %v", u, err)
		}
	}
}

// SpriteOf is used for access checks outside this package, so it must
// name the sprite of every URI we serve and refuse every one we do not.
func TestSpriteOf(t *testing.T) {
	good := map[string]string{
		"sprites://dev-1/services":                   "dev-1",
		"sprites://dev-1/services/web":               "dev-1",
		"sprites://dev-1/services/web/logs?lines=10": "dev-1",
	}
	for uri, want := range good {
		if got, ok := SpriteOf(uri); !ok || got != want {
			t.Errorf("SpriteOf(%q) = %q, %v; want %q, true", uri, got, ok, want)
		}
	}
	for _, uri := range []string{
		"", "file:///x", "sprites://dev-1", "sprites://dev-1/servicez",
		"sprites:///services", "sprites://a%20b/services", "sprites://dev-1/services/signal",
		"sprites://dev-1/services/web/logs?lines=0", "sprites://dev-1/services/web#x",
		"sprites://prod/../dev-1/services", "sprites://dev-1/services/web/logs/x",
	} {
		if got, ok := SpriteOf(uri); ok || got != "" {
			t.Errorf("SpriteOf(%q) = %q, %v; want refused", uri, got, ok)
		}
	}
}
