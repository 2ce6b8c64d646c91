//go:build linux

package supervisor

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/sprites-mcp/sprites-mcp/client"
)

// benchHarness is startHarness for benchmarks.
func benchHarness(b *testing.B) (*Runtime, *client.Client, string, func()) {
	b.Helper()
	dir, err := os.MkdirTemp("", "sv")
	if err != nil {
		b.Fatal(err)
	}
	rt, err := New(Config{StateDir: dir, Logger: quietLogger()})
	if err != nil {
		b.Fatal(err)
	}
	ln, err := rt.listen()
	if err != nil {
		b.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	go rt.serveOn(ctx, ln)
	c, err := client.New("unix://"+rt.SocketPath(), client.WithPathStyle(client.PathSprites), client.WithLogger(quietLogger()))
	if err != nil {
		b.Fatal(err)
	}
	mark := newMark()
	return rt, c, mark, func() {
		sctx, scancel := context.WithTimeout(context.Background(), 60*time.Second)
		defer scancel()
		if err := rt.Shutdown(sctx); err != nil {
			b.Error(err)
		}
		cancel()
		os.RemoveAll(dir)
		if left := markedProcesses(mark); len(left) > 0 {
			b.Errorf("processes left: %v", left)
		}
	}
}

func drainStream(b *testing.B, st *client.Stream, err error) {
	if err != nil {
		b.Error(err)
		return
	}
	for st.Next() {
		if e := st.Event(); e.Type == client.EventError || e.Type == client.EventExit {
			b.Errorf("event %+v", e)
		}
	}
	if st.Err() != nil {
		b.Error(st.Err())
	}
	st.Close()
}

// chains defines 200 services as 20 chains 10 deep (c<chain>-<depth>, each
// needing the one above it), each `sleep 3600`, with duration=0, level by
// level (a service cannot be defined before its need), the 20 of a level
// at once, and returns once all 200 run. With duration 0 each PUT answers
// before its exec, so it then polls the list every 10 ms, as the shared
// harness does.
func chains(b *testing.B, c *client.Client, mark string) {
	const width, depth = 20, 10
	for d := 0; d < depth; d++ {
		var wg sync.WaitGroup
		for ch := 0; ch < width; ch++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				req := client.ServiceRequest{Cmd: "sleep", Args: []string{"3600"}, Env: map[string]string{markEnv: mark}}
				if d > 0 {
					req.Needs = []string{fmt.Sprintf("c%d-%d", ch, d-1)}
				}
				st, err := c.Put(context.Background(), "local", fmt.Sprintf("c%d-%d", ch, d), req, 0)
				drainStream(b, st, err)
			}()
		}
		wg.Wait()
	}
	waitAllRunning(b, c, width*depth)
}

// waitAllRunning polls the list every 10 ms, as the shared harness does,
// until n services run, and returns the list that showed them.
func waitAllRunning(b *testing.B, c *client.Client, n int) []client.Service {
	for begin := time.Now(); ; time.Sleep(10 * time.Millisecond) {
		list, err := c.List(context.Background(), "local")
		if err != nil {
			b.Fatal(err)
		}
		running := 0
		for _, s := range list {
			if s.State.Status == client.StatusRunning {
				running++
			}
		}
		if running == n {
			return list
		}
		if time.Since(begin) > 2*time.Minute {
			b.Fatalf("%d of %d running after 2 minutes", running, n)
		}
	}
}

// checkAllRunningInOrder asserts all 200 run and no dependent was launched
// before its need.
func checkAllRunningInOrder(b *testing.B, c *client.Client) {
	list, err := c.List(context.Background(), "local")
	if err != nil {
		b.Fatal(err)
	}
	byName := map[string]client.Service{}
	for _, s := range list {
		byName[s.Name] = s
	}
	if len(list) != 200 {
		b.Fatalf("%d services", len(list))
	}
	for _, s := range list {
		if s.State.Status != client.StatusRunning {
			b.Fatalf("%s is %s", s.Name, s.State.Status)
		}
		for _, n := range s.Needs {
			if !byName[n].State.StartedAt.Before(s.State.StartedAt) {
				b.Fatalf("%s started before its need %s", s.Name, n)
			}
		}
	}
}

func stopAll(b *testing.B, c *client.Client) {
	var wg sync.WaitGroup
	for ch := 0; ch < 20; ch++ {
		for d := 0; d < 10; d++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				st, err := c.Stop(context.Background(), "local", fmt.Sprintf("c%d-%d", ch, d), 5*time.Second)
				drainStream(b, st, err)
			}()
		}
	}
	wg.Wait()
}

// BenchmarkStart200Chains: time from the first request until all 200 run.
func BenchmarkStart200Chains(b *testing.B) {
	var total time.Duration
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		rt, c, mark, done := benchHarness(b)
		_ = rt
		b.StartTimer()
		begin := time.Now()
		chains(b, c, mark)
		total += time.Since(begin)
		b.StopTimer()
		checkAllRunningInOrder(b, c)
		done()
		b.StartTimer()
	}
	b.ReportMetric(total.Seconds()/float64(b.N), "s/all-running")
}

// BenchmarkStop200: stop all 200 at once; reports median and max.
func BenchmarkStop200(b *testing.B) {
	var took []time.Duration
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		_, c, mark, done := benchHarness(b)
		chains(b, c, mark)
		b.StartTimer()
		begin := time.Now()
		stopAll(b, c)
		took = append(took, time.Since(begin))
		b.StopTimer()
		if left := markedProcesses(mark); len(left) > 0 {
			b.Fatalf("stopped, yet %d processes run", len(left))
		}
		done()
		b.StartTimer()
	}
	slices.Sort(took)
	b.ReportMetric(took[len(took)/2].Seconds(), "s/median-stop-all")
	b.ReportMetric(took[len(took)-1].Seconds(), "s/max-stop-all")
}

// BenchmarkRSS50 runs the runtime alone in a child process with 50
// services and reports its resident memory and its CPU use while idle.
func BenchmarkRSS50(b *testing.B) {
	for i := 0; i < b.N; i++ {
		dir, err := os.MkdirTemp("", "sv")
		if err != nil {
			b.Fatal(err)
		}
		host, c := startHostB(b, dir)
		mark := newMark()
		for n := 0; n < 50; n++ {
			req := client.ServiceRequest{Cmd: "sleep", Args: []string{"3600"}, Env: map[string]string{markEnv: mark}}
			st, err := c.Put(context.Background(), "local", "s"+strconv.Itoa(n), req, 0)
			drainStream(b, st, err)
		}
		time.Sleep(time.Second) // let the heap settle
		rss := procStatusKB(b, host, "VmRSS:")
		t0 := cpuTicks(b, host)
		time.Sleep(3 * time.Second)
		idle := cpuTicks(b, host) - t0
		b.ReportMetric(float64(rss)/1024, "MiB-RSS")
		b.ReportMetric(float64(idle)/100/3*100, "%CPU-idle") // ticks are 1/100 s
		_ = host.Process.Signal(os.Interrupt)
		_ = host.Wait()
		os.RemoveAll(dir)
		if left := markedProcesses(mark); len(left) > 0 {
			b.Errorf("processes left: %v", left)
		}
	}
}

// startHostB runs the runtime alone in a child process on dir, and returns
// it with a client on its socket.
func startHostB(b *testing.B, dir string) (*hostProc, *client.Client) {
	b.Helper()
	h, err := spawnHost(dir)
	if err != nil {
		b.Fatal(err)
	}
	c, err := client.New("unix://"+filepath.Join(dir, "api.sock"), client.WithPathStyle(client.PathSprites), client.WithLogger(quietLogger()))
	if err != nil {
		b.Fatal(err)
	}
	return h, c
}

func procStatusKB(b *testing.B, h *hostProc, key string) int {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", h.Process.Pid))
	if err != nil {
		b.Fatal(err)
	}
	for _, line := range bytes.Split(data, []byte("\n")) {
		if f := bytes.Fields(line); len(f) >= 2 && string(f[0]) == key {
			n, _ := strconv.Atoi(string(f[1]))
			return n
		}
	}
	b.Fatalf("no %s in status", key)
	return 0
}

func cpuTicks(b *testing.B, h *hostProc) int {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", h.Process.Pid))
	if err != nil {
		b.Fatal(err)
	}
	f := bytes.Fields(data[bytes.LastIndexByte(data, ')')+1:])
	ut, _ := strconv.Atoi(string(f[11])) // field 14
	st, _ := strconv.Atoi(string(f[12])) // field 15
	return ut + st
}

// BenchmarkOps measures one operation through the client over the socket.
func BenchmarkOps(b *testing.B) {
	rt, c, mark, done := benchHarness(b)
	defer done()
	_ = rt
	ctx := context.Background()
	for n := 0; n < 10; n++ {
		req := client.ServiceRequest{Cmd: "sleep", Args: []string{"3600"}, Env: map[string]string{markEnv: mark}}
		st, err := c.Put(ctx, "local", "s"+strconv.Itoa(n), req, 0)
		drainStream(b, st, err)
	}
	b.Run("list10", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			if _, err := c.List(ctx, "local"); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("get", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			if _, err := c.Get(ctx, "local", "s0"); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("stop", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			b.StopTimer()
			st, err := c.Start(ctx, "local", "s1", 0)
			drainStream(b, st, err)
			b.StartTimer()
			st, err = c.Stop(ctx, "local", "s1", 5*time.Second)
			drainStream(b, st, err)
		}
	})
	b.Run("start", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			b.StopTimer()
			if s, _ := c.Get(ctx, "local", "s2"); s.State.Status == client.StatusRunning {
				st, err := c.Stop(ctx, "local", "s2", 5*time.Second)
				drainStream(b, st, err)
			}
			b.StartTimer()
			st, err := c.Start(ctx, "local", "s2", 0)
			drainStream(b, st, err)
		}
	})
}

// BenchmarkBaselineFork200 is the floor for BenchmarkStart200Chains and
// BenchmarkStop200 on the machine at hand: 200 bare fork/execs of `sleep`
// in a loop, then SIGTERM to all and wait for all, no runtime; then 200
// more, each ended by SIGTERM and waited for before the next, the floor of
// a client stopping services one call at a time (each answered once its
// process is gone), before any HTTP. Compare the figures of one run with
// each other, not with another machine.
func BenchmarkBaselineFork200(b *testing.B) {
	start200 := func() []*os.Process {
		var procs []*os.Process
		for n := 0; n < 200; n++ {
			p, err := os.StartProcess("/bin/sleep", []string{"sleep", "3600"}, &os.ProcAttr{})
			if err != nil {
				b.Fatal(err)
			}
			procs = append(procs, p)
		}
		return procs
	}
	var total, kill, oneByOne time.Duration
	for i := 0; i < b.N; i++ {
		begin := time.Now()
		procs := start200()
		total += time.Since(begin)
		begin = time.Now()
		for _, p := range procs {
			_ = p.Signal(syscall.SIGTERM)
		}
		for _, p := range procs {
			_, _ = p.Wait()
		}
		kill += time.Since(begin)
		procs = start200()
		begin = time.Now()
		for _, p := range procs {
			_ = p.Signal(syscall.SIGTERM)
			_, _ = p.Wait()
		}
		oneByOne += time.Since(begin)
	}
	b.ReportMetric(total.Seconds()/float64(b.N), "s/200-forks")
	b.ReportMetric(kill.Seconds()/float64(b.N), "s/200-term-and-wait")
	b.ReportMetric(oneByOne.Seconds()/float64(b.N), "s/200-term-and-wait-one-by-one")
}
