package present

import (
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/sprites-mcp/sprites-mcp/client"
)

func TestStoppedByRequest(t *testing.T) {
	later := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	cases := []struct {
		st   client.State
		want bool
	}{
		{client.State{Status: client.StatusFailed, Error: "exit code 143"}, true},
		{client.State{Status: client.StatusFailed, Error: "process exited: Exit Status 143"}, true},
		{client.State{Status: client.StatusFailed, Error: "signal: terminated"}, true},
		{client.State{Status: client.StatusFailed, Error: "exited with code 143"}, true},
		// A crash has a restart scheduled; a requested stop never does.
		{client.State{Status: client.StatusFailed, Error: "exit code 143", NextRestartAt: later}, false},
		{client.State{Status: client.StatusStopped, Error: "exit code 143"}, false},
		// 143 elsewhere in the message is not SIGTERM.
		{client.State{Status: client.StatusFailed, Error: "listen tcp 127.0.0.1:1430: address in use"}, false},
		{client.State{Status: client.StatusFailed, Error: "open /srv/143/app.conf: no such file"}, false},
		{client.State{Status: client.StatusFailed, Error: "exit code 1"}, false},
		{client.State{Status: client.StatusFailed, Error: "exit code 1430"}, false},
	}
	for _, c := range cases {
		if got := StoppedByRequest(c.st); got != c.want {
			t.Errorf("StoppedByRequest(%+v) = %v, want %v", c.st, got, c.want)
		}
	}
}

func TestStateOf(t *testing.T) {
	start := time.Date(2026, 1, 2, 3, 4, 5, 123456789, time.FixedZone("x", 3600))
	got := StateOf(client.State{Status: client.StatusRunning, PID: 42, StartedAt: start, RestartCount: 2,
		Error: "\x1b[31mboom\x1b[0m password=hunter2 " + strings.Repeat("x", 1000)})
	if got.Status != "running" || got.PID != 42 || got.StartedAt != "2026-01-02T02:04:05.123Z" || got.RestartCount != 2 {
		t.Errorf("running state = %+v", got)
	}
	if strings.Contains(got.Error, "\x1b") || strings.Contains(got.Error, "hunter2") || utf8.RuneCountInString(got.Error) > MaxFieldChars+MaxCutMarker {
		t.Errorf("error not cleaned: %q", got.Error)
	}
	got = StateOf(client.State{Status: client.StatusFailed, PID: 42, StartedAt: start, Error: "exit code 143"})
	if got.Status != "stopped" || got.RuntimeStatus != "failed" || got.PID != 0 || got.StartedAt != "" {
		t.Errorf("stop by request = %+v", got)
	}
	got = StateOf(client.State{Status: "hibernating"})
	if got.Status != "unknown" || got.RuntimeStatus != "hibernating" {
		t.Errorf("unknown status = %+v", got)
	}
}

func TestFieldsAndEnv(t *testing.T) {
	long := strings.Repeat("é", 1000)
	if got := Field(long); utf8.RuneCountInString(got) > MaxFieldChars+MaxCutMarker || !utf8.ValidString(got) {
		t.Errorf("Field kept %d characters", utf8.RuneCountInString(got))
	}
	args := Fields([]string{"--token=abcdefghijklmnop1234", "\x1b[1mbold\x1b[0m"}, 60)
	if strings.Contains(args[0], "abcdefghijklmnop1234") || args[1] != "bold" {
		t.Errorf("Fields = %q", args)
	}
	env := Env(map[string]string{"API_KEY": "s3cr3t-value", "PORT": "8080"}, 60)
	if env["PORT"] != "8080" || strings.Contains(env["API_KEY"], "s3cr3t") {
		t.Errorf("Env = %v", env)
	}
	if Fields(nil, 10) != nil || Env(nil, 10) != nil {
		t.Error("empty input should give nil")
	}
}
