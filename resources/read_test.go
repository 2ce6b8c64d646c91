package resources_test

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/mark3labs/mcp-go/mcp"

	"github.com/sprites-mcp/sprites-mcp/client"
	"github.com/sprites-mcp/sprites-mcp/internal/testenv"
	"github.com/sprites-mcp/sprites-mcp/resources"
)

const secretValue = "s3cr3t-v4lue-that-must-not-show"

// keyBody is a line of a private key: harmless-looking alone, so only a
// cleaner that follows the whole stream can hide it.
const keyBody = "MIIEpAIBAAKCAQEAkeyBodyLineThatMustNotShow0123456789abcdefABCDEF"

// TestReadEachResource reads the three resources, templated and concrete,
// under both revisions, and checks their shape and their cleaning.
func TestReadEachResource(t *testing.T) {
	h := newHarness(t)
	h.create("web", client.ServiceRequest{
		Cmd: "sh",
		Args: []string{"-c", `printf '\033[31mred\033[0m hello\n'; echo "API_TOKEN=` + secretValue + `"; ` +
			`printf -- '-----BEGIN RSA PRIVATE KEY-----\n` + keyBody + `\n-----END RSA PRIVATE KEY-----\n'; ` +
			`echo oops >&2; exec sleep 1000`,
			"DB_PASSWORD=" + secretValue},
		Env: map[string]string{"API_TOKEN": secretValue, "PLAIN": "visible"},
	})
	h.create("db", sleeper())

	for _, p := range protocols {
		t.Run(p.Name, func(t *testing.T) {
			c := h.connect(p.Opts, p.Name)
			ctx := testenv.Context(t, 30*time.Second)

			tpls, err := c.ListResourceTemplates(ctx, mcp.ListResourceTemplatesRequest{})
			if err != nil {
				t.Fatal(err)
			}
			gotTpl := map[string]string{}
			for _, tp := range tpls.ResourceTemplates {
				gotTpl[tp.URITemplate.Raw()] = tp.MIMEType
			}
			wantTpl := map[string]string{
				"sprites://{sprite}/services":                             "application/json",
				"sprites://{sprite}/services/{service_name}":              "application/json",
				"sprites://{sprite}/services/{service_name}/logs{?lines}": "text/plain",
			}
			if fmt.Sprint(gotTpl) != fmt.Sprint(wantTpl) {
				t.Errorf("templates %v, want %v", gotTpl, wantTpl)
			}

			list, err := c.ListResources(ctx, mcp.ListResourcesRequest{})
			if err != nil {
				t.Fatal(err)
			}
			var uris []string
			for _, r := range list.Resources {
				uris = append(uris, r.URI)
			}
			for _, want := range []string{"sprites://local/services", "sprites://local/services/web",
				"sprites://local/services/web/logs", "sprites://local/services/db", "sprites://local/services/db/logs"} {
				if !slices.Contains(uris, want) {
					t.Errorf("concrete resources %v lack %s", uris, want)
				}
			}

			text, mime := readText(t, c, "sprites://local/services")
			if mime != "application/json" {
				t.Errorf("list MIME %q", mime)
			}
			var l struct {
				Sprite   string `json:"sprite"`
				Count    int    `json:"count"`
				Services []struct {
					Name         string `json:"name"`
					Status       string `json:"status"`
					PID          int    `json:"pid"`
					RestartCount *int   `json:"restart_count"`
					URI          string `json:"uri"`
				} `json:"services"`
			}
			if err := json.Unmarshal([]byte(text), &l); err != nil {
				t.Fatalf("list is not JSON: %v\n%s", err, text)
			}
			if l.Sprite != "local" || l.Count != 2 || len(l.Services) != 2 {
				t.Fatalf("list: %s", text)
			}
			for i, name := range []string{"db", "web"} {
				s := l.Services[i]
				if s.Name != name || s.Status != "running" || s.PID <= 0 || s.RestartCount == nil || s.URI != "sprites://local/services/"+name {
					t.Errorf("list entry %d: %+v", i, s)
				}
			}

			text, mime = readText(t, c, "sprites://local/services/web")
			if mime != "application/json" {
				t.Errorf("service MIME %q", mime)
			}
			var s struct {
				Sprite     string `json:"sprite"`
				Name       string `json:"name"`
				Definition struct {
					Cmd  string            `json:"cmd"`
					Args []string          `json:"args"`
					Env  map[string]string `json:"env"`
				} `json:"definition"`
				State struct {
					Status string `json:"status"`
					PID    int    `json:"pid"`
				} `json:"state"`
				LogsURI string `json:"logs_uri"`
			}
			if err := json.Unmarshal([]byte(text), &s); err != nil {
				t.Fatalf("service is not JSON: %v\n%s", err, text)
			}
			if s.Sprite != "local" || s.Name != "web" || s.Definition.Cmd != "sh" || s.State.Status != "running" || s.State.PID <= 0 ||
				s.LogsURI != "sprites://local/services/web/logs" {
				t.Errorf("service: %s", text)
			}
			if s.Definition.Env["PLAIN"] != "visible" {
				t.Errorf("env PLAIN = %q, want it shown", s.Definition.Env["PLAIN"])
			}
			if v, ok := s.Definition.Env["API_TOKEN"]; !ok || v == secretValue {
				t.Errorf("env API_TOKEN = %q, want it present and masked", v)
			}
			if strings.Contains(text, secretValue) {
				t.Errorf("the service resource shows a secret:\n%s", text)
			}

			// The output is written at start-up; wait until the log has it.
			var logs string
			deadline := time.Now().Add(10 * time.Second)
			for {
				logs, mime = readText(t, c, "sprites://local/services/web/logs")
				if strings.Contains(logs, "oops") || time.Now().After(deadline) {
					break
				}
				time.Sleep(100 * time.Millisecond)
			}
			if mime != "text/plain" {
				t.Errorf("logs MIME %q", mime)
			}
			for _, want := range []string{"red hello", "[stderr] oops", "API_TOKEN="} {
				if !strings.Contains(logs, want) {
					t.Errorf("logs lack %q:\n%s", want, logs)
				}
			}
			if strings.Contains(logs, "\x1b") {
				t.Errorf("logs keep ANSI escapes:\n%q", logs)
			}
			if strings.Contains(logs, secretValue) || strings.Contains(logs, keyBody) {
				t.Errorf("logs show a secret:\n%s", logs)
			}
		})
	}
}

// TestQuietServiceLog: a service that printed nothing has a log resource
// that says so, never empty contents.
func TestQuietServiceLog(t *testing.T) {
	h := newHarness(t)
	h.create("quiet", sleeper())
	for _, p := range protocols {
		t.Run(p.Name, func(t *testing.T) {
			c := h.connect(p.Opts, p.Name)
			text, _ := readText(t, c, "sprites://local/services/quiet/logs")
			if !strings.Contains(text, "no log output from quiet on local") {
				t.Errorf("quiet log reads %q", text)
			}
		})
	}
}

// TestLogLines checks the lines parameter: default, explicit, its bounds,
// and the character budget over the most lines one may ask for.
func TestLogLines(t *testing.T) {
	h := newHarness(t)
	h.create("counter", client.ServiceRequest{Cmd: "sh", Args: []string{"-c",
		`i=1; while [ $i -le 3000 ]; do echo "line $i"; i=$((i+1)); done; exec sleep 1000`}})
	// A second server on the same backend with the smallest budget.
	smallRes, smallSrv := buildServer(resources.Deps{Services: h.api, DefaultSprite: sprite, MaxChars: 1000, Logger: testenv.QuietLogger(t)})
	t.Cleanup(smallRes.Close)

	for _, p := range protocols {
		t.Run(p.Name, func(t *testing.T) {
			c := h.connect(p.Opts, p.Name)
			deadline := time.Now().Add(15 * time.Second)
			for {
				last, _ := readText(t, c, "sprites://local/services/counter/logs?lines=1")
				if last == "line 3000\n" {
					break
				}
				if time.Now().After(deadline) {
					t.Fatalf("the log never reached line 3000; last line read %q", last)
				}
				time.Sleep(100 * time.Millisecond)
			}

			lines := func(text string) []string { return strings.Split(strings.TrimSuffix(text, "\n"), "\n") }
			def, _ := readText(t, c, "sprites://local/services/counter/logs")
			if got := lines(def); len(got) != 100 || got[0] != "line 2901" || got[99] != "line 3000" {
				t.Errorf("default tail: %d lines, first %q, last %q", len(got), got[0], got[len(got)-1])
			}
			five, _ := readText(t, c, "sprites://local/services/counter/logs?lines=5")
			if five != "line 2996\nline 2997\nline 2998\nline 2999\nline 3000\n" {
				t.Errorf("lines=5: %q", five)
			}

			// 2000 lines do not fit 8000 characters: the newest that fit
			// are shown after a note that counts the rest.
			most, _ := readText(t, c, "sprites://local/services/counter/logs?lines=2000")
			checkBudget(t, most, 8000, 2000)

			h2 := &harness{t: t, api: h.api, srv: smallSrv}
			small := h2.connect(p.Opts, p.Name)
			tiny, _ := readText(t, small, "sprites://local/services/counter/logs?lines=2000")
			checkBudget(t, tiny, 1000, 2000)

			for _, bad := range []string{"lines=0", "lines=2001", "lines=-1", "lines=abc", "lines=", "lines=5&lines=6", "lines=5&grep=x", "count=5"} {
				err := readErr(t, c, "sprites://local/services/counter/logs?"+bad)
				wantNotFound(t, c, err)
				if !strings.Contains(err.Error(), "1 to 2000") {
					t.Errorf("?%s: error %q does not say the accepted range", bad, err)
				}
			}
		})
	}
}

// checkBudget checks a log tail that had to be cut: within budget
// characters, a first line counting the omitted lines, then the newest lines
// in order, the counts adding up to asked.
func checkBudget(t *testing.T, text string, budget, asked int) {
	t.Helper()
	if n := utf8.RuneCountInString(text); n > budget {
		t.Errorf("tail of %d characters exceeds the %d budget", n, budget)
	}
	ls := strings.Split(strings.TrimSuffix(text, "\n"), "\n")
	var omitted, shown int
	if _, err := fmt.Sscanf(ls[0], "… %d earlier lines not shown", &omitted); err != nil {
		t.Fatalf("first line %q is not the omitted note: %v", ls[0], err)
	}
	shown = len(ls) - 1
	if omitted+shown != asked {
		t.Errorf("%d omitted + %d shown != %d asked", omitted, shown, asked)
	}
	if ls[len(ls)-1] != "line 3000" {
		t.Errorf("last line %q, want the newest", ls[len(ls)-1])
	}
	for i := 1; i < len(ls); i++ {
		if want := fmt.Sprintf("line %d", 3000-shown+i); ls[i] != want {
			t.Fatalf("line %d is %q, want %q", i, ls[i], want)
		}
	}
}
