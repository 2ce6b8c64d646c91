package evals

import (
	"fmt"
	"strings"
)

// portConflict: web serves on a port it holds as http_port. A second
// service declaring the same http_port is refused and the refusal names
// the port; a third that simply binds the same port dies at start-up, and
// its result carries the address-in-use line.
func portConflict(s *session) {
	port := freePort(s.t)
	serve := []string{"-m", "http.server", fmt.Sprint(port), "--bind", "127.0.0.1"}
	r := s.call("service_create", map[string]any{
		"service_name": "web", "cmd": python, "args": serve, "http_port": port, "env": s.env(nil), "duration": "1s",
	})
	s.expectRunning("web", "service_create web", r)

	r = s.call("service_create", map[string]any{
		"service_name": "web2", "cmd": python, "args": serve, "http_port": port, "env": s.env(nil), "duration": "1s",
	})
	if !r.isError || !strings.Contains(r.text, fmt.Sprint(port)) || !strings.Contains(r.text, `"web"`) {
		s.errorf("a second http_port %d holder should be refused naming the port and its holder (isError=%v):\n%s", port, r.isError, r.text)
	}

	r = s.call("service_create", map[string]any{
		"service_name": "web3", "cmd": python, "args": serve, "env": s.env(nil), "duration": "3s",
	})
	var out actionResult
	s.decode("service_create web3", r, &out)
	inUse := func(s string) bool {
		return strings.Contains(s, "Address already in use") || strings.Contains(s, "EADDRINUSE")
	}
	if !r.isError || out.Reached || !inUse(r.text) || !inUse(out.Cause) {
		s.errorf("a second bind of port %d should fail at start-up with the address-in-use line as its cause (isError=%v, cause %q):\n%s",
			port, r.isError, out.Cause, r.text)
	}
	r = s.call("service_stop", map[string]any{"service_name": "web3", "timeout": "5s"})
	if r.isError {
		s.errorf("service_stop web3:\n%s", r.text)
	}
	// web, the holder, is untouched by both attempts.
	r = s.call("service_get", map[string]any{"service_name": "web"})
	var g getResult
	s.decode("service_get web", r, &g)
	if g.Service.Status != "running" || g.Service.HTTPPort != port || g.Service.RestartCount != 0 {
		s.errorf("web after the conflicts: %s on port %d with %d restarts; want running on %d, no restarts:\n%s",
			g.Service.Status, g.Service.HTTPPort, g.Service.RestartCount, port, r.text)
	}
}
