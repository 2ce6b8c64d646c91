//go:build unix

package httpbench

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	mcpclient "github.com/mark3labs/mcp-go/client"
	"github.com/mark3labs/mcp-go/client/transport"
	"github.com/mark3labs/mcp-go/mcp"
)

// Settings, from the environment so that `make bench-http` can pass them:
//
//	HTTPBENCH_POINT  time per server and point (default 5s)
//	HTTPBENCH_CALLS  calls of the memory phase (default 100000)
//	HTTPBENCH_PROFILE a directory for the servers' CPU, allocation, block
//	                 and mutex profiles (default none)
var (
	pointTime = envDuration("HTTPBENCH_POINT", 5*time.Second)
	memCalls  = envInt("HTTPBENCH_CALLS", 100_000)
)

// Bounds: a point never takes more than its time plus the set-up, and
// the memory phase stops at memTimeout whatever its count.
const (
	callTimeout = 30 * time.Second
	memTimeout  = 10 * time.Minute
	warmCalls   = 20 // per client, before a point's clock starts
)

var (
	revisions = []string{mcp.ProtocolVersion20260728, mcp.ProtocolVersion20251125}
	clientsAt = []int{1, 8, 32}
)

// BenchmarkHTTPPath runs sprites-mcp (service_get on the embedded runtime,
// with a bearer token) and a bare mcp-go server (one tool returning a fixed
// string) side by side, each in a process of its own, and drives both with
// mcp-go's streamable HTTP client at 1, 8 and 32 clients under both
// protocol revisions. The bare server has a second tool that returns a
// fixed copy of what sprites-mcp's service_get returns (text, resource link
// and structured content, four times the bytes of the fixed string): the
// ratio to it is what the HTTP path and the tool's work cost, without the
// size of the answer. Each point gives each of the three HTTPBENCH_POINT,
// in halves, in the order bare, same result, ours, ours, same result, bare,
// so that a change of the machine's load during the point weighs on all
// alike. Besides calls/s and latencies, each server's CPU time (from /proc)
// and allocations (from its runtime/metrics, asked by signal) per call
// are reported: on a shared machine they move much less than calls/s. It
// ends with sprites-mcp's resident memory before and after
// HTTPBENCH_CALLS calls, and its peak during the warm-up and during the
// calls (sampled every 100 ms), which shows the bound the garbage
// collector keeps whatever the moment of the last sample.
//
// Run it with -benchtime 1x: each sub-benchmark measures once, whatever
// b.N.
func BenchmarkHTTPPath(b *testing.B) {
	state, err := os.MkdirTemp("", "smcph") // short: the runtime's socket lives in it
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { os.RemoveAll(state) })
	ours := startChild(b, "ours", state)
	bare := startChild(b, "bare", "")
	createService(b, ours)
	rssIdle, err := ours.rssKiB()
	if err != nil {
		b.Fatal(err)
	}

	var rows []string
	for _, rev := range revisions {
		for _, n := range clientsAt {
			b.Run(fmt.Sprintf("proto=%s/clients=%d", rev, n), func(b *testing.B) {
				// Each half point, in an order that weighs a drift of the
				// machine's load on all three alike.
				var bareR, shapedR, oursR result
				for _, step := range []struct {
					srv  *child
					tool string
					into *result
				}{
					{bare, "service_get", &bareR}, {bare, "service_get_shaped", &shapedR}, {ours, "service_get", &oursR},
					{ours, "service_get", &oursR}, {bare, "service_get_shaped", &shapedR}, {bare, "service_get", &bareR},
				} {
					step.into.add(drive(b, step.srv, step.tool, rev, n, pointTime/2))
				}
				ratio := oursR.rate() / bareR.rate()
				b.ReportMetric(oursR.rate(), "calls/s")
				b.ReportMetric(bareR.rate(), "bare-calls/s")
				b.ReportMetric(ratio, "ratio")
				b.ReportMetric(oursR.rate()/shapedR.rate(), "ratio-same-result")
				b.ReportMetric(oursR.pct(0.50), "p50-µs")
				b.ReportMetric(oursR.pct(0.99), "p99-µs")
				b.ReportMetric(float64(oursR.errors+bareR.errors+shapedR.errors), "errors")
				cpuRatio := 0.0
				if oursR.cpuPerCall() > 0 {
					cpuRatio = bareR.cpuPerCall() / oursR.cpuPerCall()
					b.ReportMetric(oursR.cpuPerCall(), "cpu-µs/call")
					b.ReportMetric(bareR.cpuPerCall(), "bare-cpu-µs/call")
				}
				if bytes, objects := oursR.allocsPerCall(); objects > 0 {
					b.ReportMetric(bytes, "B/call")
					b.ReportMetric(objects, "allocs/call")
					bytes, objects = bareR.allocsPerCall()
					b.ReportMetric(bytes, "bare-B/call")
					b.ReportMetric(objects, "bare-allocs/call")
				}
				rows = append(rows, fmt.Sprintf("| %d | %s | %s | %s | %s | **%.2f** | %.2f | %.2f | %d / %d / %d |",
					n, rev, bareR.summary(), shapedR.summary(), oursR.summary(), ratio, oursR.rate()/shapedR.rate(), cpuRatio,
					bareR.errors, shapedR.errors, oursR.errors))
			})
		}
	}

	var memRow string
	b.Run("memory", func(b *testing.B) {
		before, after, peakWarm, peak, calls, errs := memory(b, ours)
		b.ReportMetric(float64(before)/1024, "rss-before-MiB")
		b.ReportMetric(float64(after)/1024, "rss-after-MiB")
		b.ReportMetric(float64(peak)/1024, "rss-peak-MiB")
		b.ReportMetric(float64(errs), "errors")
		memRow = fmt.Sprintf("resident memory of sprites-mcp: %.1f MiB idle, %.1f MiB after a warm-up of %d calls (peak %.1f), %.1f MiB after %d more calls (%+.1f MiB; peak %.1f); %d errors",
			float64(rssIdle)/1024, float64(before)/1024, memWarmCalls, float64(peakWarm)/1024, float64(after)/1024, calls,
			float64(after-before)/1024, float64(peak)/1024, errs)
	})

	load, _ := os.ReadFile("/proc/loadavg")
	fmt.Printf("\nHTTP path: %s per server and point (HTTPBENCH_POINT), load average %s\n",
		pointTime, strings.Join(strings.Fields(string(load))[:min(3, len(strings.Fields(string(load))))], " "))
	fmt.Println("| clients | protocol | bare mcp-go, fixed string | bare mcp-go, sprites-mcp's result | sprites-mcp | ratio | ratio to the same result | server CPU per call, bare / ours | errors (bare / same result / ours) |")
	fmt.Println("|---|---|---|---|---|---|---|---|---|")
	for _, r := range rows {
		fmt.Println(r)
	}
	fmt.Println(memRow)
}

// result is what a server did over one or more runs of a point.
type result struct {
	calls   int
	errors  int
	elapsed time.Duration
	cpu     time.Duration // the server's CPU time; 0 where unknown
	load    time.Duration // the load generator's (this process's) CPU time
	lat     []time.Duration
	// What the server allocated (runtime/metrics); 0 where unknown.
	allocBytes, allocObjects uint64
}

func (r *result) add(o result) {
	r.calls += o.calls
	r.errors += o.errors
	r.elapsed += o.elapsed
	r.cpu += o.cpu
	r.load += o.load
	r.lat = append(r.lat, o.lat...)
	r.allocBytes += o.allocBytes
	r.allocObjects += o.allocObjects
}

// allocsPerCall is what the server allocated per call: bytes and objects.
func (r *result) allocsPerCall() (bytes, objects float64) {
	if r.calls == 0 {
		return 0, 0
	}
	return float64(r.allocBytes) / float64(r.calls), float64(r.allocObjects) / float64(r.calls)
}

// cpuPerCall is the server's CPU time per call in µs, 0 where unknown.
func (r *result) cpuPerCall() float64 { return perCall(r.cpu, r.calls) }

func perCall(d time.Duration, calls int) float64 {
	if calls == 0 {
		return 0
	}
	return float64(d.Microseconds()) / float64(calls)
}

func (r *result) rate() float64 { return float64(r.calls) / r.elapsed.Seconds() }

// pct is the latency at quantile q, in µs.
func (r *result) pct(q float64) float64 {
	if len(r.lat) == 0 {
		return 0
	}
	slices.Sort(r.lat)
	return float64(r.lat[int(q*float64(len(r.lat)-1))].Microseconds())
}

func (r *result) summary() string {
	bytes, objects := r.allocsPerCall()
	return fmt.Sprintf("%.0f calls/s, p50 %.0f µs, p99 %.0f µs, CPU/call %.0f µs (client %.0f µs), %.1f KB in %.0f allocations/call",
		r.rate(), r.pct(0.50), r.pct(0.99), r.cpuPerCall(), perCall(r.load, r.calls), bytes/1024, objects)
}

// session is one MCP client with an HTTP connection pool of its own, as
// each agent has.
type session struct {
	c  *mcpclient.Client
	hc *http.Client
}

// connect opens a session on srv with protocol revision rev.
func connect(b *testing.B, srv *child, rev string) *session {
	b.Helper()
	// Both servers get the same client, token included (the bare server
	// ignores it), so the load generator costs the same for each.
	hc := &http.Client{Transport: bearerTransport{token: benchToken,
		next: &http.Transport{MaxIdleConnsPerHost: 8, IdleConnTimeout: time.Minute}}}
	c, err := mcpclient.NewStreamableHttpClient(srv.url, transport.WithHTTPBasicClient(hc))
	if err != nil {
		b.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), callTimeout)
	defer cancel()
	if err := c.Start(ctx); err != nil {
		b.Fatalf("%s: start: %v", srv.role, err)
	}
	init := mcp.InitializeRequest{}
	init.Params.ProtocolVersion = rev
	init.Params.ClientInfo = mcp.Implementation{Name: "httpbench", Version: "1"}
	res, err := c.Initialize(ctx, init)
	if err != nil {
		b.Fatalf("%s: initialize %s: %v", srv.role, rev, err)
	}
	if res.ProtocolVersion != rev {
		b.Fatalf("%s: negotiated %s, want %s", srv.role, res.ProtocolVersion, rev)
	}
	return &session{c: c, hc: hc}
}

// bearerTransport sends the token with every request. mcp-go's
// WithHTTPHeaders would leave it off the DELETE that ends a 2025-11-25
// session, which a server with authentication refuses, keeping the
// session.
type bearerTransport struct {
	token string
	next  http.RoundTripper
}

func (t bearerTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set("Authorization", "Bearer "+t.token)
	return t.next.RoundTrip(r)
}

func (s *session) close() {
	s.c.Close()
	s.hc.CloseIdleConnections()
}

// get is the call measured: tool (service_get, or the bare server's
// service_get_shaped) on the service createService made.
func (s *session) get(tool string) error {
	ctx, cancel := context.WithTimeout(context.Background(), callTimeout)
	defer cancel()
	req := mcp.CallToolRequest{}
	req.Params.Name = tool
	req.Params.Arguments = map[string]any{"service_name": "web"}
	res, err := s.c.CallTool(ctx, req)
	if err != nil {
		return err
	}
	if res.IsError || len(res.Content) == 0 {
		return fmt.Errorf("tool error: %+v", res.Content)
	}
	if t, ok := res.Content[0].(mcp.TextContent); !ok || !strings.Contains(t.Text, "running") {
		return fmt.Errorf("not a running service: %+v", res.Content[0])
	}
	return nil
}

// createService gives sprites-mcp the service that service_get reads.
func createService(b *testing.B, srv *child) {
	b.Helper()
	s := connect(b, srv, mcp.ProtocolVersion20251125)
	defer s.close()
	ctx, cancel := context.WithTimeout(context.Background(), callTimeout)
	defer cancel()
	req := mcp.CallToolRequest{}
	req.Params.Name = "service_create"
	req.Params.Arguments = map[string]any{"service_name": "web", "cmd": "sleep", "args": []string{"3600"}, "duration": "0"}
	res, err := s.c.CallTool(ctx, req)
	if err != nil || res.IsError {
		b.Fatalf("service_create: %v %+v", err, res)
	}
	// duration 0 answers before the exec: the service runs a moment later.
	for begin := time.Now(); ; time.Sleep(10 * time.Millisecond) {
		err := s.get("service_get")
		if err == nil {
			return
		}
		if time.Since(begin) > 15*time.Second {
			b.Fatalf("service_get after create: %v", err)
		}
	}
}

// drive runs n clients of srv calling tool for d, after a warm-up.
func drive(b *testing.B, srv *child, tool, rev string, n int, d time.Duration) result {
	b.Helper()
	sessions := make([]*session, n)
	for i := range sessions {
		sessions[i] = connect(b, srv, rev)
		defer sessions[i].close()
	}
	var wg sync.WaitGroup
	for _, s := range sessions {
		wg.Go(func() {
			for range warmCalls {
				s.get(tool)
			}
		})
	}
	wg.Wait()

	lats := make([][]time.Duration, n)
	errs := make([]int, n)
	var firstErr atomic.Value
	allocs0, allocsOK := srv.allocated()
	cpu0, cpuOK := srv.cpuTime()
	load0, _ := processCPU(os.Getpid())
	start := time.Now()
	deadline := start.Add(d)
	for i, s := range sessions {
		wg.Go(func() {
			lat := make([]time.Duration, 0, 4096)
			for {
				t0 := time.Now()
				if t0.After(deadline) {
					break
				}
				if err := s.get(tool); err != nil {
					errs[i]++
					firstErr.CompareAndSwap(nil, err.Error())
					continue
				}
				lat = append(lat, time.Since(t0))
			}
			lats[i] = lat
		})
	}
	wg.Wait()
	r := result{elapsed: time.Since(start)}
	if cpu1, ok := srv.cpuTime(); ok && cpuOK {
		r.cpu = cpu1 - cpu0
		load1, _ := processCPU(os.Getpid())
		r.load = load1 - load0
	}
	if allocs1, ok := srv.allocated(); ok && allocsOK {
		r.allocBytes, r.allocObjects = allocs1.bytes-allocs0.bytes, allocs1.objects-allocs0.objects
	}
	for i := range lats {
		r.calls += len(lats[i])
		r.errors += errs[i]
		r.lat = append(r.lat, lats[i]...)
	}
	if e := firstErr.Load(); e != nil {
		b.Logf("%s %s, %s, %d clients: %d errors, the first: %s", srv.role, tool, rev, n, r.errors, e)
	}
	return r
}

// memWarmCalls are made before the memory phase's first reading, so that
// pools and caches that fill once are not counted as growth.
const memWarmCalls = 10_000

// memory reads srv's resident memory after a warm-up and after memCalls
// more calls by 8 clients, 4 on each protocol revision.
func memory(b *testing.B, srv *child) (before, after, peakWarm, peak, calls, errs int) {
	b.Helper()
	var sessions []*session
	for i := range 8 {
		s := connect(b, srv, revisions[i%len(revisions)])
		defer s.close()
		sessions = append(sessions, s)
	}
	// run makes total calls; peak is the highest resident memory sampled
	// meanwhile (every 100 ms): the heap grows and shrinks with each
	// collection, so one sample at the end can land anywhere in between.
	run := func(total int, deadline time.Time) (made, failed, peak int) {
		var left, done, bad atomic.Int64
		left.Store(int64(total))
		var wg sync.WaitGroup
		for _, s := range sessions {
			wg.Go(func() {
				for left.Add(-1) >= 0 && time.Now().Before(deadline) {
					done.Add(1)
					if s.get("service_get") != nil {
						bad.Add(1)
					}
				}
			})
		}
		stop := make(chan struct{})
		sampled := make(chan int)
		go func() {
			peak := 0
			tick := time.NewTicker(100 * time.Millisecond)
			defer tick.Stop()
			for {
				if rss, err := srv.rssKiB(); err == nil {
					peak = max(peak, rss)
				}
				select {
				case <-stop:
					sampled <- peak
					return
				case <-tick.C:
				}
			}
		}()
		wg.Wait()
		close(stop)
		return int(done.Load()), int(bad.Load()), <-sampled
	}
	deadline := time.Now().Add(memTimeout)
	_, _, peakWarm = run(memWarmCalls, deadline)
	before, err := srv.rssKiB()
	if err != nil {
		b.Fatal(err)
	}
	calls, errs, peak = run(memCalls, deadline)
	if calls < memCalls {
		b.Logf("memory: stopped after %d of %d calls at the %s bound", calls, memCalls, memTimeout)
	}
	after, err = srv.rssKiB()
	if err != nil {
		b.Fatal(err)
	}
	return before, after, peakWarm, peak, calls, errs
}

func envDuration(name string, def time.Duration) time.Duration {
	if v := os.Getenv(name); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d <= 0 || d > 10*time.Minute {
			panic(fmt.Sprintf("%s=%q: want a duration up to 10m, like 5s", name, v))
		}
		return d
	}
	return def
}

func envInt(name string, def int) int {
	if v := os.Getenv(name); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 || n > 10_000_000 {
			panic(fmt.Sprintf("%s=%q: want a count up to 10 000 000", name, v))
		}
		return n
	}
	return def
}
