package httpserver

import (
	"bytes"
	"io"
	"net/http"

	"github.com/sprites-mcp/sprites-mcp/internal/config"
)

// limitBody reads a POST body of at most config.MaxRequestBody bytes,
// answering 413 beyond that, and hands the next handler the body in
// memory (a *readBody), so that later checks can look at it without
// consuming it.
func limitBody(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			next.ServeHTTP(w, r)
			return
		}
		tooLarge := func() {
			writeJSONError(w, http.StatusRequestEntityTooLarge, "request body over 1 MiB: MCP messages are small; send less")
		}
		if r.ContentLength > config.MaxRequestBody {
			tooLarge()
			return
		}
		body, err := io.ReadAll(io.LimitReader(r.Body, config.MaxRequestBody+1))
		if err != nil {
			writeJSONError(w, http.StatusBadRequest, "read request body: "+err.Error())
			return
		}
		if len(body) > config.MaxRequestBody {
			tooLarge()
			return
		}
		r.Body = &readBody{Reader: bytes.NewReader(body), b: body}
		r.ContentLength = int64(len(body))
		next.ServeHTTP(w, r)
	})
}

// readBody is a request body limitBody has read into memory.
type readBody struct {
	*bytes.Reader
	b []byte
}

func (*readBody) Close() error { return nil }

// bodyOf returns the body of r if limitBody read it, else nil.
func bodyOf(r *http.Request) []byte {
	if b, ok := r.Body.(*readBody); ok {
		return b.b
	}
	return nil
}
