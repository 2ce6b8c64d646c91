package tools

import (
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/mark3labs/mcp-go/mcp"

	"github.com/sprites-mcp/sprites-mcp/schema"
)

// TestLifecycle drives every tool's happy path on the real embedded runtime,
// under both protocol revisions: create, list, get, logs, stop (twice),
// start, restart, signal, delete (twice).
func TestLifecycle(t *testing.T) {
	for _, proto := range protocols {
		t.Run(proto, func(t *testing.T) {
			h := newHarness(t, harnessOpts{protocol: proto})

			res := h.mustOK("service_create", map[string]any{
				"service_name": "web", "cmd": "sh",
				"args":     []any{"-c", "echo listening on 8080; echo API_TOKEN=hunter2hunter2; exec sleep 60"},
				"env":      h.env("PORT", "8080", "DB_PASSWORD", "s3cret-value"),
				"duration": "1s",
			})
			txt := text(res)
			if !regexp.MustCompile(`^web on local: running \(pid \d+\) — watched \d+\.\ds, no exit`).MatchString(txt) {
				t.Errorf("create outcome line:\n%s", txt)
			}
			if !strings.Contains(txt, "listening on 8080") {
				t.Errorf("create result lacks the output line:\n%s", txt)
			}
			if strings.Contains(txt, "hunter2hunter2") {
				t.Errorf("create result shows a secret:\n%s", txt)
			}
			var act schema.ActionResult
			structured(t, res, &act)
			if !act.Reached || act.Status != "running" || act.PID <= 0 || act.Action != "create" || act.Service == nil {
				t.Errorf("create structured: %+v", act)
			}
			if act.LinesSeen != 2 || act.LogFile == "" {
				t.Errorf("create stream summary: seen %d, log %q", act.LinesSeen, act.LogFile)
			}
			if !hasLink(res, "sprites://local/services/web/logs") {
				t.Errorf("create result has no resource link to the logs: %+v", res.Content)
			}
			pid := act.PID

			res = h.mustOK("service_list", nil)
			var list schema.ServiceListResult
			structured(t, res, &list)
			if list.Total != 1 || len(list.Services) != 1 || list.Services[0].Name != "web" || list.Services[0].PID != pid {
				t.Errorf("list structured: %+v", list)
			}
			if want := fmt.Sprintf("web: running, pid %d, up ", pid); !strings.Contains(text(res), want) {
				t.Errorf("list text lacks %q:\n%s", want, text(res))
			}

			res = h.mustOK("service_get", map[string]any{"service_name": "web"})
			var got schema.ServiceResult
			structured(t, res, &got)
			if got.Service.Cmd != "sh" || got.Service.Env["PORT"] != "8080" || got.Service.Env["DB_PASSWORD"] == "s3cret-value" {
				t.Errorf("get structured (env must be masked): %+v", got.Service)
			}
			if strings.Contains(text(res), "s3cret-value") || !strings.Contains(text(res), "PORT=8080") {
				t.Errorf("get text:\n%s", text(res))
			}

			res = h.mustOK("service_logs", map[string]any{"service_name": "web", "lines": "5"})
			if !strings.Contains(text(res), "listening on 8080") {
				t.Errorf("logs:\n%s", text(res))
			}
			res = h.mustOK("service_logs", map[string]any{"service_name": "web", "grep": "listen", "stream": "stdout"})
			var logs schema.LogsResult
			structured(t, res, &logs)
			if logs.Matched != 1 || len(logs.Lines) != 1 || logs.Lines[0].Text != "listening on 8080" {
				t.Errorf("grep logs: %+v\n%s", logs, text(res))
			}
			res = h.mustOK("service_logs", map[string]any{"service_name": "web", "stream": "stderr"})
			structured(t, res, &logs)
			if logs.Matched != 0 || logs.Scanned != 2 {
				t.Errorf("stderr logs of a service that wrote none: %+v\n%s", logs, text(res))
			}

			res = h.mustOK("service_stop", map[string]any{"service_name": "web", "timeout": 2})
			structured(t, res, &act)
			if !act.Reached || act.Status != "stopped" || !strings.HasPrefix(text(res), "web on local: stopped") {
				t.Errorf("stop: %+v\n%s", act, text(res))
			}
			res = h.mustOK("service_stop", map[string]any{"service_name": "web"})
			if !strings.HasPrefix(text(res), "web on local: already stopped") {
				t.Errorf("second stop:\n%s", text(res))
			}

			res = h.mustOK("service_start", map[string]any{"service_name": "web", "duration": "500ms"})
			structured(t, res, &act)
			if !act.Reached || act.Status != "running" || act.PID == pid {
				t.Errorf("start: %+v\n%s", act, text(res))
			}
			pid = act.PID
			res = h.mustOK("service_start", map[string]any{"service_name": "web", "duration": "0"})
			if !strings.Contains(text(res), "running") {
				t.Errorf("start of a running service:\n%s", text(res))
			}

			res = h.mustOK("service_restart", map[string]any{"service_name": "web", "duration": "500ms"})
			structured(t, res, &act)
			if !act.Reached || act.PID == pid || act.PID <= 0 {
				t.Errorf("restart kept pid %d: %+v\n%s", pid, act, text(res))
			}

			res = h.mustOK("service_signal", map[string]any{"service_name": "web", "signal": "SIGHUP"})
			var sig schema.SignalResult
			structured(t, res, &sig)
			if sig.Signal != "HUP" || !strings.Contains(text(res), "sent HUP") {
				t.Errorf("signal: %+v\n%s", sig, text(res))
			}

			res = h.mustOK("service_delete", map[string]any{"service_name": "web"})
			var del schema.DeleteResult
			structured(t, res, &del)
			if !del.Deleted || !del.Existed {
				t.Errorf("delete: %+v", del)
			}
			res = h.mustOK("service_delete", map[string]any{"service_name": "web"})
			structured(t, res, &del)
			if del.Deleted || del.Existed || !strings.Contains(text(res), "nothing to delete") {
				t.Errorf("second delete: %+v\n%s", del, text(res))
			}
			res = h.mustOK("service_list", map[string]any{"sprite": "local"})
			if !strings.Contains(text(res), "no services on local") {
				t.Errorf("list after delete:\n%s", text(res))
			}

			res = h.mustOK("list_sprites", nil)
			var sprites schema.SpriteListResult
			structured(t, res, &sprites)
			if len(sprites.Sprites) != 1 || sprites.Sprites[0].Name != "local" || text(res) != "1 sprite:\nlocal (running)" {
				t.Errorf("list_sprites on the embedded runtime: %+v\n%s", sprites, text(res))
			}
		})
	}
}

// hasLink reports whether a result links to uri.
func hasLink(res *mcp.CallToolResult, uri string) bool {
	for _, c := range res.Content {
		switch l := c.(type) {
		case mcp.ResourceLink:
			if l.URI == uri {
				return true
			}
		case *mcp.ResourceLink:
			if l.URI == uri {
				return true
			}
		}
	}
	return false
}
