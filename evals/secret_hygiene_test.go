package evals

import (
	"crypto/rand"
	"encoding/hex"
	"os"
	"strings"
	"time"
)

// secretHygiene: a service gets API_TOKEN in its env and prints it the
// ways services do (an env dump, an Authorization header, a config dump).
// The value must appear in no tool result, no structured content and no
// resource read, while the log file on disk proves it was printed.
func secretHygiene(s *session) {
	raw := make([]byte, 16)
	if _, err := rand.Read(raw); err != nil {
		s.fatalf("%v", err)
	}
	token := "tok_" + hex.EncodeToString(raw)
	s.forbidden = []string{token}
	script := `echo "config: API_TOKEN=$API_TOKEN"
echo "calling upstream with Authorization: Bearer $API_TOKEN"
echo "{\"api_token\": \"$API_TOKEN\", \"region\": \"eu\"}"
env | grep API_TOKEN
exec sleep 600`
	r := s.call("service_create", map[string]any{
		"service_name": "billing", "cmd": "sh", "args": []string{"-c", script},
		"env": s.env(map[string]string{"API_TOKEN": token}), "duration": "1s",
	})
	out := s.expectRunning("billing", "service_create billing", r)

	// Without this the checks would pass for a service that never printed
	// the token; it also makes sure every later read sees all four lines.
	var printed int
	if !eventually(10*time.Second, 100*time.Millisecond, func() bool {
		logFile, err := os.ReadFile(out.LogFile)
		printed = strings.Count(string(logFile), token)
		return err == nil && printed >= 4
	}) {
		s.fatalf("the log file %q holds the token %d times, want 4: the service did not print it as the scenario needs", out.LogFile, printed)
	}

	r = s.call("service_get", map[string]any{"service_name": "billing"})
	var g getResult
	s.decode("service_get billing", r, &g)
	if _, ok := g.Service.Env["API_TOKEN"]; !ok || !strings.Contains(r.text, "API_TOKEN") {
		s.errorf("service_get should show that API_TOKEN is set (masked), env %v:\n%s", g.Service.Env, r.text)
	}
	s.call("service_list", nil)
	s.call("service_logs", map[string]any{"service_name": "billing"})
	r = s.call("service_logs", map[string]any{"service_name": "billing", "grep": "(?i)token|bearer"})
	var logs logsResult
	s.decode("service_logs grep token", r, &logs)
	if logs.Matched != 4 {
		s.errorf("grep token|bearer matched %d lines, want the 4 printed ones (masked):\n%s", logs.Matched, r.text)
	}
	s.read("sprites://local/services")
	s.read("sprites://local/services/billing")
	s.read("sprites://local/services/billing/logs")
}
