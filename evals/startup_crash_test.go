package evals

import "strings"

// fatalLine is the one line of startupCrash's output that says why.
const fatalLine = "FATAL: config file /etc/app.yaml not found"

// startupCrash: a service prints 20 000 lines of noise, then the one
// stderr line that matters, and exits 1. The create result must be an
// error an agent can act on at once: exit code 1 and the FATAL line, in a
// result no larger than the bound.
func startupCrash(s *session) {
	r := s.call("service_create", map[string]any{
		"service_name": "app", "cmd": "sh", "env": s.env(nil), "duration": "5s",
		"args": []string{"-c", `seq -f "booting: step %g of 20000 ok" 20000; echo "` + fatalLine + `" >&2; exit 1`},
	})
	var out actionResult
	s.decode("service_create app", r, &out)
	if !r.isError || out.Reached {
		s.errorf("a start-up crash is not flagged: isError=%v reached=%v:\n%s", r.isError, out.Reached, r.text)
	}
	if out.ExitCode == nil || *out.ExitCode != 1 {
		s.errorf("exit_code %v, want 1", out.ExitCode)
	}
	if !strings.Contains(r.text, "exit code 1") || !strings.Contains(r.text, "failed at start-up") {
		s.errorf("the text does not say failed at start-up with exit code 1:\n%s", r.text)
	}
	if !strings.Contains(r.text, fatalLine) || !strings.Contains(out.Cause, fatalLine) {
		s.errorf("the FATAL line is missing from the text or the cause (cause %q):\n%s", out.Cause, r.text)
	}
	// The counts may fall short of 20 001 when the runtime drops output a
	// slow reader could not keep up with (it says so in the stream); what
	// must hold is that the noise was seen and the output was cut.
	if out.LinesSeen < 1000 || !out.Truncated {
		s.errorf("lines_seen %d, truncated %v: want the noise seen and the output cut:\n%s", out.LinesSeen, out.Truncated, r.text)
	}

	// What an agent does next: look at stderr alone, then end the loop.
	r = s.call("service_logs", map[string]any{"service_name": "app", "stream": "stderr", "lines": 20})
	if r.isError || !strings.Contains(r.text, fatalLine) || strings.Contains(r.text, "booting:") {
		s.errorf("service_logs stream=stderr (isError=%v) should show the FATAL line and no stdout noise:\n%s", r.isError, r.text)
	}
	r = s.call("service_stop", map[string]any{"service_name": "app", "timeout": "5s"})
	var stop actionResult
	s.decode("service_stop app", r, &stop)
	if r.isError || stop.Status != "stopped" {
		s.errorf("service_stop app (isError=%v, status %q):\n%s", r.isError, stop.Status, r.text)
	}
}
