package client

import (
	"bufio"
	"context"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"
)

// writeBenchLog writes n runtime lines of about 70 bytes to path.
func writeBenchLog(b testing.TB, path string, n int) int64 {
	b.Helper()
	f, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	w := bufio.NewWriterSize(f, 1<<20)
	for i := range n {
		at := logStamp.Add(time.Duration(i) * time.Millisecond)
		w.WriteString(diskLine(at, EventStdout, "GET /healthz 200 0.3ms req="+strconv.Itoa(i)))
	}
	if err := w.Flush(); err != nil {
		b.Fatal(err)
	}
	fi, _ := f.Stat()
	f.Close()
	return fi.Size()
}

// benchSocket is spriteSocket for benchmarks.
func benchSocket(b *testing.B) (*Client, string) {
	b.Helper()
	f := newFakeAPI(b, PathSocket)
	f.on("logs", nil)
	dir := b.TempDir()
	return f.client(WithLogDir(dir)), dir
}

// BenchmarkLogsFromFileTail reads the last 100 lines of log files of
// growing size through the whole client path (the route's 404 included):
// the cost must not grow with the file.
//
//	go test -run '^$' -bench LogsFromFileTail -benchmem ./client
func BenchmarkLogsFromFileTail(b *testing.B) {
	for _, lines := range []int{10_000, 1_000_000} {
		b.Run(strconv.Itoa(lines)+"lines", func(b *testing.B) {
			c, dir := benchSocket(b)
			size := writeBenchLog(b, filepath.Join(dir, "web.log"), lines)
			b.ReportAllocs()
			b.ResetTimer()
			for range b.N {
				st, err := c.Logs(context.Background(), "", "web", LogsOptions{Lines: 100})
				if err != nil {
					b.Fatal(err)
				}
				n := 0
				for st.Next() {
					n++
				}
				st.Close()
				if n != 101 || st.Err() != nil {
					b.Fatalf("%d events, err %v", n, st.Err())
				}
			}
			b.ReportMetric(float64(size)/(1<<20), "file-MiB")
		})
	}
}

// BenchmarkLogsFromFileAll reads a whole 200 000-line file; events/s is
// the rate lines become events.
//
//	go test -run '^$' -bench LogsFromFileAll -benchmem -cpu 1 ./client
func BenchmarkLogsFromFileAll(b *testing.B) {
	const lines = 200_000
	c, dir := benchSocket(b)
	size := writeBenchLog(b, filepath.Join(dir, "web.log"), lines)
	b.SetBytes(size)
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		st, err := c.Logs(context.Background(), "", "web", LogsOptions{})
		if err != nil {
			b.Fatal(err)
		}
		n := 0
		for st.Next() {
			n++
		}
		st.Close()
		if n != lines+1 || st.Err() != nil {
			b.Fatalf("%d events, err %v", n, st.Err())
		}
	}
	b.ReportMetric(float64(b.N*lines)/b.Elapsed().Seconds(), "events/s")
}

// TestLogsFromFileAllocationsPerEvent pins one allocation per line read
// from a file (its data), as for the NDJSON route.
func TestLogsFromFileAllocationsPerEvent(t *testing.T) {
	f := newFakeAPI(t, PathSocket)
	f.on("logs", nil)
	dir := t.TempDir()
	c := f.client(WithLogDir(dir))
	writeBenchLog(t, filepath.Join(dir, "web.log"), 5_000)
	st, err := c.Logs(context.Background(), "", "web", LogsOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	allocs := testing.AllocsPerRun(4_000, func() {
		if !st.Next() || st.Event().Type != EventStdout {
			t.Fatalf("no line: %v", st.Err())
		}
	})
	if allocs > 1 {
		t.Errorf("%.2f allocations per line read from a file; want 1", allocs)
	}
}
