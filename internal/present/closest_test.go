package present

import (
	"fmt"
	"strings"
	"testing"
)

func TestClosest(t *testing.T) {
	names := []string{"web", "worker", "db", "service_name", "postgres", "api-gateway"}
	cases := map[string]string{
		"wbe": "web", "WEB": "web", "workr": "worker", "dbb": "db", "wbb": "web",
		"name": "service_name", "postgre": "postgres", "postgress": "postgres", "api-gatway": "api-gateway",
		"zzz": "", "zzzzzz": "", "queue": "", "": "", "abc": "", "x": "",
	}
	for in, want := range cases {
		if got := Closest(in, names); got != want {
			t.Errorf("Closest(%q) = %q, want %q", in, got, want)
		}
	}
	if got := Closest("a", nil); got != "" {
		t.Errorf("Closest over no names = %q", got)
	}
	// Equally near candidates: the alphabetically first wins, whatever
	// order they came in.
	for _, order := range [][]string{{"wex", "wea"}, {"wea", "wex"}} {
		if got := Closest("web", order); got != "wea" {
			t.Errorf("Closest(web, %v) = %q, want wea", order, got)
		}
	}
}

func TestEditDistance(t *testing.T) {
	cases := []struct {
		a, b string
		d    int
	}{
		{"", "", 0}, {"", "abc", 3}, {"abc", "", 3}, {"web", "web", 0}, {"web", "wbe", 1},
		{"kitten", "sitting", 3}, {"ab", "ba", 1}, {"abcd", "acbd", 1}, {"café", "cafe", 1},
	}
	for _, c := range cases {
		if got := editDistance(c.a, c.b); got != c.d {
			t.Errorf("editDistance(%q, %q) = %d, want %d", c.a, c.b, got, c.d)
		}
	}
}

func TestMissingService(t *testing.T) {
	many := make([]string, 30)
	for i := range many {
		many[i] = fmt.Sprintf("svc%02d", i)
	}
	msg := MissingService("local", "svc5", many)
	for _, want := range []string{`no service "svc5" on local`, `did you mean "svc05"?`, "svc00, svc01", "and 10 more"} {
		if !strings.Contains(msg, want) {
			t.Errorf("message %q lacks %q", msg, want)
		}
	}
	if strings.Contains(msg, "svc29") {
		t.Errorf("message %q lists more than %d names", msg, MaxNamesShown)
	}
	if got, want := MissingService("local", "zzzz", []string{"web", "api"}), `no service "zzzz" on local; it has api, web`; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	if got := MissingService("local", "web", nil); !strings.Contains(got, "it has no services yet") {
		t.Errorf("empty sprite: %q", got)
	}
}

func TestMissingSprite(t *testing.T) {
	got := MissingSprite("dev-apj", []string{"prod-api", "dev-api", "dev-web"}, true)
	for _, want := range []string{`no sprite "dev-apj"`, `did you mean "dev-api"?`, "dev-api, dev-web, prod-api", "(and more)"} {
		if !strings.Contains(got, want) {
			t.Errorf("message %q lacks %q", got, want)
		}
	}
	if got := MissingSprite("x", nil, false); !strings.Contains(got, "no sprites are visible") {
		t.Errorf("no sprites: %q", got)
	}
}

func TestURIs(t *testing.T) {
	if got := LogsURI("local", "web"); got != "sprites://local/services/web/logs" {
		t.Errorf("LogsURI = %q", got)
	}
	if got := ServiceURI("local", "web"); got != "sprites://local/services/web" {
		t.Errorf("ServiceURI = %q", got)
	}
}
