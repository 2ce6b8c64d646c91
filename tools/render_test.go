package tools

import (
	"strings"
	"testing"
	"time"

	"github.com/sprites-mcp/sprites-mcp/client"
)

// TestStoppedByRequest checks the runtime's "failed, exit 143" report of a
// requested stop reads as stopped, while a real crash (restart pending)
// stays failed.
func TestStoppedByRequest(t *testing.T) {
	now := time.Now()
	stop := client.Service{Name: "web", State: client.State{Status: client.StatusFailed, Error: "exited with code 143"}}
	i := stateOf(stop, now)
	if i.Status != "stopped" || i.RuntimeStatus != "failed" {
		t.Errorf("143 after stop: %+v", i)
	}
	if line := serviceLine(i, now); line != "web: stopped (by request), restarts 0" {
		t.Errorf("line: %q", line)
	}
	crash := stop
	crash.State.NextRestartAt = now.Add(2 * time.Second)
	crash.State.RestartCount = 3
	i = stateOf(crash, now)
	if i.Status != "failed" || i.RuntimeStatus != "" {
		t.Errorf("a crash with a restart pending: %+v", i)
	}
	if line := serviceLine(i, now); !strings.HasPrefix(line, "web: failed, restarts 3, next restart in 2.0s, error: exited with code 143") {
		t.Errorf("crash line: %q", line)
	}
	odd := client.Service{Name: "x", State: client.State{Status: "paused"}}
	if i := info(odd, now, false); i.Status != "unknown" || i.RuntimeStatus != "paused" {
		t.Errorf("unknown status: %+v", i)
	}
}

func TestSpans(t *testing.T) {
	cases := map[time.Duration]string{
		850 * time.Millisecond: "850ms", 4200 * time.Millisecond: "4.2s", 192 * time.Second: "3m12s",
		125 * time.Minute: "2h05m", 76 * time.Hour: "3d4h",
	}
	for d, want := range cases {
		if got := shortSpan(d); got != want {
			t.Errorf("shortSpan(%s) = %q, want %q", d, got, want)
		}
	}
	if got := uptimeSpan(42*time.Second + 600*time.Millisecond); got != "42s" {
		t.Errorf("uptimeSpan = %q", got)
	}
	if got := sizeText(3174); got != "3.1 KB" {
		t.Errorf("sizeText = %q", got)
	}
}

// TestInfoCleansFields: service_get shows cmd, args, dir and the error by
// the field rules of package present (shared with the resources): ANSI
// stripped, secrets masked, cut.
func TestInfoCleansFields(t *testing.T) {
	s := client.Service{Name: "web", Cmd: "\x1b[1mserver\x1b[0m", Args: []string{"--password=hunter2hunter2"},
		Dir:   "/srv/" + strings.Repeat("d", 1000),
		State: client.State{Status: client.StatusFailed, Error: "\x1b[31mboom\x1b[0m token=abcdefghijklmnop", NextRestartAt: time.Now().Add(time.Second)}}
	i := info(s, time.Now(), true)
	all := i.Cmd + " " + strings.Join(i.Args, " ") + " " + i.Error
	if strings.Contains(all, "\x1b") || strings.Contains(all, "hunter2") || strings.Contains(all, "abcdefghijklmnop") {
		t.Errorf("not cleaned: cmd %q args %q error %q", i.Cmd, i.Args, i.Error)
	}
	if i.Cmd != "server" || len([]rune(i.Dir)) > 350 {
		t.Errorf("cmd %q, dir %d characters", i.Cmd, len([]rune(i.Dir)))
	}
}
