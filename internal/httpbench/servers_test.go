//go:build unix

package httpbench

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"runtime"
	"runtime/metrics"
	"runtime/pprof"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"

	"github.com/sprites-mcp/sprites-mcp/internal/app"
	"github.com/sprites-mcp/sprites-mcp/internal/config"
)

// The test binary is also both servers: run with roleEnv set, TestMain
// serves instead of testing, so each server is a process of its own (its
// resident memory and CPU are its own) built from the same code as the
// benchmark.
const (
	roleEnv    = "HTTPBENCH_ROLE" // "ours" or "bare"
	profileEnv = "HTTPBENCH_PROFILE"
	benchToken = "httpbench-token"
)

func TestMain(m *testing.M) {
	switch os.Getenv(roleEnv) {
	case "":
		os.Exit(m.Run())
	case "ours":
		os.Exit(serveRole(serveOurs))
	case "bare":
		os.Exit(serveRole(serveBare))
	default:
		fmt.Fprintf(os.Stderr, "%s=%q: want ours or bare\n", roleEnv, os.Getenv(roleEnv))
		os.Exit(2)
	}
}

// serveRole runs serve until stdin closes (the benchmark's end, or its
// death), with profiles written to $HTTPBENCH_PROFILE/<role>.*.pprof when
// that is set.
func serveRole(serve func(ctx context.Context) error) int {
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		io.Copy(io.Discard, os.Stdin)
		cancel()
	}()
	// Before the listening line: a SIGUSR1 that came first would end us.
	usr1 := make(chan os.Signal, 1)
	signal.Notify(usr1, syscall.SIGUSR1)
	go reportAllocs(ctx, usr1)
	if dir := os.Getenv(profileEnv); dir != "" {
		stop, err := startProfiles(dir, os.Getenv(roleEnv))
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		defer stop()
	}
	if err := serve(ctx); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	return 0
}

// allocsMsg is the message of the line reportAllocs writes.
const allocsMsg = "httpbench: allocs"

// reportAllocs writes what the process has allocated so far (bytes and
// objects, as runtime/metrics counts them) to stderr as a JSON line each
// time a signal arrives: the benchmark asks before and after each run of a
// point, for the allocations per call.
func reportAllocs(ctx context.Context, sig chan os.Signal) {
	samples := []metrics.Sample{{Name: "/gc/heap/allocs:bytes"}, {Name: "/gc/heap/allocs:objects"}}
	for {
		select {
		case <-ctx.Done():
			signal.Stop(sig)
			return
		case <-sig:
		}
		metrics.Read(samples)
		line, _ := json.Marshal(map[string]any{"msg": allocsMsg,
			"bytes": samples[0].Value.Uint64(), "objects": samples[1].Value.Uint64()})
		os.Stderr.Write(append(line, '\n'))
	}
}

// startProfiles starts a CPU profile and block and mutex sampling; stop
// writes them with the heap's allocation profile.
func startProfiles(dir, role string) (stop func(), err error) {
	cpu, err := os.Create(dir + "/" + role + ".cpu.pprof")
	if err != nil {
		return nil, err
	}
	if err := pprof.StartCPUProfile(cpu); err != nil {
		return nil, err
	}
	runtime.SetBlockProfileRate(10_000) // one sample per 10 µs blocked
	runtime.SetMutexProfileFraction(10)
	return func() {
		pprof.StopCPUProfile()
		cpu.Close()
		for _, name := range []string{"allocs", "block", "mutex"} {
			if f, err := os.Create(dir + "/" + role + "." + name + ".pprof"); err == nil {
				pprof.Lookup(name).WriteTo(f, 0)
				f.Close()
			}
		}
	}, nil
}

// serveOurs is sprites-mcp as `sprites-mcp --http 127.0.0.1:0` runs it, on
// the embedded runtime in $HTTPBENCH_STATE, with a bearer token: the path
// a deployed server takes. Its JSON log (stderr) has the listening line.
func serveOurs(ctx context.Context) error {
	env := map[string]string{
		"SPRITES_MCP_STATE_DIR":  os.Getenv("HTTPBENCH_STATE"),
		"SPRITES_API_URL":        "local",
		"SPRITES_MCP_AUTH_TOKEN": benchToken,
	}
	cfg, err := config.Parse([]string{"--http", "127.0.0.1:0", "--log-format", "json", "--log-level", "info"},
		func(k string) string { return env[k] })
	if err != nil {
		return err
	}
	// The listening line is logged at Info; listenLineWriter passes it and
	// the warnings on and drops the rest.
	return app.Run(ctx, cfg, strings.NewReader(""), io.Discard, listenLineWriter{os.Stderr})
}

// listenLineWriter writes only the "http: listening" line of a JSON log
// and the lines at Warn and above, so the benchmark's output stays quiet.
type listenLineWriter struct{ w io.Writer }

func (l listenLineWriter) Write(p []byte) (int, error) {
	var m struct{ Msg, Level string }
	if json.Unmarshal(p, &m) != nil || m.Msg == "http: listening" || (m.Level != "INFO" && m.Level != "DEBUG") {
		l.w.Write(p)
	}
	return len(p), nil
}

// fixedResult is what the bare server's tool returns: about as long as a
// service_get summary.
const fixedResult = "web: running (pid 4242, up 12s, restarts 0)\ncmd: sleep 3600\n"

// shapedResult is a copy of what sprites-mcp's service_get answers for
// the benchmark's service: a summary, a link to its logs and the
// structured content.
func shapedResult() *mcp.CallToolResult {
	res := mcp.NewToolResultStructured(map[string]any{
		"sprite": "local",
		"service": map[string]any{"name": "web", "status": "running", "pid": 28707, "needs": []string{},
			"restart_count": 0, "error": "", "started_at": "2026-12-03T09:37:53.624Z", "cmd": "sleep", "args": []string{"3600"}},
		"truncated": false,
	}, "web on local: running, pid 28707, restarts 0\ncmd: sleep 3600\nstarted: 2026-12-03T09:37:53.624Z")
	res.Content = append(res.Content, mcp.NewResourceLink("sprites://local/services/web/logs", "web logs",
		"Latest log lines of web on local", "text/plain"))
	return res
}

// serveBare is a bare mcp-go server: one tool, service_get, that returns a
// fixed string, over mcp-go's streamable HTTP handler with its defaults;
// and service_get_shaped, which returns shapedResult.
func serveBare(ctx context.Context) error {
	s := server.NewMCPServer("bare", "1", server.WithToolCapabilities(false))
	s.AddTool(mcp.NewTool("service_get", mcp.WithString("service_name")),
		func(context.Context, mcp.CallToolRequest) (*mcp.CallToolResult, error) {
			return mcp.NewToolResultText(fixedResult), nil
		})
	s.AddTool(mcp.NewTool("service_get_shaped", mcp.WithString("service_name")),
		func(context.Context, mcp.CallToolRequest) (*mcp.CallToolResult, error) {
			return shapedResult(), nil
		})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	slog.New(slog.NewJSONHandler(os.Stderr, nil)).Info("http: listening", "addr", ln.Addr().String())
	mux := http.NewServeMux()
	mux.Handle("/mcp", server.NewStreamableHTTPServer(s))
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		<-ctx.Done()
		srv.Close()
	}()
	if err := srv.Serve(ln); err != http.ErrServerClosed {
		return err
	}
	return nil
}

// child is one server process.
type child struct {
	role   string
	url    string // http://127.0.0.1:PORT/mcp
	cmd    *exec.Cmd
	stdin  io.Closer
	allocs chan allocReading // what reportAllocs wrote, read by allocated
}

// allocReading is what a child has allocated so far.
type allocReading struct{ bytes, objects uint64 }

// allocated asks the child what it has allocated so far; ok is false when
// no answer came within 10 s.
func (c *child) allocated() (r allocReading, ok bool) {
	select {
	case <-c.allocs: // a late answer to an earlier question
	default:
	}
	if c.cmd.Process.Signal(syscall.SIGUSR1) != nil {
		return r, false
	}
	select {
	case r = <-c.allocs:
		return r, true
	case <-time.After(10 * time.Second):
		return r, false
	}
}

// startChild starts the test binary as role and waits for its address.
func startChild(b *testing.B, role, state string) *child {
	b.Helper()
	exe, err := os.Executable()
	if err != nil {
		b.Fatal(err)
	}
	cmd := exec.Command(exe)
	cmd.Env = append(os.Environ(), roleEnv+"="+role, "HTTPBENCH_STATE="+state,
		"SPRITES_TOKEN=", "SPRITE_TOKEN=")
	stdin, err := cmd.StdinPipe()
	if err != nil {
		b.Fatal(err)
	}
	stderr, err := cmd.StderrPipe()
	if err != nil {
		b.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	c := &child{role: role, cmd: cmd, stdin: stdin, allocs: make(chan allocReading, 1)}
	b.Cleanup(c.stop)
	addr := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		sc.Buffer(make([]byte, 64<<10), 1<<20)
		sent := false
		for sc.Scan() {
			var m struct {
				Msg, Addr      string
				Bytes, Objects uint64
			}
			if json.Unmarshal(sc.Bytes(), &m) == nil && m.Msg == "http: listening" && !sent {
				addr <- m.Addr
				sent = true
				continue
			}
			if m.Msg == allocsMsg {
				select {
				case c.allocs <- allocReading{m.Bytes, m.Objects}:
				default: // nobody asked: dropped
				}
				continue
			}
			fmt.Fprintf(os.Stderr, "%s: %s\n", role, sc.Text())
		}
		close(addr)
	}()
	select {
	case a, ok := <-addr:
		if !ok {
			b.Fatalf("%s server ended before listening", role)
		}
		c.url = "http://" + a + "/mcp"
	case <-time.After(60 * time.Second):
		b.Fatalf("%s server: no listening line within 60s", role)
	}
	return c
}

// stop closes the child's stdin, which ends it, and waits (bounded).
func (c *child) stop() {
	c.stdin.Close()
	done := make(chan struct{})
	go func() { c.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(60 * time.Second):
		c.cmd.Process.Kill()
		<-done
	}
}

// cpuTime is the CPU time the child has used, user and system, where the
// system says (Linux: /proc); ok is false elsewhere.
func (c *child) cpuTime() (d time.Duration, ok bool) { return processCPU(c.cmd.Process.Pid) }

// processCPU is the CPU time, user and system, of process pid (Linux only).
func processCPU(pid int) (d time.Duration, ok bool) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, false
	}
	// The fields after the command name, which is in parentheses and may
	// hold spaces: utime and stime are the 12th and 13th.
	i := strings.LastIndexByte(string(b), ')')
	f := strings.Fields(string(b)[i+1:])
	if i < 0 || len(f) < 13 {
		return 0, false
	}
	utime, err1 := strconv.Atoi(f[11])
	stime, err2 := strconv.Atoi(f[12])
	if err1 != nil || err2 != nil {
		return 0, false
	}
	const userHZ = 100 // clock ticks per second on every Linux we ship for
	return time.Duration(utime+stime) * time.Second / userHZ, true
}

// rssKiB is the child's resident memory.
func (c *child) rssKiB() (int, error) {
	pid := c.cmd.Process.Pid
	if b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid)); err == nil {
		for _, line := range strings.Split(string(b), "\n") {
			if f := strings.Fields(line); len(f) >= 2 && f[0] == "VmRSS:" {
				return strconv.Atoi(f[1])
			}
		}
	}
	// Not Linux: ps reports RSS in KiB on macOS and the BSDs.
	out, err := exec.Command("ps", "-o", "rss=", "-p", strconv.Itoa(pid)).Output()
	if err != nil {
		return 0, fmt.Errorf("resident memory of %s (pid %d): %w", c.role, pid, err)
	}
	return strconv.Atoi(strings.TrimSpace(string(out)))
}
