package dashboard

import (
	"embed"
	"io/fs"
	"net/http"
	"strings"
)

// The page's files: plain HTML, CSS and JavaScript, served as they are.
//
//go:embed static
var staticFS embed.FS

var (
	indexHTML = mustRead("static/index.html")
	// appHTML is the MCP App: app.html with the same CSS and script
	// inlined, since a host renders it in a sandboxed frame that cannot
	// fetch from this server.
	appHTML = inline(string(mustRead("static/app.html")), string(mustRead("static/app.css")), string(mustRead("static/app.js")))
)

func mustRead(name string) []byte {
	b, err := staticFS.ReadFile(name)
	if err != nil {
		panic("dashboard: embedded file missing: " + name)
	}
	return b
}

// inline puts css and js into the page's placeholders. A script that
// contained "</script" would end its element early; ours must not.
func inline(page, css, js string) string {
	if strings.Contains(strings.ToLower(js), "</script") || strings.Contains(strings.ToLower(css), "</style") {
		panic("dashboard: app.js or app.css closes its element; it cannot be inlined")
	}
	page = strings.Replace(page, "/*APP_CSS*/", css, 1)
	return strings.Replace(page, "//APP_JS", js, 1)
}

// staticFiles serves /static/app.js and /static/app.css (and only the
// files under static/).
func staticFiles() http.Handler {
	sub, _ := fs.Sub(staticFS, "static")
	files := http.StripPrefix("/static/", http.FileServerFS(sub))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/") {
			http.NotFound(w, r) // no directory listings
			return
		}
		w.Header().Set("Cache-Control", "no-cache")
		files.ServeHTTP(w, r)
	})
}
