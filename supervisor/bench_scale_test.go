//go:build linux

package supervisor

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"slices"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/sprites-mcp/sprites-mcp/client"
)

// The scale benchmarks run the runtime alone in a child process (the test
// binary as a host, see TestMain), so that its CPU time and resident memory
// are the runtime's and nothing else's, and drive it over its socket the way
// the shared harness's api mode does: N services of `sleep 3600` in chains
// 10 deep, created by N sequential `PUT ?duration=0` calls, every chain's
// head first, then every chain's second service, and so on.
//
//	go test -run '^$' -bench Scale -benchtime 3x ./supervisor
//
// SUPERVISOR_BENCH_PROFILE=<dir> makes each host write profiles of its
// runtime into <dir> (pprof merges several): cpu-up-<pid>.pprof until all
// are up (BenchmarkScale says so with SIGUSR1), cpu-stop-<pid>.pprof from
// then on, and allocs-, block- and mutex-<pid>.pprof of the whole run when
// it exits.

const (
	profileEnv = "SUPERVISOR_BENCH_PROFILE"
	scaleDepth = 10
)

// startProfiles starts the host's profiles when profileEnv asks for them;
// the returned function writes them.
func startProfiles() func() {
	dir := os.Getenv(profileEnv)
	if dir == "" {
		return func() {}
	}
	var mu sync.Mutex
	var cpu *os.File
	phase := func(name string) { // ends the running CPU profile, starts the next
		mu.Lock()
		defer mu.Unlock()
		if cpu != nil {
			pprof.StopCPUProfile()
			cpu.Close()
			cpu = nil
		}
		if name == "" {
			return
		}
		f, err := os.Create(filepath.Join(dir, fmt.Sprintf("cpu-%s-%d.pprof", name, os.Getpid())))
		if err == nil && pprof.StartCPUProfile(f) == nil {
			cpu = f
		}
	}
	phase("up")
	runtime.SetBlockProfileRate(int(10 * time.Microsecond))
	runtime.SetMutexProfileFraction(5)
	usr1 := make(chan os.Signal, 1)
	signal.Notify(usr1, syscall.SIGUSR1)
	go func() {
		<-usr1
		phase("stop")
	}()
	return func() {
		phase("")
		for _, name := range []string{"block", "mutex", "allocs"} {
			if f, err := os.Create(filepath.Join(dir, fmt.Sprintf("%s-%d.pprof", name, os.Getpid()))); err == nil {
				_ = pprof.Lookup(name).WriteTo(f, 0)
				f.Close()
			}
		}
	}
}

// scaleLayout names the services in creation order with their need.
func scaleLayout(n int) (names, needs []string) {
	chains := (n + scaleDepth - 1) / scaleDepth
	for lvl := 0; lvl < scaleDepth; lvl++ {
		for c := 0; c < chains; c++ {
			if c*scaleDepth+lvl >= n {
				continue
			}
			names = append(names, fmt.Sprintf("c%03d-%02d", c, lvl))
			need := ""
			if lvl > 0 {
				need = fmt.Sprintf("c%03d-%02d", c, lvl-1)
			}
			needs = append(needs, need)
		}
	}
	return names, needs
}

type scaleRun struct {
	up, upCPU, stop, stopCPU time.Duration
	rssMiB                   float64
	threads                  int
}

// scaleOnce runs one round against a fresh host: create all, wait for all
// running (checking the order), read RSS and CPU, then stop all with the
// stop calls 64 at a time and wait until no service process is left.
func scaleOnce(b *testing.B, n int) scaleRun {
	dir, err := os.MkdirTemp("", "sv")
	if err != nil {
		b.Fatal(err)
	}
	defer os.RemoveAll(dir)
	host, c := startHostB(b, dir)
	defer func() {
		_ = host.Process.Signal(os.Interrupt)
		_ = host.Wait()
	}()
	ctx := context.Background()
	mark := newMark()
	names, needs := scaleLayout(n)
	var out scaleRun

	cpu0 := cpuTicks(b, host)
	begin := time.Now()
	for i, name := range names {
		req := client.ServiceRequest{Cmd: "sleep", Args: []string{"3600"}, Env: map[string]string{markEnv: mark}}
		if needs[i] != "" {
			req.Needs = []string{needs[i]}
		}
		st, err := c.Put(ctx, "local", name, req, 0)
		drainStream(b, st, err)
	}
	list := waitAllRunning(b, c, n)
	out.up = time.Since(begin)
	out.upCPU = time.Duration(cpuTicks(b, host)-cpu0) * 10 * time.Millisecond
	out.rssMiB = float64(procStatusKB(b, host, "VmRSS:")) / 1024
	out.threads = procStatusKB(b, host, "Threads:")
	if os.Getenv(profileEnv) != "" {
		_ = host.Process.Signal(syscall.SIGUSR1) // the start-up's profile ends, the stop's begins
	}
	byName := map[string]client.Service{}
	for _, s := range list {
		byName[s.Name] = s
	}
	for _, s := range list {
		for _, need := range s.Needs {
			if !byName[need].State.StartedAt.Before(s.State.StartedAt) {
				b.Fatalf("%s started before its need %s", s.Name, need)
			}
		}
	}

	cpu0 = cpuTicks(b, host)
	begin = time.Now()
	var wg sync.WaitGroup
	sem := make(chan struct{}, 64) // as many calls in flight as a busy client has
	for _, name := range slices.Backward(names) {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			st, err := c.Stop(ctx, "local", name, 5*time.Second)
			drainStream(b, st, err)
		}()
	}
	wg.Wait()
	for len(markedProcesses(mark)) > 0 {
		if time.Since(begin) > time.Minute {
			b.Fatalf("%d processes still run a minute after the stops", len(markedProcesses(mark)))
		}
		time.Sleep(2 * time.Millisecond)
	}
	out.stop = time.Since(begin)
	out.stopCPU = time.Duration(cpuTicks(b, host)-cpu0) * 10 * time.Millisecond
	return out
}

// BenchmarkScale: time and server CPU until N services run, resident
// memory with N running, CPU per service, and the time to stop all.
func BenchmarkScale(b *testing.B) {
	for _, n := range []int{50, 200, 1000} {
		b.Run("N="+strconv.Itoa(n), func(b *testing.B) {
			var runs []scaleRun
			for i := 0; i < b.N; i++ {
				runs = append(runs, scaleOnce(b, n))
			}
			med := func(f func(scaleRun) float64) (float64, float64) {
				v := make([]float64, len(runs))
				for i, r := range runs {
					v[i] = f(r)
				}
				slices.Sort(v)
				return v[len(v)/2], v[len(v)-1]
			}
			up, _ := med(func(r scaleRun) float64 { return r.up.Seconds() })
			cpu, _ := med(func(r scaleRun) float64 { return r.upCPU.Seconds() })
			stop, stopMax := med(func(r scaleRun) float64 { return r.stop.Seconds() })
			rss, _ := med(func(r scaleRun) float64 { return r.rssMiB })
			threads, _ := med(func(r scaleRun) float64 { return float64(r.threads) })
			b.ReportMetric(up, "s/up")
			b.ReportMetric(cpu, "cpu-s/up")
			b.ReportMetric(cpu*1000/float64(n), "cpu-ms/svc")
			b.ReportMetric(stop, "s/stop-all")
			b.ReportMetric(stopMax, "s/max-stop-all")
			stopCPU, _ := med(func(r scaleRun) float64 { return r.stopCPU.Seconds() })
			b.ReportMetric(stopCPU*1000/float64(n), "cpu-ms/stop")
			b.ReportMetric(rss, "MiB-RSS")
			b.ReportMetric(threads, "threads")
			b.ReportMetric(0, "ns/op")
		})
	}
}

// BenchmarkIdle200 counts the runtime's CPU ticks over 10 s with 200
// services running and nothing happening: it should be none. The 3 s
// before, while the runtime settles after the 200 creations, are counted
// apart. Each figure is the most of any round, and idle-runs-with-ticks
// says in how many rounds the idle 10 s cost anything.
func BenchmarkIdle200(b *testing.B) {
	var settling, idle, busyRounds int
	for i := 0; i < b.N; i++ {
		dir, err := os.MkdirTemp("", "sv")
		if err != nil {
			b.Fatal(err)
		}
		host, c := startHostB(b, dir)
		mark := newMark()
		names, needs := scaleLayout(200)
		for j, name := range names {
			req := client.ServiceRequest{Cmd: "sleep", Args: []string{"3600"}, Env: map[string]string{markEnv: mark}}
			if needs[j] != "" {
				req.Needs = []string{needs[j]}
			}
			st, err := c.Put(context.Background(), "local", name, req, 0)
			drainStream(b, st, err)
		}
		// The first seconds are not idle yet: the state file is written
		// 200 ms after the last change, and the escape scan takes its first
		// look at the new runs escapeScanEvery after they started. They are
		// counted apart; idle is the 10 s after.
		time.Sleep(time.Second)
		t0 := cpuTicks(b, host)
		time.Sleep(escapeScanEvery + time.Second)
		t1 := cpuTicks(b, host)
		time.Sleep(10 * time.Second)
		t2 := cpuTicks(b, host)
		settling, idle = max(settling, t1-t0), max(idle, t2-t1)
		if t2 > t1 {
			busyRounds++
		}
		_ = host.Process.Signal(os.Interrupt)
		_ = host.Wait()
		os.RemoveAll(dir)
		if left := markedProcesses(mark); len(left) > 0 {
			b.Errorf("processes left: %v", left)
		}
	}
	b.ReportMetric(float64(settling), "max-ticks-settling")
	b.ReportMetric(float64(idle), "max-ticks/10s-idle")
	b.ReportMetric(float64(busyRounds)/float64(b.N), "idle-runs-with-ticks")
	b.ReportMetric(0, "ns/op")
}
