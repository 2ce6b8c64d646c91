package evals

import (
	"strings"
	"time"
)

// reload: a service traps HUP and prints reloaded. service_signal HUP must
// reach it, service_logs must then show the line, and the service must
// still be the same process: a reload is not a restart.
func reload(s *session) {
	script := `trap 'echo "reloaded config (generation $((gen=gen+1)))"' HUP
echo "serving with config generation 0"
while :; do sleep 1 & wait $!; done`
	r := s.call("service_create", map[string]any{
		"service_name": "proxy", "cmd": "sh", "args": []string{"-c", script}, "env": s.env(nil), "duration": "1s",
	})
	created := s.expectRunning("proxy", "service_create proxy", r)

	r = s.call("service_signal", map[string]any{"service_name": "proxy", "signal": "HUP"})
	var sig signalResult
	s.decode("service_signal proxy", r, &sig)
	if r.isError || sig.Signal != "HUP" || !strings.Contains(r.text, "HUP") {
		s.fatalf("service_signal HUP (isError=%v, signal %q):\n%s", r.isError, sig.Signal, r.text)
	}

	var logs logsResult
	var text string
	if !eventually(10*time.Second, 300*time.Millisecond, func() bool {
		r := s.call("service_logs", map[string]any{"service_name": "proxy", "lines": 10})
		s.decode("service_logs proxy", r, &logs)
		text = r.text
		return strings.Contains(r.text, "reloaded config (generation 1)")
	}) {
		s.fatalf("the log never showed the reload within 10s:\n%s", text)
	}

	r = s.call("service_get", map[string]any{"service_name": "proxy"})
	var g getResult
	s.decode("service_get proxy", r, &g)
	if g.Service.Status != "running" || g.Service.PID != created.PID || g.Service.RestartCount != 0 {
		s.errorf("after HUP: %s, pid %d (was %d), %d restarts; want the same process still running:\n%s",
			g.Service.Status, g.Service.PID, created.PID, g.Service.RestartCount, r.text)
	}
}
