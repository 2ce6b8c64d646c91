package evals

import (
	"strings"
	"time"
)

// crashLoop: a worker that dies 0.3 s after every start. service_get must
// show the restart count growing and announce the next restart; after
// service_stop the loop is over: no restart comes when one was due, and
// no process is left.
func crashLoop(s *session) {
	r := s.call("service_create", map[string]any{
		"service_name": "flaky", "cmd": "sh", "env": s.env(nil), "duration": "2s",
		"args": []string{"-c", `echo "worker starting"; sleep 0.3; echo "panic: lost connection to queue" >&2; exit 3`},
	})
	var out actionResult
	s.decode("service_create flaky", r, &out)
	if !r.isError || out.ExitCode == nil || *out.ExitCode != 3 || !strings.Contains(r.text, "panic: lost connection") {
		s.fatalf("a crashing service's create should be an error with exit code 3 and the panic line (isError=%v, exit %v):\n%s",
			r.isError, out.ExitCode, r.text)
	}

	// Poll as an agent would until a restart is pending, then again once
	// it is due: the count must have grown.
	get := func() (serviceInfo, result) {
		r := s.call("service_get", map[string]any{"service_name": "flaky"})
		var g getResult
		s.decode("service_get flaky", r, &g)
		if r.isError {
			s.fatalf("service_get flaky failed:\n%s", r.text)
		}
		return g.Service, r
	}
	var first serviceInfo
	var firstText string
	if !eventually(20*time.Second, 300*time.Millisecond, func() bool {
		var r result
		first, r = get()
		firstText = r.text
		return first.RestartCount >= 1 && first.NextRestartAt != ""
	}) {
		s.fatalf("no pending restart reported within 20s: restart_count %d, next_restart_at %q:\n%s",
			first.RestartCount, first.NextRestartAt, firstText)
	}
	if !strings.Contains(strings.ToLower(firstText), "next restart") {
		s.errorf("service_get reports next_restart_at %s in structured content but not in its text:\n%s", first.NextRestartAt, firstText)
	}
	due, err := time.Parse(time.RFC3339Nano, first.NextRestartAt)
	if err != nil {
		s.fatalf("next_restart_at %q: %v", first.NextRestartAt, err)
	}
	time.Sleep(time.Until(due) + 200*time.Millisecond)
	var later serviceInfo
	if !eventually(15*time.Second, 300*time.Millisecond, func() bool {
		later, _ = get()
		return later.RestartCount > first.RestartCount
	}) {
		s.fatalf("restart_count stayed at %d after the announced restart at %s", first.RestartCount, first.NextRestartAt)
	}

	// Stop ends the loop: it must not come back when the next restart
	// would have been due (backoff doubles, so at most 2× the last wait).
	last, _ := get()
	r = s.call("service_stop", map[string]any{"service_name": "flaky", "timeout": "5s"})
	var stop actionResult
	s.decode("service_stop flaky", r, &stop)
	if r.isError || stop.Status != "stopped" {
		s.fatalf("service_stop flaky (isError=%v, status %q):\n%s", r.isError, stop.Status, r.text)
	}
	wait := 2500 * time.Millisecond
	if at, err := time.Parse(time.RFC3339Nano, last.NextRestartAt); err == nil && time.Until(at) > wait {
		wait = time.Until(at)
	}
	time.Sleep(min(wait, 10*time.Second) + time.Second)
	after, text := get()
	if after.Status != "stopped" || after.PID != 0 || after.NextRestartAt != "" || after.RestartCount > stop.RestartCount {
		s.errorf("after service_stop: status %s, pid %d, next_restart_at %q, restart_count %d (was %d at the stop); want stopped for good:\n%s",
			after.Status, after.PID, after.NextRestartAt, after.RestartCount, stop.RestartCount, text.text)
	}
	if left := processesWith(s.svcMark); len(left) != 0 {
		s.errorf("the crash loop was stopped, yet its processes remain: %v", left)
	}
}
