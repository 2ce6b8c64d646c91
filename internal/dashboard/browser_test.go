//go:build browser

// The dashboard and the MCP App in a real browser: headless Chromium
// (scripts/install-browser.sh installs it; `make browser` runs these)
// driven by chromedp, against sprites-mcp's app.Run serving HTTP on the
// real embedded runtime. Each test saves a screenshot under
// .artifacts/screenshots/; UPDATE_DOCS_SCREENSHOT=1 also writes the
// README's docs/dashboard.png.
package dashboard_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/sprites-mcp/sprites-mcp/internal/testenv"

	"github.com/chromedp/chromedp"
	mcpclient "github.com/mark3labs/mcp-go/client"
	"github.com/mark3labs/mcp-go/client/transport"
	"github.com/mark3labs/mcp-go/mcp"

	"github.com/sprites-mcp/sprites-mcp/internal/app"
	"github.com/sprites-mcp/sprites-mcp/internal/config"
)

const (
	opsToken    = "browser-test-ops-token"
	viewerToken = "browser-test-viewer-token"
	// secret is printed by the web service; the page must never show it.
	secret = "hunter2-s3cr3t-value-9f8e7d"
	// wait bounds each step that has no deadline of its own: generous,
	// because the machine may be loaded.
	wait = 60 * time.Second
	// sitePort is the http_port of the site service, which never listens.
	sitePort = 18080
)

func sha256Hex(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

// server is sprites-mcp serving HTTP in this process over the embedded
// runtime, with three services on sprite "local": web (prints a secret and
// then "web: ready"; prints "web: later line" once the say file exists),
// worker (crashes, and keeps crashing, once the crash file exists) and
// site (holds an http_port).
type server struct {
	base      string
	ops       *mcpclient.Client
	sayFile   string
	crashFile string
}

func startServer(t *testing.T) *server {
	t.Helper()
	state, err := os.MkdirTemp("", "smcp-browser")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(state) })
	authFile := filepath.Join(state, "auth.json")
	doc := fmt.Sprintf(`{"clients":[{"name":"ops","token_sha256":%q,"sprites":["*"]},{"name":"viewer","token_sha256":%q,"sprites":["*"],"read_only":true}]}`,
		sha256Hex(opsToken), sha256Hex(viewerToken))
	if err := os.WriteFile(authFile, []byte(doc), 0o600); err != nil {
		t.Fatal(err)
	}
	vars := map[string]string{"HOME": state, "SPRITES_MCP_STATE_DIR": state, "SPRITES_API_URL": "local"}
	cfg, err := config.Parse([]string{"--http", "127.0.0.1:0", "--log-format", "json", "--auth-file", authFile},
		func(k string) string { return vars[k] })
	if err != nil {
		t.Fatal(err)
	}
	logs := &testenv.SyncBuffer{}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- app.Run(ctx, cfg, strings.NewReader(""), io.Discard, logs) }()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("run: %v", err)
			}
		case <-time.After(wait):
			t.Error("the server did not stop")
		}
		if t.Failed() {
			t.Logf("server log:\n%s", logs.String())
		}
	})
	var addr string
	for deadline := time.Now().Add(wait); addr == ""; {
		for _, line := range strings.Split(logs.String(), "\n") {
			var m struct{ Msg, Addr string }
			if json.Unmarshal([]byte(line), &m) == nil && m.Msg == "http: listening" {
				addr = m.Addr
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("not listening after %s:\n%s", wait, logs.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	s := &server{base: "http://" + addr, sayFile: filepath.Join(state, "say"), crashFile: filepath.Join(state, "crash")}
	s.ops = connect(t, s.base+"/mcp", opsToken)
	s.create(t, "web", fmt.Sprintf(`echo "web: starting"; echo "API_KEY=%s"; echo "web: ready"; `+
		`while [ ! -f %s ]; do sleep 0.1; done; echo "web: later line"; exec sleep 3600`, secret, s.sayFile), 0)
	s.create(t, "worker", fmt.Sprintf(`echo "worker: up"; while [ ! -f %s ]; do sleep 0.1; done; echo "worker: crashing" >&2; exit 3`, s.crashFile), 0)
	// site holds a port it never opens: it stays starting, showing its port.
	s.create(t, "site", "exec sleep 3600", sitePort)
	return s
}

// connect is an MCP client of url with token.
func connect(t *testing.T, url, token string) *mcpclient.Client {
	t.Helper()
	c, err := mcpclient.NewStreamableHttpClient(url, transport.WithHTTPHeaders(map[string]string{"Authorization": "Bearer " + token}))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	if err := c.Start(ctx); err != nil {
		t.Fatal(err)
	}
	var req mcp.InitializeRequest
	req.Params.ProtocolVersion = "2025-11-25"
	req.Params.ClientInfo = mcp.Implementation{Name: "browser_test", Version: "1"}
	if _, err := c.Initialize(ctx, req); err != nil {
		t.Fatal(err)
	}
	return c
}

func (s *server) call(t *testing.T, name string, args map[string]any) *mcp.CallToolResult {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	var req mcp.CallToolRequest
	req.Params.Name, req.Params.Arguments = name, args
	res, err := s.ops.CallTool(ctx, req)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return res
}

func (s *server) create(t *testing.T, name, script string, port int) {
	t.Helper()
	args := map[string]any{"service_name": name, "cmd": "sh", "args": []string{"-c", script}, "duration": "500ms"}
	if port != 0 {
		args["http_port"] = port
	}
	res := s.call(t, "service_create", args)
	if res.IsError {
		t.Fatalf("service_create %s: %v", name, res.Content)
	}
}

// touch creates path, which a service is waiting for.
func touch(t *testing.T, path string) {
	t.Helper()
	if err := os.WriteFile(path, nil, 0o600); err != nil {
		t.Fatal(err)
	}
}

// browser is a fresh headless Chromium with an empty profile.
func browser(t *testing.T) context.Context {
	t.Helper()
	bin := os.Getenv("CHROMIUM")
	if bin == "" {
		bin = "/usr/bin/chromium"
	}
	if _, err := os.Stat(bin); err != nil {
		t.Fatalf("no Chromium at %s (run scripts/install-browser.sh, or set CHROMIUM): %v", bin, err)
	}
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(bin),
		chromedp.Flag("headless", true),
		chromedp.Flag("no-sandbox", true),
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("no-first-run", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 860),
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(actx)
	t.Cleanup(func() { cancel(); cancelAlloc() })
	if err := chromedp.Do(ctx); err != nil { // starts the browser, with no deadline (see chromedp.Run)
		t.Fatalf("start Chromium: %v", err)
	}
	return ctx
}

// step runs steps within wait, failing the test (with a screenshot) when
// they do not complete.
func step(t *testing.T, ctx context.Context, what string, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	if err := within(ctx, wait, steps...); err != nil {
		screenshot(t, ctx, "FAILED-"+strings.ReplaceAll(t.Name(), "/", "-"))
		t.Fatalf("%s: %v", what, err)
	}
}

func within(ctx context.Context, d time.Duration, steps ...chromedp.Action[chromedp.Void]) error {
	ctx, cancel := context.WithTimeout(ctx, d)
	defer cancel()
	return chromedp.Do(ctx, steps...)
}

// get runs a within wait and returns its value.
func get[T any](t *testing.T, ctx context.Context, what string, a chromedp.Action[T]) T {
	t.Helper()
	ctx2, cancel := context.WithTimeout(ctx, wait)
	defer cancel()
	v, err := chromedp.Run(ctx2, a)
	if err != nil {
		screenshot(t, ctx, "FAILED-"+strings.ReplaceAll(t.Name(), "/", "-"))
		t.Fatalf("%s: %v", what, err)
	}
	return v
}

// screenshot saves the page as .artifacts/screenshots/name.png.
func screenshot(t *testing.T, ctx context.Context, name string) []byte {
	t.Helper()
	ctx2, cancel := context.WithTimeout(ctx, wait)
	defer cancel()
	png, err := chromedp.Run(ctx2, chromedp.FullScreenshot(100))
	if err != nil {
		t.Errorf("screenshot %s: %v", name, err)
		return nil
	}
	dir := filepath.Join("..", "..", ".artifacts", "screenshots")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, name+".png"), png, 0o644); err != nil {
		t.Fatal(err)
	}
	return png
}

// eval evaluates js in the page, awaiting a promise.
func eval[T any](js string) chromedp.Action[T] {
	return chromedp.Evaluate[T](js, chromedp.EvalAwaitPromise)
}

// until waits for js to be true in the page.
func until(js string) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		_, err := chromedp.Poll[bool](js)(ctx, t)
		return err
	})
}

// logIn logs in through the form with token.
func logIn(t *testing.T, ctx context.Context, base, token string) {
	t.Helper()
	step(t, ctx, "log in",
		chromedp.Navigate(base+"/"),
		chromedp.WaitVisible(chromedp.ID("token")),
		chromedp.SendKeys(chromedp.ID("token"), token),
		chromedp.Click(chromedp.CSS(`#login button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(row("web"))),
	)
}

func row(service string) string { return fmt.Sprintf(`tr[data-service=%q]`, service) }

func TestBrowserDashboard(t *testing.T) {
	s := startServer(t)
	ctx := browser(t)

	t.Run("wrong token is a 401 page", func(t *testing.T) {
		step(t, ctx, "open the page",
			chromedp.Navigate(s.base+"/"),
			chromedp.WaitVisible(chromedp.ID("token")))
		status := get(t, ctx, "status of /", eval[int](`fetch("/").then(r => r.status)`))
		step(t, ctx, "log in with a wrong token",
			chromedp.SendKeys(chromedp.ID("token"), "not-the-token"),
			chromedp.Click(chromedp.CSS(`#login button[type="submit"]`)),
			chromedp.WaitVisible(chromedp.ID("login-error")))
		msg := get(t, ctx, "read the error", chromedp.Text(chromedp.ID("login-error")))
		screenshot(t, ctx, "dashboard-wrong-token")
		if status != 401 || !strings.Contains(msg, "wrong token") {
			t.Errorf("without a session / answers %d; the form says %q", status, msg)
		}
	})

	t.Run("log in and see the services", func(t *testing.T) {
		logIn(t, ctx, s.base, opsToken)
		step(t, ctx, "wait for both running",
			chromedp.WaitVisible(chromedp.CSS(row("web")+` .status.status-running`)),
			chromedp.WaitVisible(chromedp.CSS(row("worker")+` .status.status-running`)))
		web := get(t, ctx, "web row", chromedp.Text(chromedp.CSS(row("web"))))
		worker := get(t, ctx, "worker row", chromedp.Text(chromedp.CSS(row("worker"))))
		actions := get(t, ctx, "count actions", eval[int](`document.querySelectorAll("button.action").length`))
		cookieVisible := get(t, ctx, "cookie", eval[bool](`document.cookie.includes("sprites_mcp_session")`))
		stored := get(t, ctx, "storage", eval[int](`localStorage.length + sessionStorage.length`))
		screenshot(t, ctx, "dashboard-services")
		for name, text := range map[string]string{"web": web, "worker": worker} {
			if !strings.Contains(text, "running") || !strings.Contains(text, "Logs") {
				t.Errorf("row %s reads %q", name, text)
			}
		}
		cells := get(t, ctx, "cells", eval[map[string]string](`(() => {
			const cell = (svc, c) => document.querySelector('tr[data-service="' + svc + '"] .' + c).textContent;
			return {pid: cell("web", "pid"), uptime: cell("web", "uptime"), restarts: cell("web", "restarts"), port: cell("site", "port")}; })()`))
		if cells["pid"] == "" || !strings.HasSuffix(cells["uptime"], "s") || cells["restarts"] != "0" || cells["port"] != fmt.Sprint(sitePort) {
			t.Errorf("web's pid, uptime and restarts, site's port read %v", cells)
		}
		if actions != 9 {
			t.Errorf("%d action buttons for ops, want start, stop and restart on the 3 services", actions)
		}
		if cookieVisible {
			t.Error("the session cookie is visible to scripts: it must be HttpOnly")
		}
		if stored != 0 {
			t.Errorf("the page stored %d items in web storage", stored)
		}
	})

	t.Run("a crash turns the row failed within 3s", func(t *testing.T) {
		touch(t, s.crashFile)
		start := time.Now()
		if err := within(ctx, 3*time.Second, chromedp.WaitVisible(chromedp.CSS(row("worker")+`[data-status="failed"]`))); err != nil {
			screenshot(t, ctx, "FAILED-dashboard-crash")
			t.Fatalf("worker not shown failed within 3s of its crash: %v", err)
		}
		t.Logf("failed shown %s after the crash file", time.Since(start).Round(time.Millisecond))
		errText := get(t, ctx, "read the error", chromedp.Text(chromedp.CSS(row("worker")+" td.err")))
		screenshot(t, ctx, "dashboard-crash")
		if !strings.Contains(errText, "3") {
			t.Errorf("last error %q does not give the exit code 3", errText)
		}
	})

	t.Run("the log tail is live, cleaned and masked", func(t *testing.T) {
		step(t, ctx, "open the log",
			chromedp.Click(chromedp.CSS(row("web")+" button.logs")),
			chromedp.WaitVisible(chromedp.ID("log")),
			until(`document.getElementById("log-text").textContent.includes("web: ready")`))
		text := get(t, ctx, "read the log", chromedp.TextContent(chromedp.ID("log-text")))
		lines := strings.Split(strings.TrimSpace(text), "\n")
		if last := lines[len(lines)-1]; last != "web: ready" {
			t.Errorf("last line %q, want %q; the tail:\n%s", last, "web: ready", text)
		}
		if strings.Contains(text, secret) || !strings.Contains(text, "API_KEY=***") {
			t.Errorf("the secret is not masked as the logs resource masks it:\n%s", text)
		}
		// A line printed now appears without a reload.
		touch(t, s.sayFile)
		step(t, ctx, "see the new line",
			until(`document.getElementById("log-text").textContent.includes("web: later line")`))
		text = get(t, ctx, "read the log", chromedp.TextContent(chromedp.ID("log-text")))
		png := screenshot(t, ctx, "dashboard-logs")
		if os.Getenv("UPDATE_DOCS_SCREENSHOT") != "" && png != nil {
			if err := os.WriteFile(filepath.Join("..", "..", "docs", "dashboard.png"), png, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		// The same text as the logs resource, which renders it.
		rctx, cancel := context.WithTimeout(context.Background(), wait)
		defer cancel()
		var req mcp.ReadResourceRequest
		req.Params.URI = "sprites://local/services/web/logs"
		res, err := s.ops.ReadResource(rctx, req)
		if err != nil || len(res.Contents) != 1 {
			t.Fatalf("read the logs resource: %v", err)
		}
		if want := res.Contents[0].(mcp.TextResourceContents).Text; strings.TrimSpace(text) != strings.TrimSpace(want) {
			t.Errorf("the page's tail differs from the logs resource:\npage:\n%s\nresource:\n%s", text, want)
		}
	})

	t.Run("actions work for a client that may write", func(t *testing.T) {
		step(t, ctx, "stop web",
			chromedp.Click(chromedp.CSS(row("web")+" button.action-stop")),
			chromedp.WaitVisible(chromedp.CSS(row("web")+`[data-status="stopped"]`)))
		screenshot(t, ctx, "dashboard-stopped")
	})
}

// forged is what a forged action POST got back.
type forged struct {
	Status int    `json:"status"`
	Error  string `json:"error"`
}

func TestBrowserReadOnlyClient(t *testing.T) {
	s := startServer(t)
	ctx := browser(t)
	logIn(t, ctx, s.base, viewerToken)
	actions := get(t, ctx, "count actions", eval[int](`document.querySelectorAll("button.action").length`))
	logs := get(t, ctx, "count log buttons", eval[int](`document.querySelectorAll("button.logs").length`))
	who := get(t, ctx, "header", chromedp.Text(chromedp.ID("who")))
	screenshot(t, ctx, "dashboard-read-only")
	if actions != 0 || logs != 3 || !strings.Contains(who, "read-only") {
		t.Errorf("read-only client: %d action buttons, %d log buttons, header %q; want none, 3, read-only", actions, logs, who)
	}

	// A forged action, with the session and its CSRF token, is refused,
	// and the service keeps running.
	answer := get(t, ctx, "forge an action", eval[forged](`(async () => {
		const info = await (await fetch("/api/session")).json();
		const r = await fetch("/api/action", {method: "POST",
			headers: {"Content-Type": "application/json", "X-CSRF-Token": info.csrf},
			body: JSON.stringify({sprite: "local", service: "web", action: "stop"})});
		return {status: r.status, error: (await r.json()).error};
	})()`))
	if answer.Status != 403 || !strings.Contains(answer.Error, "read-only") {
		t.Errorf("forged action: %d %q, want 403 read-only", answer.Status, answer.Error)
	}
	// Without the CSRF token the cookie alone is not enough either.
	answer = get(t, ctx, "forge without CSRF", eval[forged](`(async () => {
		const r = await fetch("/api/action", {method: "POST", headers: {"Content-Type": "application/json"},
			body: JSON.stringify({sprite: "local", service: "web", action: "stop"})});
		return {status: r.status, error: (await r.json()).error};
	})()`))
	if answer.Status != 403 || !strings.Contains(answer.Error, "CSRF") {
		t.Errorf("action without CSRF: %d %q", answer.Status, answer.Error)
	}
	res := s.call(t, "service_get", map[string]any{"service_name": "web"})
	if b, _ := json.Marshal(res.StructuredContent); !strings.Contains(string(b), `"status":"running"`) {
		t.Errorf("web after the refused actions: %s", b)
	}
}

// hostPage is a minimal MCP Apps host: it renders the app in a sandboxed
// frame and answers its bridge (ui/initialize, tools/call), proxying tool
// calls to /call, which calls the real server.
var hostPage = template.Must(template.New("host").Parse(`<!doctype html>
<html><head><meta charset="utf-8"><title>test host</title>
<style>body{font:14px sans-serif;margin:0;padding:8px;background:#ddd} iframe{width:100%;height:420px;border:1px solid #888;background:#fff}</style>
</head><body>
<p>Test host · <span id="host-log"></span></p>
<script id="app-html" type="application/json">{{.}}</script>
<script>
const frame = document.createElement("iframe");
frame.id = "app-frame";
frame.setAttribute("sandbox", "allow-scripts");
frame.srcdoc = JSON.parse(document.getElementById("app-html").textContent);
document.body.append(frame);
const seen = [];
window.hostSeen = seen;
async function callTool(name, args) {
  const r = await fetch("/call", {method: "POST", body: JSON.stringify({name, arguments: args || {}})});
  return r.json();
}
function send(msg) { frame.contentWindow.postMessage(msg, "*"); }
window.addEventListener("message", async (e) => {
  if (e.source !== frame.contentWindow) return;
  const m = e.data;
  seen.push(m.method || "response");
  document.getElementById("host-log").textContent = seen.join(", ");
  switch (m.method) {
  case "ui/initialize":
    send({jsonrpc: "2.0", id: m.id, result: {protocolVersion: m.params.protocolVersion,
      hostInfo: {name: "test-host", version: "1"}, hostCapabilities: {serverTools: {}}, hostContext: {theme: "light"}}});
    break;
  case "ui/notifications/initialized":
    send({jsonrpc: "2.0", method: "ui/notifications/tool-result", params: await callTool("service_list", {})});
    break;
  case "tools/call":
    send({jsonrpc: "2.0", id: m.id, result: await callTool(m.params.name, m.params.arguments)});
    break;
  case "ui/notifications/size-changed":
    frame.style.height = Math.max(200, m.params.height + 4) + "px";
    break;
  }
});
</script></body></html>`))

func TestBrowserMCPApp(t *testing.T) {
	s := startServer(t)

	// The host learns of the app from the tool's _meta, then reads it.
	ctxR, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	tools, err := s.ops.ListTools(ctxR, mcp.ListToolsRequest{})
	if err != nil {
		t.Fatal(err)
	}
	uri := ""
	for _, tl := range tools.Tools {
		if tl.Name == "service_list" && tl.Meta != nil {
			if ui, ok := tl.Meta.AdditionalFields["ui"].(map[string]any); ok {
				uri, _ = ui["resourceUri"].(string)
			}
		}
	}
	if uri != "ui://sprites-mcp/services" {
		t.Fatalf("service_list's _meta.ui.resourceUri is %q", uri)
	}
	var req mcp.ReadResourceRequest
	req.Params.URI = uri
	res, err := s.ops.ReadResource(ctxR, req)
	if err != nil || len(res.Contents) != 1 {
		t.Fatalf("read %s: %v", uri, err)
	}
	appHTML := res.Contents[0].(mcp.TextResourceContents)
	if appHTML.MIMEType != "text/html;profile=mcp-app" {
		t.Fatalf("MIME type %q", appHTML.MIMEType)
	}

	// The host page, on its own loopback port.
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		hostPage.Execute(w, appHTML.Text)
	})
	mux.HandleFunc("POST /call", func(w http.ResponseWriter, r *http.Request) {
		var c struct {
			Name      string         `json:"name"`
			Arguments map[string]any `json:"arguments"`
		}
		if err := json.NewDecoder(r.Body).Decode(&c); err != nil {
			http.Error(w, err.Error(), 400)
			return
		}
		json.NewEncoder(w).Encode(s.call(t, c.Name, c.Arguments))
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	host := &http.Server{Handler: mux}
	go host.Serve(ln)
	t.Cleanup(func() { host.Close() })

	ctx := browser(t)
	step(t, ctx, "open the host", chromedp.Navigate("http://"+ln.Addr().String()+"/"))
	// The app is another document, in a sandboxed frame that Chromium runs
	// in a process of its own: read its rows through the frame's target.
	var web, worker string
	deadline := time.Now().Add(wait)
	var frameCtx context.Context
	for {
		var err error
		if frameCtx == nil {
			frameCtx, err = frameTarget(t, ctx)
		}
		if frameCtx != nil {
			web, worker, err = appStatuses(frameCtx)
		}
		if err == nil && web != "" && worker != "" {
			break
		}
		if time.Now().After(deadline) {
			screenshot(t, ctx, "FAILED-mcp-app")
			seen, _ := chromedp.Run(ctx, eval[[]string](`window.hostSeen`))
			t.Fatalf("the app did not render the list within %s: %v (host saw %v)", wait, err, seen)
		}
		time.Sleep(200 * time.Millisecond)
	}
	screenshot(t, ctx, "mcp-app")
	if web != "running" || worker != "running" {
		t.Errorf("app shows web %q, worker %q; want running", web, worker)
	}
	seen := get(t, ctx, "host log", eval[[]string](`window.hostSeen`))
	if len(seen) < 2 || seen[0] != "ui/initialize" || seen[1] != "ui/notifications/initialized" {
		t.Errorf("the app's messages: %v; want ui/initialize, then ui/notifications/initialized", seen)
	}

	// Refresh asks the server through the host (tools/call): a crash shows.
	touch(t, s.crashFile)
	deadline = time.Now().Add(wait)
	for worker != "failed" {
		if time.Now().After(deadline) {
			screenshot(t, ctx, "FAILED-mcp-app-refresh")
			t.Fatalf("after refreshes the app still shows worker %q", worker)
		}
		time.Sleep(500 * time.Millisecond)
		cctx, cancel := context.WithTimeout(frameCtx, 10*time.Second)
		_, err := chromedp.Run(cctx, eval[bool](`document.getElementById("refresh").click(), true`))
		cancel()
		if err != nil {
			t.Fatalf("click refresh: %v", err)
		}
		time.Sleep(500 * time.Millisecond)
		_, worker, _ = appStatuses(frameCtx)
	}
	screenshot(t, ctx, "mcp-app-refreshed")
	if seen := get(t, ctx, "host log", eval[[]string](`window.hostSeen`)); !slices.Contains(seen, "tools/call") {
		t.Errorf("refresh did not go through the host's tools/call: %v", seen)
	}
}

// frameTarget attaches to the app's frame, which Chromium lists as a
// target of its own ("iframe", about:srcdoc); nil until it exists.
func frameTarget(t *testing.T, ctx context.Context) (context.Context, error) {
	infos, err := chromedp.Targets(ctx)
	if err != nil {
		return nil, err
	}
	for _, info := range infos {
		if info.Type == "iframe" {
			fctx, cancel := chromedp.NewContext(ctx, chromedp.WithTargetID(info.TargetID), chromedp.WithDetachOnCancel())
			t.Cleanup(cancel)
			// The first run attaches, with no deadline (see chromedp.Run).
			if err := chromedp.Do(fctx); err != nil {
				return nil, err
			}
			return fctx, nil
		}
	}
	return nil, errors.New("no frame target (yet)")
}

// appStatuses reads the status of web and worker in the app.
func appStatuses(frameCtx context.Context) (web, worker string, err error) {
	ctx, cancel := context.WithTimeout(frameCtx, 5*time.Second)
	defer cancel()
	st, err := chromedp.Run(ctx, eval[map[string]string](`Object.fromEntries([...document.querySelectorAll("tr[data-service]")].map(
		tr => [tr.dataset.service, tr.querySelector(".status").textContent]))`))
	return st["web"], st["worker"], err
}
