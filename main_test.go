//go:build unix

// The end-to-end tests drive the built binary and its embedded runtime
// with process groups and /proc, so they build on unix only.

package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	mcpclient "github.com/mark3labs/mcp-go/client"
	"github.com/mark3labs/mcp-go/mcp"
)

// binPath is the sprites-mcp binary built once for the tests of this file,
// which drive it as an MCP client would: over stdio, as a child process.
var binPath string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "smcp-bin")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binPath = filepath.Join(dir, "sprites-mcp")
	if out, err := exec.Command("go", "build", "-race", "-o", binPath, ".").CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "build: %v\n%s", err, out)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// stateDir is short on purpose: the runtime's socket lives in it and unix
// socket paths are limited to 107 bytes.
func stateDir(t *testing.T) string {
	t.Helper()
	d, err := os.MkdirTemp("", "smcp")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(d) })
	return d
}

// serverEnv keeps a developer's own token from switching the binary to the
// public API during tests.
func serverEnv(state string, extra ...string) []string {
	return append([]string{"SPRITES_TOKEN=", "SPRITE_TOKEN=", "SPRITES_API_URL=",
		"SPRITES_MCP_STATE_DIR=" + state}, extra...)
}

// processesWith lists the pids whose environment carries marker (tests
// give their services SMCP_TEST_MARK=marker; it survives exec, unlike a
// command line).
func processesWith(marker string) []string {
	var pids []string
	entries, _ := os.ReadDir("/proc")
	for _, e := range entries {
		environ, err := os.ReadFile(filepath.Join("/proc", e.Name(), "environ"))
		if err == nil && strings.Contains(string(environ), "SMCP_TEST_MARK="+marker) {
			pids = append(pids, e.Name())
		}
	}
	return pids
}

// markEnv is the env argument that tags a service's processes.
func markEnv(marker string) map[string]any { return map[string]any{"SMCP_TEST_MARK": marker} }

// waitGone fails the test if a process carrying marker is still alive
// after the deadline.
func waitGone(t *testing.T, marker string, within time.Duration) {
	t.Helper()
	deadline := time.Now().Add(within)
	for {
		left := processesWith(marker)
		if len(left) == 0 {
			return
		}
		if time.Now().After(deadline) {
			for _, p := range left {
				if pid := atoi(p); pid > 0 {
					syscall.Kill(pid, syscall.SIGKILL)
				}
			}
			t.Fatalf("processes left behind: %v", left)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func atoi(s string) int {
	n := 0
	for _, c := range s {
		if c < '0' || c > '9' {
			return 0
		}
		n = n*10 + int(c-'0')
	}
	return n
}

func startStdio(t *testing.T, protocol string, env []string, args ...string) *mcpclient.Client {
	t.Helper()
	c, err := mcpclient.NewStdioMCPClient(binPath, env, args...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	initialize(t, c, protocol)
	return c
}

func callText(t *testing.T, c *mcpclient.Client, tool string, args map[string]any) (string, bool) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	req := mcp.CallToolRequest{}
	req.Params.Name = tool
	req.Params.Arguments = args
	res, err := c.CallTool(ctx, req)
	if err != nil {
		t.Fatalf("%s: %v", tool, err)
	}
	return resultText(res)
}

func TestVersionAndHelp(t *testing.T) {
	out, err := exec.Command(binPath, "--version").Output()
	if err != nil || !strings.HasPrefix(string(out), "sprites-mcp ") {
		t.Errorf("--version: %q, %v", out, err)
	}
	cmd := exec.Command(binPath, "--help")
	help, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(help), "sprites-mcp supervisor") {
		t.Errorf("--help: exit %v\n%s", err, help)
	}
	cmd = exec.Command(binPath, "--max-result-chars", "5")
	bad, err := cmd.CombinedOutput()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 2 || !strings.Contains(string(bad), "--max-result-chars") {
		t.Errorf("bad flag: exit %v\n%s", err, bad)
	}
}

// TestStdioServiceLifecycle runs a service through the binary under both
// protocol revisions, then closes the client: the server must exit and
// take the service's processes with it.
func TestStdioServiceLifecycle(t *testing.T) {
	for _, protocol := range []string{mcp.ProtocolVersion20251125, mcp.ProtocolVersion20260728} {
		t.Run(protocol, func(t *testing.T) {
			state := stateDir(t)
			marker := fmt.Sprintf("smcp-life-%d", time.Now().UnixNano())
			c := startStdio(t, protocol, serverEnv(state))

			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			tools, err := c.ListTools(ctx, mcp.ListToolsRequest{})
			if err != nil || len(tools.Tools) != 10 {
				t.Fatalf("tools/list: %d tools, %v", len(tools.Tools), err)
			}

			text, isErr := callText(t, c, "service_create", map[string]any{
				"service_name": "web", "cmd": "sh", "env": markEnv(marker),
				"args":     []string{"-c", "echo listening " + marker + "; exec sleep 300"},
				"duration": "1s",
			})
			if isErr || !strings.Contains(text, "web on local: running") || !strings.Contains(text, "listening "+marker) {
				t.Fatalf("service_create (isError=%v):\n%s", isErr, text)
			}
			if len(processesWith(marker)) == 0 {
				t.Fatal("service_create said running but no process carries the marker")
			}

			text, isErr = callText(t, c, "service_get", map[string]any{"service_name": "wbe"})
			if !isErr || !strings.Contains(text, `did you mean "web"`) {
				t.Errorf("unknown service (isError=%v):\n%s", isErr, text)
			}

			// Every other tool, in the order an agent would use them; each
			// result must be a success that says what happened.
			for _, step := range []struct {
				tool string
				args map[string]any
				want string
			}{
				{"service_list", nil, "web"},
				{"service_get", map[string]any{"service_name": "web"}, "running"},
				{"service_logs", map[string]any{"service_name": "web", "grep": "listening"}, "listening " + marker},
				{"service_signal", map[string]any{"service_name": "web", "signal": "SIGUSR1"}, "USR1"},
				{"service_restart", map[string]any{"service_name": "web", "duration": "1s"}, "web on local: running"},
				{"service_stop", map[string]any{"service_name": "web"}, "web on local: stopped"},
				{"service_stop", map[string]any{"service_name": "web"}, "already stopped"},
				{"service_start", map[string]any{"service_name": "web", "duration": "1s"}, "web on local: running"},
				{"service_delete", map[string]any{"service_name": "web"}, "deleted"},
				{"list_sprites", nil, "local"},
			} {
				text, isErr := callText(t, c, step.tool, step.args)
				if isErr || !strings.Contains(text, step.want) {
					t.Errorf("%s %v (isError=%v): want %q in\n%s", step.tool, step.args, isErr, step.want, text)
				}
			}
			waitGone(t, marker, 10*time.Second) // deleted: nothing of it runs

			c.Close()
			waitGone(t, marker, 20*time.Second)
		})
	}
}

// TestStdioFailedStartIsAnError: a service that dies at start-up is
// reported with its exit code and the line that says why, as a tool error.
func TestStdioFailedStartIsAnError(t *testing.T) {
	c := startStdio(t, mcp.ProtocolVersion20251125, serverEnv(stateDir(t)))
	text, isErr := callText(t, c, "service_create", map[string]any{
		"service_name": "broken", "cmd": "sh",
		"args":     []string{"-c", "echo 'Error: listen EADDRINUSE :8080' >&2; exit 3"},
		"duration": "2s",
	})
	if !isErr || !strings.Contains(text, "failed at start-up") || !strings.Contains(text, "exit code 3") ||
		!strings.Contains(text, "EADDRINUSE") {
		t.Errorf("isError=%v\n%s", isErr, text)
	}
}

func TestStdioReadOnly(t *testing.T) {
	for _, protocol := range []string{mcp.ProtocolVersion20251125, mcp.ProtocolVersion20260728} {
		t.Run(protocol, func(t *testing.T) {
			assertReadOnly(t, startStdio(t, protocol, serverEnv(stateDir(t)), "--read-only"))
		})
	}
}

// TestServerEndStopsServices: however the server's life ends — SIGTERM, or
// a client that goes away and closes every pipe — it exits cleanly (exit 0,
// not killed by SIGPIPE on its last log line) and stops the services it
// supervises.
func TestServerEndStopsServices(t *testing.T) {
	for _, end := range []string{"sigterm", "client gone"} {
		t.Run(end, func(t *testing.T) {
			state := stateDir(t)
			marker := fmt.Sprintf("smcp-end-%d", time.Now().UnixNano())
			cmd := exec.Command(binPath)
			cmd.Env = append(os.Environ(), serverEnv(state)...)
			stdin, _ := cmd.StdinPipe()
			stdout, _ := cmd.StdoutPipe()
			stderrPipe, _ := cmd.StderrPipe()
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			defer cmd.Process.Kill()
			var stderr strings.Builder
			stderrDone := make(chan struct{})
			go func() {
				defer close(stderrDone)
				buf := make([]byte, 4096)
				for {
					n, err := stderrPipe.Read(buf)
					stderr.Write(buf[:n])
					if err != nil {
						return
					}
				}
			}()

			send := func(v any) {
				b, _ := json.Marshal(v)
				stdin.Write(append(b, '\n'))
			}
			dec := json.NewDecoder(stdout)
			recv := func() map[string]any {
				var m map[string]any
				if err := dec.Decode(&m); err != nil {
					t.Fatalf("read response: %v", err)
				}
				return m
			}
			send(map[string]any{"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": map[string]any{
				"protocolVersion": mcp.ProtocolVersion20251125, "capabilities": map[string]any{},
				"clientInfo": map[string]any{"name": "raw", "version": "1"}}})
			recv()
			send(map[string]any{"jsonrpc": "2.0", "method": "notifications/initialized"})
			send(map[string]any{"jsonrpc": "2.0", "id": 2, "method": "tools/call", "params": map[string]any{
				"name": "service_create", "arguments": map[string]any{"service_name": "sleeper", "cmd": "sleep",
					"args": []string{"300"}, "env": markEnv(marker), "duration": "0"}}})
			if r := recv(); r["error"] != nil {
				t.Fatalf("service_create: %v", r["error"])
			}
			deadline := time.Now().Add(10 * time.Second)
			for len(processesWith(marker)) == 0 && time.Now().Before(deadline) {
				time.Sleep(20 * time.Millisecond)
			}
			if len(processesWith(marker)) == 0 {
				t.Fatal("the service never started")
			}

			if end == "sigterm" {
				cmd.Process.Signal(syscall.SIGTERM)
			} else {
				// The client dies: its ends of all three pipes close. The
				// server's shutdown log lines then hit a closed stderr.
				stdout.Close()
				stderrPipe.Close()
				stdin.Close()
			}
			done := make(chan error, 1)
			go func() { done <- cmd.Wait() }()
			var exitErr error
			select {
			case exitErr = <-done:
			case <-time.After(20 * time.Second):
				t.Fatal("server did not exit within 20s")
			}
			<-stderrDone // Wait closed the pipe; the reader has finished
			if exitErr != nil {
				t.Errorf("exit: %v (want a clean exit 0)\nstderr:\n%s", exitErr, stderr.String())
			}
			waitGone(t, marker, 5*time.Second)
			if strings.Contains(stderr.String(), `"jsonrpc"`) {
				t.Errorf("protocol traffic leaked to stderr:\n%s", stderr.String())
			}
		})
	}
}
