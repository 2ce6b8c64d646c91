package client

import (
	"fmt"
	"testing"

	"github.com/sprites-mcp/sprites-mcp/internal/wire"
)

// The same answer is decoded once; each caller still gets a service of its
// own, and a different answer is decoded afresh.
func TestGetMemoDecodesAnAnswerOnce(t *testing.T) {
	var g getMemo
	decodes := 0
	decode := func(b []byte) (Service, error) { decodes++; return wire.DecodeService(b) }
	answer := func(status string) []byte {
		return fmt.Appendf(nil, `{"name":"web","cmd":"sleep","args":["1"],"env":{"A":"1"},"needs":[],"http_port":8080,"state":{"status":%q}}`, status)
	}
	first, err := g.decode("s/web", answer("running"), decode)
	if err != nil {
		t.Fatal(err)
	}
	first.Args[0], first.Env["A"], *first.HTTPPort = "changed", "changed", 1
	second, err := g.decode("s/web", answer("running"), decode)
	if err != nil || decodes != 1 {
		t.Fatalf("second get: %d decodes, %v", decodes, err)
	}
	if second.Args[0] != "1" || second.Env["A"] != "1" || *second.HTTPPort != 8080 || second.Needs == nil {
		t.Fatalf("the remembered service was shared with a caller: %+v", second)
	}
	third, err := g.decode("s/web", answer("stopped"), decode)
	if err != nil || decodes != 2 || third.State.Status != "stopped" {
		t.Fatalf("a changed answer: %d decodes, %+v, %v", decodes, third.State, err)
	}
	if _, err := g.decode("s/web", []byte(`{"name":`), decode); err == nil {
		t.Fatal("a broken answer decoded")
	}
	if again, _ := g.decode("s/web", answer("stopped"), decode); again.State.Status != "stopped" || decodes != 3 {
		t.Fatalf("a broken answer replaced what was remembered: %d decodes, %+v", decodes, again.State)
	}
}

// However many services are read, the memo holds at most maxGetMemo.
func TestGetMemoIsBounded(t *testing.T) {
	var g getMemo
	for i := range 3 * maxGetMemo {
		if _, err := g.decode(fmt.Sprintf("s/svc%d", i), []byte(`{"name":"x","cmd":"c","state":{"status":"running"}}`), wire.DecodeService); err != nil {
			t.Fatal(err)
		}
	}
	if n := len(g.m); n > maxGetMemo {
		t.Fatalf("%d services remembered, bound %d", n, maxGetMemo)
	}
}
