package evals

import (
	"fmt"
	"strings"
	"time"
)

// threeTier defines db (a real HTTP server on its http_port), api (needs
// db; it refuses to run unless db accepts connections) and worker (needs
// api), stops all three, then starts only worker: the runtime must bring
// up db, then api, then worker, each ready before the next.
func threeTier(s *session) {
	port := freePort(s.t)
	r := s.call("service_create", map[string]any{
		"service_name": "db", "cmd": python, "http_port": port, "env": s.env(nil), "duration": "1s",
		"args": []string{"-m", "http.server", fmt.Sprint(port), "--bind", "127.0.0.1"},
	})
	s.expectRunning("db", "service_create db", r)

	// api proves the order from the inside: it exits 1 unless db already
	// accepts connections when it starts.
	apiScript := fmt.Sprintf(`import socket, sys, time
try:
    socket.create_connection(("127.0.0.1", %d), timeout=2).close()
except OSError as e:
    print("api: db unreachable:", e, file=sys.stderr, flush=True)
    sys.exit(1)
print("api: db reachable", flush=True)
time.sleep(600)
`, port)
	r = s.call("service_create", map[string]any{
		"service_name": "api", "cmd": python, "args": []string{"-c", apiScript},
		"needs": []string{"db"}, "env": s.env(nil), "duration": "1s",
	})
	s.expectRunning("api", "service_create api", r)
	r = s.call("service_create", map[string]any{
		"service_name": "worker", "cmd": "sh", "args": []string{"-c", "echo 'worker: polling api'; exec sleep 600"},
		"needs": []string{"api"}, "env": s.env(nil), "duration": "1s",
	})
	s.expectRunning("worker", "service_create worker", r)

	for _, name := range []string{"worker", "api", "db"} {
		r = s.call("service_stop", map[string]any{"service_name": name, "timeout": "5s"})
		var out actionResult
		s.decode("service_stop "+name, r, &out)
		if r.isError || !out.Reached || out.Status != "stopped" {
			s.fatalf("service_stop %s (isError=%v, status %q):\n%s", name, r.isError, out.Status, r.text)
		}
	}
	if left := processesWith(s.svcMark); len(left) != 0 {
		s.fatalf("all three stopped, yet service processes remain: %v", left)
	}

	// One call: the agent asks for worker; its needs come first.
	r = s.call("service_start", map[string]any{"service_name": "worker", "duration": "2s"})
	s.expectRunning("worker", "service_start worker", r)

	r = s.call("service_list", nil)
	var list listResult
	s.decode("service_list", r, &list)
	if r.isError || list.Total != 3 || len(list.Services) != 3 {
		s.fatalf("service_list (isError=%v) lists %d of %d services, want 3:\n%s", r.isError, len(list.Services), list.Total, r.text)
	}
	started := map[string]time.Time{}
	for _, svc := range list.Services {
		if svc.Status != "running" || svc.PID == 0 {
			s.errorf("service_list: %s is %s (pid %d), want running:\n%s", svc.Name, svc.Status, svc.PID, r.text)
		}
		at, err := time.Parse(time.RFC3339Nano, svc.StartedAt)
		if err != nil {
			s.errorf("service_list: %s started_at %q: %v", svc.Name, svc.StartedAt, err)
		}
		started[svc.Name] = at
	}
	if !started["db"].Before(started["api"]) || !started["api"].Before(started["worker"]) {
		s.errorf("start order: db %s, api %s, worker %s; want db < api < worker",
			started["db"].Format(time.StampMicro), started["api"].Format(time.StampMicro), started["worker"].Format(time.StampMicro))
	}
	// Compact: one line per service, each naming it with its status.
	for _, name := range []string{"db", "api", "worker"} {
		if !hasLine(r.text, func(l string) bool { return strings.Contains(l, name) && strings.Contains(l, "running") }) {
			s.errorf("service_list has no line showing %s running:\n%s", name, r.text)
		}
	}
	if lines := strings.Count(strings.TrimSpace(r.text), "\n") + 1; lines > 6 || len(r.text) > 1200 {
		s.errorf("service_list is not compact: %d lines, %d characters:\n%s", lines, len(r.text), r.text)
	}
	if !strings.Contains(r.text, fmt.Sprint(port)) || !strings.Contains(r.text, "needs") {
		s.errorf("service_list does not show db's port %d and the needs:\n%s", port, r.text)
	}
	if n := len(processesWith(s.svcMark)); n < 3 {
		s.errorf("three services running, but %d processes carry their marker", n)
	}

	// api's own account: db answered both times it started.
	r = s.call("service_logs", map[string]any{"service_name": "api", "grep": "db (reachable|unreachable)"})
	var logs logsResult
	s.decode("service_logs api", r, &logs)
	var unreachable bool
	for _, l := range logs.Lines {
		unreachable = unreachable || strings.Contains(l.Text, "unreachable")
	}
	if r.isError || logs.Matched != 2 || unreachable {
		s.errorf("api's log: %d matches (want 2 × reachable, no unreachable):\n%s", logs.Matched, r.text)
	}

	text := s.read("sprites://local/services")
	for _, name := range []string{`"db"`, `"api"`, `"worker"`} {
		if !strings.Contains(text, name) {
			s.errorf("resource sprites://local/services lacks %s:\n%s", name, text)
		}
	}
}

// expectRunning fails the scenario unless r, the answer of op on service
// name, reports it running. A start that was still waiting when its watch
// window ended (a slow need, a port not yet accepting on a loaded
// machine) answers "starting" and carries on; then, as an agent would,
// poll service_get until it runs.
func (s *session) expectRunning(name, op string, r result) actionResult {
	s.t.Helper()
	var out actionResult
	s.decode(op, r, &out)
	if !r.isError && out.Reached && out.Status == "starting" {
		var g getResult
		if eventually(30*time.Second, 250*time.Millisecond, func() bool {
			gr := s.call("service_get", map[string]any{"service_name": name})
			s.decode("service_get "+name, gr, &g)
			return gr.isError || g.Service.Status != "starting"
		}) {
			out.Status, out.PID = g.Service.Status, g.Service.PID
		}
	}
	if r.isError || !out.Reached || out.Status != "running" || out.PID == 0 {
		s.fatalf("%s: want running (isError=%v, reached=%v, status %q, pid %d):\n%s",
			op, r.isError, out.Reached, out.Status, out.PID, r.text)
	}
	return out
}

// hasLine reports whether some line of text satisfies ok.
func hasLine(text string, ok func(string) bool) bool {
	for _, l := range strings.Split(text, "\n") {
		if ok(l) {
			return true
		}
	}
	return false
}
