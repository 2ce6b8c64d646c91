//go:build linux

package soak

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"math"
	mrand "math/rand/v2"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	mcpclient "github.com/mark3labs/mcp-go/client"
	"github.com/mark3labs/mcp-go/client/transport"
	"github.com/mark3labs/mcp-go/mcp"
)

const (
	// clients is how many MCP clients call at once, each with its own
	// session and its own service to change.
	clients = 16
	// markEnv tags every service the soak starts (children inherit it), so
	// a process left behind is found whatever it became.
	markEnv = "SOAK_MARK"
	// callTimeout bounds one call: the longest is a 2s window plus the
	// server's margin; past it the call counts as hung.
	callTimeout = 60 * time.Second
)

// crashScript runs for a random 0 to 7 seconds, printing as it goes, then
// dies with a random status or of a signal: the runtime restarts it with
// backoff, so the soak's services crash at random all the time.
const crashScript = `n=$(od -An -N1 -tu1 /dev/urandom | tr -d ' '); echo "up $n"; ` +
	`i=0; while [ $i -lt $((n % 8)) ]; do echo "tick $i"; echo "warn $i" >&2; sleep 1; i=$((i+1)); done; ` +
	`case $((n % 4)) in 0) kill -KILL $$;; 1) exit 0;; *) exit $((n % 5 + 1));; esac`

// TestSoak is the soak. SOAK_DURATION sets its length (it is skipped
// without it); SOAK_BIN may name a built binary (else it builds one).
func TestSoak(t *testing.T) {
	dur, err := time.ParseDuration(os.Getenv("SOAK_DURATION"))
	if err != nil || dur <= 0 {
		t.Skip("set SOAK_DURATION (e.g. 60s, 10m) to run the soak (make soak, make soak-short)")
	}
	bin := os.Getenv("SOAK_BIN")
	if bin == "" {
		bin = buildServer(t)
	}
	mark := randHex(8)
	srv := startServer(t, bin, mark)

	// The sample period: 10 s, shorter for short soaks so the growth check
	// still has a dozen samples.
	period := min(10*time.Second, dur/12)
	warmup := min(30*time.Second, dur/6)
	t.Logf("soak: %v, %d clients, samples every %v after %v of warm-up; server pid %d at %s",
		dur, clients, period, warmup, srv.pid, srv.base)

	var st stats
	ctx, cancel := context.WithTimeout(context.Background(), dur)
	defer cancel()
	var samples []sample
	var wg sync.WaitGroup
	// Every client creates its service first and then waits for the
	// others', so no read names a service that does not exist yet: under
	// load the creates take a while, and such a read is a refusal by design.
	var created sync.WaitGroup
	created.Add(clients)
	allCreated := make(chan struct{})
	go func() { created.Wait(); close(allCreated) }()
	for i := range clients {
		c := connect(t, srv)
		wg.Go(func() { runClient(ctx, t, c, i, mark, &st, created.Done, allCreated) })
	}
	start := time.Now()
	tick := time.NewTicker(period)
sampling:
	for {
		select {
		case <-ctx.Done():
			break sampling
		case <-tick.C:
			s, err := sampleOf(srv.pid)
			if err != nil {
				t.Errorf("sample the server: %v (did it exit?)\n%s", err, srv.logs.tail())
				cancel()
				break sampling
			}
			s.at = time.Since(start)
			samples = append(samples, s)
			t.Logf("soak: %6s  threads %3d  fds %3d  rss %6.1f MB  calls %d, tool errors %d, failures %d",
				s.at.Round(time.Second), s.threads, s.fds, float64(s.rssKB)/1024, st.calls.Load(), st.toolErrors.Load(), st.failures.Load())
		}
	}
	tick.Stop()
	wg.Wait()

	st.report(t)
	checkGrowth(t, samples, warmup)
	if n := srv.logs.errorLines(); n > 0 {
		t.Errorf("the server logged %d ERROR lines; the last log:\n%s", n, srv.logs.tail())
	}
	srv.stop(t)
	left := waitNoProcesses(mark, 10*time.Second)
	t.Logf("soak: processes left after shutdown: %d", len(left))
	if len(left) > 0 {
		t.Errorf("processes of the soak left after the server stopped: %v", left)
	}
}

// stats counts the calls of every client.
type stats struct {
	calls, toolErrors, failures atomic.Int64
	mu                          sync.Mutex
	byOp                        map[string]int
	toolErrByOp                 map[string]int
	failed                      []string // the first failures, for the report
	// toolErrSeen holds up to three distinct tool errors of each call, so
	// the report shows what they were.
	toolErrSeen map[string][]string
	slowest     time.Duration
}

func (s *stats) record(op string, took time.Duration, toolErr bool, failure, text string) {
	s.calls.Add(1)
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.byOp == nil {
		s.byOp, s.toolErrByOp, s.toolErrSeen = map[string]int{}, map[string]int{}, map[string][]string{}
	}
	s.byOp[op]++
	s.slowest = max(s.slowest, took)
	if toolErr {
		s.toolErrors.Add(1)
		s.toolErrByOp[op]++
		line := firstLine(text)
		if seen := s.toolErrSeen[op]; len(seen) < 3 && !slices.Contains(seen, line) {
			s.toolErrSeen[op] = append(seen, line)
		}
	}
	if failure != "" {
		s.failures.Add(1)
		if len(s.failed) < 20 {
			s.failed = append(s.failed, op+": "+failure)
		}
	}
}

func (s *stats) report(t *testing.T) {
	s.mu.Lock()
	defer s.mu.Unlock()
	ops := make([]string, 0, len(s.byOp))
	for op := range s.byOp {
		ops = append(ops, op)
	}
	sort.Strings(ops)
	var b strings.Builder
	for _, op := range ops {
		fmt.Fprintf(&b, " %s %d (%d tool errors);", op, s.byOp[op], s.toolErrByOp[op])
	}
	t.Logf("soak: %d calls, %d tool errors (outcomes of crashing services), %d failures; slowest call %v;%s",
		s.calls.Load(), s.toolErrors.Load(), s.failures.Load(), s.slowest.Round(time.Millisecond), b.String())
	if s.calls.Load() == 0 {
		t.Errorf("no call was made")
	}
	for _, op := range ops {
		for _, e := range s.toolErrSeen[op] {
			t.Logf("soak: a tool error of %s: %s", op, e)
		}
	}
	for _, f := range s.failed {
		t.Errorf("failure: %s", f)
	}
}

// runClient makes random calls until ctx ends. Client i changes only its
// own service (so its tool errors come from crashes, not from another
// client's change racing it) and reads everyone's.
func runClient(ctx context.Context, t *testing.T, c *mcpclient.Client, i int, mark string, st *stats,
	createdOwn func(), allCreated <-chan struct{}) {
	defer c.Close()
	own := fmt.Sprintf("soak-%02d", i)
	rnd := mrand.New(mrand.NewPCG(uint64(i), uint64(time.Now().UnixNano())))
	anyService := func() string { return fmt.Sprintf("soak-%02d", rnd.IntN(clients)) }
	created := false
	for ctx.Err() == nil {
		op, call := pick(rnd, own, anyService(), mark, created)
		cctx, cancel := context.WithTimeout(context.Background(), callTimeout)
		start := time.Now()
		toolErr, failure, text := call(cctx, c)
		took := time.Since(start)
		cancel()
		if took > callTimeout-time.Second && failure == "" {
			failure = fmt.Sprintf("took %v", took)
		}
		st.record(op, took, toolErr, failure, text)
		if op == "create" && !toolErr && failure == "" && !created {
			created = true
			createdOwn()
			select {
			case <-allCreated:
			case <-ctx.Done():
			}
		}
	}
}

// callFunc makes one call: whether it was a tool error, what failed (""
// when nothing did) and the result's text.
type callFunc func(ctx context.Context, c *mcpclient.Client) (toolErr bool, failure, text string)

// pick chooses the next call. Until its service exists a client creates
// it; then a mix weighted toward reads, as an agent's session is.
func pick(rnd *mrand.Rand, own, other, mark string, created bool) (string, callFunc) {
	create := tool("service_create", map[string]any{"service_name": own, "cmd": "sh", "args": []any{"-c", crashScript},
		"env": map[string]any{markEnv: mark}, "duration": "0"})
	if !created {
		return "create", create
	}
	window := []string{"0", "500ms", "2s"}[rnd.IntN(3)]
	switch n := rnd.IntN(100); {
	case n < 15:
		return "list", tool("service_list", nil)
	case n < 30:
		return "get", tool("service_get", map[string]any{"service_name": other})
	case n < 45:
		return "logs", tool("service_logs", map[string]any{"service_name": other, "lines": 1 + rnd.IntN(200),
			"stream": []string{"stdout", "stderr", "both"}[rnd.IntN(3)]})
	case n < 50:
		return "create", create
	case n < 60:
		return "start", tool("service_start", map[string]any{"service_name": own, "duration": window})
	case n < 70:
		return "stop", tool("service_stop", map[string]any{"service_name": own, "timeout": "2s"})
	case n < 80:
		return "restart", tool("service_restart", map[string]any{"service_name": own, "duration": window})
	case n < 85:
		return "read services", read("sprites://local/services")
	case n < 90:
		return "read service", read("sprites://local/services/" + other)
	case n < 95:
		return "read logs", read(fmt.Sprintf("sprites://local/services/%s/logs?lines=%d", other, 1+rnd.IntN(300)))
	default:
		return "list_sprites", tool("list_sprites", nil)
	}
}

// brokenWords mark a tool error that is the server's or the backend's
// trouble, not an outcome of a crashing service: each is a failure.
var brokenWords = []string{"did not answer in time", "timed out", "cancelled", " failed: ", "EOF",
	"connection", "panic", "internal error", "does not support"}

// outcomeWords are what a tool error caused by a crashing service says:
// every tool error must have one.
var outcomeWords = []string{"exit code", "not running", "crash", "failed", "signal", "stopped"}

func tool(name string, args map[string]any) callFunc {
	return func(ctx context.Context, c *mcpclient.Client) (bool, string, string) {
		req := mcp.CallToolRequest{}
		req.Params.Name = name
		req.Params.Arguments = args
		res, err := c.CallTool(ctx, req)
		if err != nil {
			return false, fmt.Sprintf("protocol error: %v", err), ""
		}
		txt := resultText(res)
		if strings.TrimSpace(txt) == "" {
			return res.IsError, "empty result", ""
		}
		if res.IsError {
			for _, w := range brokenWords {
				if strings.Contains(txt, w) {
					return true, fmt.Sprintf("tool error that is not a service's outcome: %s", firstLine(txt)), txt
				}
			}
			if !slices.ContainsFunc(outcomeWords, func(w string) bool { return strings.Contains(txt, w) }) {
				return true, fmt.Sprintf("tool error that does not report a crash: %s", firstLine(txt)), txt
			}
		}
		return res.IsError, "", txt
	}
}

func read(uri string) callFunc {
	return func(ctx context.Context, c *mcpclient.Client) (bool, string, string) {
		req := mcp.ReadResourceRequest{}
		req.Params.URI = uri
		res, err := c.ReadResource(ctx, req)
		if err != nil {
			// A service read may find it deleted by nothing here: every
			// service exists once created, so any refusal is a failure.
			return false, fmt.Sprintf("read %s: %v", uri, err), ""
		}
		if len(res.Contents) == 0 {
			return false, "read " + uri + ": no contents", ""
		}
		return false, "", ""
	}
}

func resultText(res *mcp.CallToolResult) string {
	var b strings.Builder
	for _, c := range res.Content {
		if tc, ok := c.(mcp.TextContent); ok {
			b.WriteString(tc.Text)
		}
	}
	return b.String()
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}

// sample is one reading of the server process.
type sample struct {
	at           time.Duration
	threads, fds int
	rssKB        int
}

// sampleOf reads the server's threads and resident memory from
// /proc/<pid>/status and counts its open files in /proc/<pid>/fd. (Go
// does not expose the goroutine count from outside without a debug
// endpoint; threads are the proxy: a goroutine stuck in a syscall holds
// one.)
func sampleOf(pid int) (sample, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return sample{}, err
	}
	var s sample
	for _, line := range strings.Split(string(b), "\n") {
		k, v, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		f := strings.Fields(v)
		if len(f) == 0 {
			continue
		}
		n, _ := strconv.Atoi(f[0])
		switch k {
		case "Threads":
			s.threads = n
		case "VmRSS":
			s.rssKB = n
		case "State":
			if f[0] == "Z" {
				return sample{}, fmt.Errorf("the server is a zombie")
			}
		}
	}
	fds, err := os.ReadDir(fmt.Sprintf("/proc/%d/fd", pid))
	if err != nil {
		return sample{}, err
	}
	s.fds = len(fds)
	return s, nil
}

// checkGrowth fails when a measure grew: after the warm-up, the mean of
// the last third of the samples is compared with the mean of the first
// third. Means of thirds, not single samples, so one busy moment is not
// growth; a tolerance, relative and absolute, so noise is not either. A
// leak of one goroutine, file or buffer per call grows with the thousands
// of calls of a soak, far past these.
func checkGrowth(t *testing.T, samples []sample, warmup time.Duration) {
	var kept []sample
	for _, s := range samples {
		if s.at >= warmup {
			kept = append(kept, s)
		}
	}
	if len(kept) < 6 {
		t.Errorf("only %d samples after the warm-up: too few to judge growth", len(kept))
		return
	}
	third := len(kept) / 3
	first, last := kept[:third], kept[len(kept)-third:]
	for _, m := range []struct {
		name     string
		get      func(sample) int
		rel, abs float64
		unit     string
	}{
		// Threads: the Go runtime keeps the threads a burst of blocking
		// syscalls made, so a step up once is allowed; a steady climb is not.
		{"threads", func(s sample) int { return s.threads }, 0.5, 8, ""},
		{"open files", func(s sample) int { return s.fds }, 0.25, 16, ""},
		{"resident memory", func(s sample) int { return s.rssKB }, 0.5, 24 << 10, " KB"},
	} {
		a, b := mean(first, m.get), mean(last, m.get)
		limit := a*(1+m.rel) + m.abs
		t.Logf("soak: %s: first third %.0f%s, last third %.0f%s (limit %.0f%s)", m.name, a, m.unit, b, m.unit, limit, m.unit)
		if b > limit {
			t.Errorf("%s grew: first third of the samples %.0f%s, last third %.0f%s, over the limit %.0f%s",
				m.name, a, m.unit, b, m.unit, limit, m.unit)
		}
	}
}

func mean(ss []sample, get func(sample) int) float64 {
	sum := 0.0
	for _, s := range ss {
		sum += float64(get(s))
	}
	return sum / math.Max(1, float64(len(ss)))
}

// server is the running binary.
type server struct {
	cmd   *exec.Cmd
	pid   int
	base  string // http://127.0.0.1:PORT
	token string
	logs  *logTail
	done  chan error
}

// buildServer builds the binary from the module root into a temp dir.
func buildServer(t *testing.T) string {
	t.Helper()
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(t.TempDir(), "sprites-mcp")
	cmd := exec.Command("go", "build", "-o", bin, ".")
	cmd.Dir = root
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("build the server: %v\n%s", err, out)
	}
	return bin
}

// startServer runs the binary on a free loopback port over the embedded
// runtime in a temp state dir, with a bearer token.
func startServer(t *testing.T, bin, mark string) *server {
	t.Helper()
	state, err := os.MkdirTemp("", "soak") // short: the runtime's socket lives there
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(state) })
	s := &server{token: randHex(16), logs: &logTail{}, done: make(chan error, 1)}
	s.cmd = exec.Command(bin, "--http", "127.0.0.1:0", "--log-format", "json")
	s.cmd.Env = append(os.Environ(), "SPRITES_TOKEN=", "SPRITE_TOKEN=", "SPRITES_API_URL=", "SPRITES_MCP_HTTP=",
		"SPRITES_MCP_STATE_DIR="+state, "HOME="+state, "SPRITES_MCP_AUTH_TOKEN="+s.token)
	// Its own process group, so the cleanup can kill whatever is left.
	s.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	stderr, err := s.cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := s.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	s.pid = s.cmd.Process.Pid
	t.Cleanup(func() {
		syscall.Kill(-s.pid, syscall.SIGKILL)
		if left := waitNoProcesses(mark, 5*time.Second); len(left) > 0 {
			for _, p := range left {
				if pid, err := strconv.Atoi(strings.Fields(p)[0]); err == nil {
					syscall.Kill(pid, syscall.SIGKILL)
				}
			}
		}
	})
	addrc := make(chan string, 1)
	go s.logs.scan(stderr, addrc)
	go func() { s.done <- s.cmd.Wait() }()
	select {
	case addr := <-addrc:
		s.base = "http://" + addr
	case err := <-s.done:
		t.Fatalf("the server exited before listening: %v\n%s", err, s.logs.tail())
	case <-time.After(60 * time.Second):
		t.Fatalf("no listening line within 60s\n%s", s.logs.tail())
	}
	deadline := time.Now().Add(60 * time.Second)
	for {
		resp, err := http.Get(s.base + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return s
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("/healthz not OK within 60s: %v\n%s", err, s.logs.tail())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// stop sends SIGTERM and waits for a clean exit.
func (s *server) stop(t *testing.T) {
	t.Helper()
	start := time.Now()
	s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case err := <-s.done:
		t.Logf("soak: the server stopped in %v", time.Since(start).Round(time.Millisecond))
		if err != nil {
			t.Errorf("the server exited with %v after SIGTERM\n%s", err, s.logs.tail())
		}
	case <-time.After(60 * time.Second):
		t.Errorf("the server did not exit within 60s of SIGTERM\n%s", s.logs.tail())
	}
}

// connect opens one streamable-HTTP MCP session with the token.
func connect(t *testing.T, s *server) *mcpclient.Client {
	t.Helper()
	c, err := mcpclient.NewStreamableHttpClient(s.base+"/mcp",
		transport.WithHTTPHeaders(map[string]string{"Authorization": "Bearer " + s.token}))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := c.Start(ctx); err != nil {
		t.Fatal(err)
	}
	init := mcp.InitializeRequest{}
	init.Params.ClientInfo = mcp.Implementation{Name: "soak", Version: "0"}
	if _, err := c.Initialize(ctx, init); err != nil {
		t.Fatalf("initialize: %v\n%s", err, s.logs.tail())
	}
	return c
}

// logTail keeps the last of the server's JSON log and counts its ERROR
// lines.
type logTail struct {
	mu     sync.Mutex
	lines  []string
	errors int
}

const keepLines = 200

func (l *logTail) scan(r io.Reader, addr chan<- string) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 4<<20)
	sent := false
	for sc.Scan() {
		line := sc.Text()
		var m struct {
			Level string `json:"level"`
			Msg   string `json:"msg"`
			Addr  string `json:"addr"`
		}
		_ = json.Unmarshal([]byte(line), &m)
		if m.Msg == "http: listening" && !sent {
			addr <- m.Addr
			sent = true
		}
		l.mu.Lock()
		if m.Level == "ERROR" {
			l.errors++
		}
		l.lines = append(l.lines, line)
		if len(l.lines) > keepLines {
			l.lines = l.lines[len(l.lines)-keepLines:]
		}
		l.mu.Unlock()
	}
	io.Copy(io.Discard, r)
}

func (l *logTail) tail() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return strings.Join(l.lines, "\n")
}

func (l *logTail) errorLines() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.errors
}

// waitNoProcesses waits up to d for every process carrying mark in its
// environment to be gone (zombies count as gone: they hold nothing), and
// returns those left: "pid cmdline".
func waitNoProcesses(mark string, d time.Duration) []string {
	want := []byte(markEnv + "=" + mark + "\x00")
	deadline := time.Now().Add(d)
	for {
		var left []string
		dirs, _ := filepath.Glob("/proc/[0-9]*")
		for _, dir := range dirs {
			env, err := os.ReadFile(filepath.Join(dir, "environ"))
			if err != nil || !bytes.Contains(env, want) {
				continue
			}
			stat, _ := os.ReadFile(filepath.Join(dir, "stat"))
			if i := bytes.LastIndexByte(stat, ')'); i > 0 && i+2 < len(stat) && stat[i+2] == 'Z' {
				continue
			}
			cmdline, _ := os.ReadFile(filepath.Join(dir, "cmdline"))
			left = append(left, filepath.Base(dir)+" "+strings.ReplaceAll(string(cmdline), "\x00", " "))
		}
		if len(left) == 0 || time.Now().After(deadline) {
			return left
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func randHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
