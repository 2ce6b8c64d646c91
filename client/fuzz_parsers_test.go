package client

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// FuzzAPIError feeds arbitrary error answers (status, body, Retry-After)
// to the error decoder. Invariants: no panic; the message is valid UTF-8,
// bounded whatever the body, and names the operation; the sentinels agree
// with the status; a wait is never negative.
//
//	go test -run '^$' -fuzz FuzzAPIError -fuzztime 1m ./client
func FuzzAPIError(f *testing.F) {
	f.Add(409, []byte(`service "web" is not running (status stopped)`), "")
	f.Add(429, []byte(`{"error":"rate_limited","message":"too many requests","retry_after_seconds":2}`), "1")
	f.Add(404, []byte("404 page not found\n"), "")
	f.Add(400, []byte(`{"errors":["a",{"message":"b"},3,null]}`), "")
	f.Add(503, []byte("\xff\xfe not utf8"), "Wed, 21 Oct 2015 07:28:00 GMT")
	f.Fuzz(func(t *testing.T, status int, body []byte, retryAfter string) {
		status = 400 + abs(status)%200
		if len(body) > maxErrorBody {
			body = body[:maxErrorBody] // what do() reads of a body
		}
		resp := &http.Response{StatusCode: status, Header: http.Header{"Retry-After": {retryAfter}}}
		e := newAPIError("get service", "dev", "web", resp, body)
		msg := e.Error()
		if !utf8.ValidString(msg) || !strings.HasPrefix(msg, "get service: ") {
			t.Fatalf("message %q", msg)
		}
		if len(msg) > 4*maxErrorBody {
			t.Fatalf("message of %d bytes from a body of %d", len(msg), len(body))
		}
		if e.RetryAfter < 0 {
			t.Fatalf("RetryAfter %v", e.RetryAfter)
		}
		if IsNotRunning(e) && !IsConflict(e) {
			t.Fatal("not running without conflict")
		}
		if IsConflict(e) != (status == 409) || IsNotFound(e) != (status == 404) || errors.Is(e, ErrServer) != (status >= 500) {
			t.Fatalf("sentinels disagree with status %d: %v", status, e)
		}
	})
}

// FuzzServiceAnswer feeds arbitrary create answers to the test that tells
// a JSON Service from an event stream. Invariants: no panic; when it is
// not a Service, every byte is replayed to the stream decoder, in order;
// the service list decoder never panics.
func FuzzServiceAnswer(f *testing.F) {
	for _, name := range []string{"create_object.json", "create_object_pretty.json", "create_stream.ndjson", "list_wrapped.json"} {
		f.Add(readFixture(f, name))
	}
	f.Add([]byte("{\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		svc, r := serviceAnswer(bytes.NewReader(data))
		rest, err := io.ReadAll(r)
		if err != nil {
			t.Fatal(err)
		}
		if svc == nil && !bytes.Equal(rest, data) {
			t.Fatalf("replayed %q; want %q", rest, data)
		}
		if svc != nil && !bytes.HasSuffix(data, rest) {
			t.Fatalf("after the Service, %q is not the end of the input", rest)
		}
		decodeServiceList(data)
	})
}

// FuzzClientConfig feeds arbitrary environments and base URLs to the
// configuration: no panic; a token and URL from the environment carry no
// surrounding blanks; New either refuses the URL with an error naming it
// or builds a client whose requests stay on the named host.
func FuzzClientConfig(f *testing.F) {
	f.Add("https://api.sprites.dev", " tok \n", "")
	f.Add("unix:///.sprite/api.sock", "", "alt")
	f.Add("http://127.0.0.1:8080/prefix/", "a", "b")
	f.Add("ftp://x", "", "")
	f.Add("http://%zz", "", "")
	f.Fuzz(func(t *testing.T, base, token, alt string) {
		env := map[string]string{EnvToken: token, EnvTokenAlt: alt, EnvAPIURL: base}
		getenv := func(k string) string { return env[k] }
		tok := TokenFromEnv(getenv)
		if tok != strings.TrimSpace(tok) || (tok == "" && strings.TrimSpace(token+alt) != "") {
			t.Fatalf("token %q from %q, %q", tok, token, alt)
		}
		u := BaseURLFromEnv(getenv)
		if u == "" || u != strings.TrimSpace(u) {
			t.Fatalf("base URL %q", u)
		}
		c, err := New(base, WithToken(tok), WithReadTimeout(time.Second))
		if err != nil {
			if !strings.Contains(err.Error(), "API URL") {
				t.Fatalf("error %q does not say what was wrong", err)
			}
			return
		}
		if c.base == nil || c.base.Host == "" || c.headerTimeout <= 0 || c.readTimeout != time.Second {
			t.Fatalf("client %+v from %q", c, base)
		}
	})
}
