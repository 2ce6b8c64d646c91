package tools

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/sprites-mcp/sprites-mcp/client"
)

// BenchmarkServiceListText measures service_list on 50 realistic running
// services of the embedded runtime and reports the size of its text as a
// share of the raw API JSON for the same services (what the official
// server hands the agent). Target: at most 35 %, while each line still
// gives name, status, pid, port and restarts.
func BenchmarkServiceListText(b *testing.B) {
	h := newHarness(b, harnessOpts{})
	for i := range 50 {
		args := map[string]any{
			"service_name": fmt.Sprintf("svc-%02d", i), "cmd": "sh",
			"args":     []any{"-c", fmt.Sprintf("exec sleep 600 # worker %d --port %d", i, 9000+i)},
			"env":      map[string]any{markEnv: h.mark, "PORT": fmt.Sprint(9000 + i), "LOG_LEVEL": "info"},
			"dir":      "/tmp",
			"duration": "0",
		}
		if i > 0 && i%5 != 0 {
			args["needs"] = []any{fmt.Sprintf("svc-%02d", i-i%5)}
		}
		if i == 49 { // a web server that really listens on its port
			args["cmd"], args["args"] = "python3", []any{"-m", "http.server", "18090", "--bind", "127.0.0.1"}
			args["http_port"] = 18090
			args["duration"] = "3s"
		}
		res, err := h.callErr("service_create", args, nil)
		if err != nil || res.IsError {
			b.Fatalf("create %d: %v %s", i, err, text(res))
		}
	}
	raw := rawList(b, h.sock)
	var txt string
	b.ResetTimer()
	for range b.N {
		res, err := h.callErr("service_list", nil, nil)
		if err != nil || res.IsError {
			b.Fatalf("service_list: %v", err)
		}
		txt = text(res)
	}
	b.StopTimer()
	lines := strings.Split(txt, "\n")
	if len(lines) != 51 {
		b.Fatalf("service_list text has %d lines, want a header and 50:\n%s", len(lines), txt)
	}
	for _, l := range lines[1:] {
		if !strings.Contains(l, ": running, pid ") || !strings.Contains(l, ", restarts ") {
			b.Fatalf("line lacks status, pid or restarts: %q", l)
		}
	}
	if !strings.Contains(txt, "port 18090") {
		b.Fatal("the port is not shown")
	}
	if testing.Verbose() {
		b.Logf("service_list text:\n%s", txt)
	}
	ratio := float64(utf8.RuneCountInString(txt)) / float64(utf8.RuneCountInString(raw))
	b.ReportMetric(float64(utf8.RuneCountInString(txt)), "text-chars")
	b.ReportMetric(float64(utf8.RuneCountInString(raw)), "raw-json-chars")
	b.ReportMetric(ratio*100, "%-of-raw")
	if ratio > 0.35 {
		b.Errorf("service_list text is %.1f%% of the raw JSON, target at most 35%%", ratio*100)
	}
}

// rawList is the runtime's own answer to list, byte for byte.
func rawList(b *testing.B, sock string) string {
	b.Helper()
	hc := &http.Client{Transport: &http.Transport{DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
		var d net.Dialer
		return d.DialContext(ctx, "unix", sock)
	}}}
	resp, err := hc.Get("http://runtime/v1/sprites/local/services")
	if err != nil {
		b.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != 200 {
		b.Fatalf("raw list: %d %v", resp.StatusCode, err)
	}
	return string(body)
}

// BenchmarkServiceGetRender is service_get's own work on the runtime's
// answer, on every call: the structured form, the text and the logs link.
func BenchmarkServiceGetRender(b *testing.B) {
	d := newDeps(Deps{Logger: quiet()})
	now := time.Now()
	svc := client.Service{Name: "web", Cmd: "sleep", Args: []string{"3600"}, Needs: []string{},
		State: client.State{Status: client.StatusRunning, PID: 28707, StartedAt: now.Add(-42 * time.Second)}}
	b.ReportAllocs()
	for b.Loop() {
		i := info(svc, now, true)
		if serviceText("local", i, now) == "" || d.logsLink("local", i.Name) == nil {
			b.Fatal("nothing rendered")
		}
	}
}
