package dashboard

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/mark3labs/mcp-go/mcp"

	"github.com/sprites-mcp/sprites-mcp/internal/auth"
)

func sha256Hex(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

// testAuth is an auth file of three clients: ops (every sprite), viewer
// (read-only) and dev (only dev-* sprites).
func testAuth(t *testing.T) *auth.Authenticator {
	t.Helper()
	doc := fmt.Sprintf(`{"clients":[
		{"name":"ops","token_sha256":%q,"sprites":["*"]},
		{"name":"viewer","token_sha256":%q,"sprites":["*"],"read_only":true},
		{"name":"dev","token_sha256":%q,"sprites":["dev-*"]}]}`,
		sha256Hex("tok-ops"), sha256Hex("tok-viewer"), sha256Hex("tok-dev"))
	p := filepath.Join(t.TempDir(), "auth.json")
	if err := os.WriteFile(p, []byte(doc), 0o600); err != nil {
		t.Fatal(err)
	}
	a, err := auth.LoadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// newTestDashboard has no backend: every request these tests make must be
// answered (or refused) before one is needed, and a request that got
// further would panic on the nil Services.
func newTestDashboard(t *testing.T) *Dashboard {
	return New(Deps{Auth: testAuth(t), DefaultSprite: "local"})
}

func do(h http.Handler, method, path string, headers map[string]string, body string) *httptest.ResponseRecorder {
	r := httptest.NewRequest(method, path, strings.NewReader(body))
	for k, v := range headers {
		r.Header.Set(k, v)
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

// logIn logs in with token and returns the session cookie and CSRF token.
func logIn(t *testing.T, h http.Handler, token string) (cookie, csrf string) {
	t.Helper()
	w := do(h, "POST", "/login", map[string]string{"Authorization": "Bearer " + token}, "")
	if w.Code != 200 {
		t.Fatalf("login with %s: %d %s", token, w.Code, w.Body)
	}
	var info sessionInfoJSON
	if err := json.Unmarshal(w.Body.Bytes(), &info); err != nil || info.CSRF == "" {
		t.Fatalf("login answer %s: %v", w.Body, err)
	}
	c := w.Result().Cookies()
	if len(c) != 1 || c[0].Name != cookieName || !c[0].HttpOnly || c[0].SameSite != http.SameSiteStrictMode || c[0].Path != "/" {
		t.Fatalf("session cookie %+v: want one HttpOnly, SameSite=Strict cookie %s on /", c, cookieName)
	}
	return cookieName + "=" + c[0].Value, info.CSRF
}

func TestLoginExchangesTokenForCookie(t *testing.T) {
	h := newTestDashboard(t)

	// No session: the page itself, with status 401 and its login form.
	w := do(h, "GET", "/", nil, "")
	if w.Code != 401 || !strings.Contains(w.Body.String(), `id="login"`) || !strings.Contains(w.Header().Get("Content-Type"), "text/html") {
		t.Errorf("GET / without a session: %d %s, want a 401 login page", w.Code, w.Header().Get("Content-Type"))
	}
	if csp := w.Header().Get("Content-Security-Policy"); !strings.Contains(csp, "frame-ancestors 'none'") || !strings.Contains(csp, "script-src 'self'") {
		t.Errorf("CSP %q", csp)
	}
	for _, tc := range []struct{ name, header, want string }{
		{"no token", "", "enter a token"},
		{"wrong token", "Bearer nope", "wrong token"},
		{"not bearer", "Basic tok-ops", "enter a token"},
	} {
		w := do(h, "POST", "/login", map[string]string{"Authorization": tc.header}, "")
		if w.Code != 401 || !strings.Contains(w.Body.String(), tc.want) || len(w.Result().Cookies()) != 0 {
			t.Errorf("%s: %d %s cookies %v, want 401 saying %q and no cookie", tc.name, w.Code, w.Body, w.Result().Cookies(), tc.want)
		}
	}
	if n := h.sessions.count(); n != 0 {
		t.Errorf("refused logins opened %d sessions", n)
	}

	cookie, csrf := logIn(t, h, "tok-ops")
	if w := do(h, "GET", "/", map[string]string{"Cookie": cookie}, ""); w.Code != 200 {
		t.Errorf("GET / with a session: %d", w.Code)
	}
	w = do(h, "GET", "/api/session", map[string]string{"Cookie": cookie}, "")
	var info sessionInfoJSON
	json.Unmarshal(w.Body.Bytes(), &info)
	if w.Code != 200 || info.Client != "ops" || !info.CanWrite || info.CSRF != csrf || len(info.Sprites) != 1 || info.Sprites[0] != "local" {
		t.Errorf("session info: %d %+v", w.Code, info)
	}
	if w := do(h, "GET", "/api/session", map[string]string{"Cookie": cookieName + "=forged"}, ""); w.Code != 401 {
		t.Errorf("forged cookie: %d", w.Code)
	}
	if w := do(h, "GET", "/api/events", nil, ""); w.Code != 401 {
		t.Errorf("events without a session: %d", w.Code)
	}

	// Logging out ends the session for good.
	if w := do(h, "POST", "/logout", map[string]string{"Cookie": cookie}, ""); w.Code != 204 {
		t.Errorf("logout: %d", w.Code)
	}
	if w := do(h, "GET", "/api/session", map[string]string{"Cookie": cookie}, ""); w.Code != 401 {
		t.Errorf("session after logout: %d", w.Code)
	}

	// The dev client sees only its sprites: not the default one.
	cookie, _ = logIn(t, h, "tok-dev")
	w = do(h, "GET", "/api/session", map[string]string{"Cookie": cookie}, "")
	json.Unmarshal(w.Body.Bytes(), &info)
	if len(info.Sprites) != 0 {
		t.Errorf("dev (dev-* only) sees %v", info.Sprites)
	}
	if w := do(h, "GET", "/api/logs?sprite=local&service=web", map[string]string{"Cookie": cookie}, ""); w.Code != 403 {
		t.Errorf("dev reading local's logs: %d %s", w.Code, w.Body)
	}
}

func TestActionsNeedSessionCSRFAndWrite(t *testing.T) {
	h := newTestDashboard(t)
	ops, opsCSRF := logIn(t, h, "tok-ops")
	viewer, viewerCSRF := logIn(t, h, "tok-viewer")
	dev, devCSRF := logIn(t, h, "tok-dev")
	body := `{"sprite":"local","service":"web","action":"stop"}`
	for _, tc := range []struct {
		name    string
		headers map[string]string
		body    string
		status  int
		saying  string
	}{
		{"no session", map[string]string{"Content-Type": "application/json", "X-CSRF-Token": opsCSRF}, body, 401, "not logged in"},
		{"no CSRF token", map[string]string{"Cookie": ops, "Content-Type": "application/json"}, body, 403, "CSRF"},
		{"another session's CSRF token", map[string]string{"Cookie": ops, "Content-Type": "application/json", "X-CSRF-Token": viewerCSRF}, body, 403, "CSRF"},
		{"read-only client", map[string]string{"Cookie": viewer, "Content-Type": "application/json", "X-CSRF-Token": viewerCSRF}, body, 403, "read-only"},
		{"sprite out of scope", map[string]string{"Cookie": dev, "Content-Type": "application/json", "X-CSRF-Token": devCSRF}, body, 403, "outside the scope"},
		{"unknown action", map[string]string{"Cookie": ops, "Content-Type": "application/json", "X-CSRF-Token": opsCSRF}, `{"sprite":"local","service":"web","action":"delete"}`, 403, "unknown action"},
		{"form post", map[string]string{"Cookie": ops, "Content-Type": "application/x-www-form-urlencoded", "X-CSRF-Token": opsCSRF}, "sprite=local", 415, "application/json"},
		{"unknown field", map[string]string{"Cookie": ops, "Content-Type": "application/json", "X-CSRF-Token": opsCSRF}, `{"sprite":"local","service":"web","action":"stop","x":1}`, 400, "unknown field"},
	} {
		w := do(h, "POST", "/api/action", tc.headers, tc.body)
		if w.Code != tc.status || !strings.Contains(w.Body.String(), tc.saying) {
			t.Errorf("%s: %d %s, want %d saying %q", tc.name, w.Code, w.Body, tc.status, tc.saying)
		}
	}
	// A GET is no action.
	if w := do(h, "GET", "/api/action", map[string]string{"Cookie": ops}, ""); w.Code != 405 {
		t.Errorf("GET /api/action: %d", w.Code)
	}
}

func TestServerReadOnlyRefusesEveryone(t *testing.T) {
	h := New(Deps{Auth: testAuth(t), DefaultSprite: "local", ReadOnly: true})
	ops, csrf := logIn(t, h, "tok-ops")
	w := do(h, "GET", "/api/session", map[string]string{"Cookie": ops}, "")
	var info sessionInfoJSON
	json.Unmarshal(w.Body.Bytes(), &info)
	if info.CanWrite {
		t.Error("a --read-only server tells the page it can write")
	}
	w = do(h, "POST", "/api/action", map[string]string{"Cookie": ops, "Content-Type": "application/json", "X-CSRF-Token": csrf},
		`{"sprite":"local","service":"web","action":"start"}`)
	if w.Code != 403 || !strings.Contains(w.Body.String(), "--read-only") {
		t.Errorf("action on a --read-only server: %d %s", w.Code, w.Body)
	}
}

func TestNoAuthServerNeedsNoToken(t *testing.T) {
	h := New(Deps{DefaultSprite: "local"})
	if w := do(h, "GET", "/", nil, ""); w.Code != 200 {
		t.Errorf("GET / on a server without authentication: %d", w.Code)
	}
	w := do(h, "GET", "/api/session", nil, "")
	if w.Code != 401 || !strings.Contains(w.Body.String(), `"auth":false`) {
		t.Errorf("session before login: %d %s; the page must learn that no token is needed", w.Code, w.Body)
	}
	cookie, _ := logIn(t, h, "")
	w = do(h, "GET", "/api/session", map[string]string{"Cookie": cookie}, "")
	if w.Code != 200 || !strings.Contains(w.Body.String(), `"can_write":true`) {
		t.Errorf("session: %d %s", w.Code, w.Body)
	}
}

func TestSessionsAreBounded(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	ss := newSessions(func() time.Time { return now })
	first, _ := ss.create(nil)
	for range maxSessions + 10 {
		now = now.Add(time.Millisecond)
		ss.create(nil)
	}
	if n := ss.count(); n != maxSessions {
		t.Errorf("%d sessions held, want at most %d", n, maxSessions)
	}
	if _, ok := ss.get(first); ok {
		t.Error("the least recently seen session survived eviction")
	}

	// Idle sessions expire; use keeps them alive, up to their lifetime.
	ss = newSessions(func() time.Time { return now })
	idle, _ := ss.create(nil)
	used, _ := ss.create(nil)
	for range 3 {
		now = now.Add(idleExpiry - time.Minute)
		if _, ok := ss.get(used); !ok {
			t.Fatal("a session in use expired")
		}
	}
	if _, ok := ss.get(idle); ok {
		t.Error("an idle session outlived idleExpiry")
	}
	for now.Sub(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)) < maxLifetime+time.Hour {
		now = now.Add(idleExpiry / 2)
		ss.get(used)
	}
	if _, ok := ss.get(used); ok {
		t.Error("a session outlived maxLifetime")
	}
}

func TestStaticFiles(t *testing.T) {
	h := newTestDashboard(t)
	for path, ctype := range map[string]string{"/static/app.js": "javascript", "/static/app.css": "text/css"} {
		w := do(h, "GET", path, nil, "")
		if w.Code != 200 || !strings.Contains(w.Header().Get("Content-Type"), ctype) {
			t.Errorf("%s: %d %s", path, w.Code, w.Header().Get("Content-Type"))
		}
	}
	if w := do(h, "GET", "/static/../dashboard.go", nil, ""); w.Code == 200 {
		t.Error("a path outside static/ was served")
	}
	if w := do(h, "GET", "/static/", nil, ""); w.Code != 404 {
		t.Errorf("a directory listing: %d", w.Code)
	}
	if w := do(h, "GET", "/nothing", nil, ""); w.Code != 404 {
		t.Errorf("unknown path: %d", w.Code)
	}
}

func TestAppHTMLIsSelfContained(t *testing.T) {
	for _, must := range []string{`data-mode="mcp-app"`, "ui/initialize", ".status-failed", "ui/notifications/tool-result"} {
		if !strings.Contains(appHTML, must) {
			t.Errorf("the app HTML lacks %q", must)
		}
	}
	// A host's sandbox cannot fetch from this server: nothing may be
	// loaded from elsewhere.
	for _, mustNot := range []string{"/*APP_CSS*/", "//APP_JS", `src="`, `href="`} {
		if strings.Contains(appHTML, mustNot) {
			t.Errorf("the app HTML still has %q", mustNot)
		}
	}
	res, err := AppResource().Handler(t.Context(), mcpReadRequest(AppURI))
	if err != nil || len(res) != 1 {
		t.Fatalf("read %s: %v %v", AppURI, res, err)
	}
	if AppURI != "ui://sprites-mcp/services" || AppResource().Resource.MIMEType != "text/html;profile=mcp-app" {
		t.Errorf("app resource %s %s", AppURI, AppResource().Resource.MIMEType)
	}
}

func mcpReadRequest(uri string) mcp.ReadResourceRequest {
	var r mcp.ReadResourceRequest
	r.Params.URI = uri
	return r
}

func TestStreamsAreBounded(t *testing.T) {
	db := New(Deps{DefaultSprite: "local"})
	_, s := db.sessions.create(nil)
	var releases []func()
	for range maxStreamsPerSession {
		release, ok := db.acquireStream(s)
		if !ok {
			t.Fatalf("stream %d of %d refused", len(releases)+1, maxStreamsPerSession)
		}
		releases = append(releases, release)
	}
	if _, ok := db.acquireStream(s); ok {
		t.Errorf("a session opened more than %d streams", maxStreamsPerSession)
	}
	releases[0]()
	if _, ok := db.acquireStream(s); !ok {
		t.Error("a released stream's slot was not given back")
	}
	// Over all sessions, at most maxStreams.
	opened := maxStreamsPerSession
	for range maxStreams/maxStreamsPerSession + 2 {
		_, other := db.sessions.create(nil)
		for range maxStreamsPerSession {
			if _, ok := db.acquireStream(other); ok {
				opened++
			}
		}
	}
	if opened != maxStreams || len(db.streams) != maxStreams {
		t.Errorf("%d streams opened over all sessions (%d held), want the bound %d", opened, len(db.streams), maxStreams)
	}
}
