//go:build linux

package supervisor

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/sprites-mcp/sprites-mcp/client"
)

// TestWireMatchesClient keeps this package's copy of the wire types in step
// with client/types.go: what one encodes the other decodes field for field.
func TestWireMatchesClient(t *testing.T) {
	port := 8080
	code := 143
	now := time.Date(2026, 6, 2, 17, 11, 17, 821000000, time.UTC)
	svc := Service{Name: "web", Cmd: "sh", Args: []string{"-c", "x"}, Env: map[string]string{"A": "b"},
		Dir: "/srv", Needs: []string{"db"}, HTTPPort: &port,
		State: State{Name: "web", Status: StatusRunning, PID: 42, StartedAt: now, Error: "e", RestartCount: 3}}
	b, _ := json.Marshal(svc)
	if !strings.Contains(string(b), `"next_restart_at":"0001-01-01T00:00:00Z"`) {
		t.Errorf("no restart scheduled must read as the zero time: %s", b)
	}
	var cs client.Service
	if err := json.Unmarshal(b, &cs); err != nil {
		t.Fatal(err)
	}
	want := client.Service{Name: "web", Cmd: "sh", Args: []string{"-c", "x"}, Env: map[string]string{"A": "b"},
		Dir: "/srv", Needs: []string{"db"}, HTTPPort: &port,
		State: client.State{Name: "web", Status: client.StatusRunning, PID: 42, StartedAt: now, Error: "e", RestartCount: 3}}
	if !reflect.DeepEqual(cs, want) {
		t.Errorf("client decoded\n%+v\nwant\n%+v", cs, want)
	}
	ev := Event{Type: evStopped, ExitCode: &code, Timestamp: now.UnixMilli(), LogFiles: &LogFiles{Combined: "/l"}}
	b, _ = json.Marshal(ev)
	st := client.NewStream(strings.NewReader(string(b)+"\n"), 0)
	if !st.Next() {
		t.Fatal(st.Err())
	}
	got := st.Event()
	if got.Type != client.EventStopped || *got.ExitCode != 143 || got.Timestamp != now.UnixMilli() || got.LogFiles.Combined != "/l" {
		t.Errorf("event %+v", got)
	}
	// And the request the client sends is what the handler reads.
	cb, _ := json.Marshal(client.ServiceRequest{Cmd: "c", Args: []string{"a"}, Env: map[string]string{"K": "v"}, Dir: "/d", Needs: []string{"n"}, HTTPPort: &port})
	var req ServiceRequest
	if err := json.Unmarshal(cb, &req); err != nil || req.Cmd != "c" || req.Dir != "/d" || *req.HTTPPort != 8080 || req.Env["K"] != "v" || req.Needs[0] != "n" {
		t.Errorf("request %+v %v", req, err)
	}
}
