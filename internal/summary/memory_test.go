package summary

import (
	"fmt"
	"runtime"
	"strings"
	"testing"

	"github.com/sprites-mcp/sprites-mcp/client"
)

// TestMillionLines summarises a 1 000 000-line stream and checks that the
// result is bounded and that memory did not grow with the stream: the
// summariser's allocations over the whole stream (TotalAlloc delta) and
// what it holds afterwards (HeapInuse delta) are a small fixed amount.
// Events come from a prebuilt pool so that the test itself allocates
// nothing per line.
func TestMillionLines(t *testing.T) {
	const lines = 1_000_000
	pool := make([]client.Event, 10_007)
	for i := range pool {
		typ := client.EventStdout
		if i%5 == 0 {
			typ = client.EventStderr
		}
		data := fmt.Sprintf("2026-06-02T17:11:%02d.%03dZ INFO worker %d processed job %d in %dms\n", i%60, i%1000, i%8, i, i%97)
		if i == 5003 {
			data = "ERROR job 5003 failed: upstream timed out\n"
		}
		pool[i] = client.Event{Type: typ, Data: data}
	}

	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)

	s := New(Config{})
	s.Add(client.Event{Type: client.EventStarted})
	var bytes int64
	for i := 0; i < lines; i++ {
		ev := pool[i%len(pool)]
		bytes += int64(len(ev.Data))
		s.Add(ev)
	}
	s.Add(client.Event{Type: client.EventComplete, LogFiles: &client.LogFiles{Combined: "/tmp/x.log"}})
	r := s.Result(nil)

	runtime.ReadMemStats(&after)
	allocated := after.TotalAlloc - before.TotalAlloc
	runtime.GC()
	runtime.ReadMemStats(&after)
	held := int64(after.HeapInuse) - int64(before.HeapInuse)
	runtime.KeepAlive(s)
	runtime.KeepAlive(pool)

	checkInvariants(t, r, DefaultMaxChars)
	if r.LinesSeen != lines || r.BytesSeen != bytes {
		t.Fatalf("seen %d lines %d bytes, want %d and %d", r.LinesSeen, r.BytesSeen, lines, bytes)
	}
	if r.Omitted < lines-200 || len(r.Lines) > 200 {
		t.Fatalf("the result is not bounded: %d lines shown, %d omitted", len(r.Lines), r.Omitted)
	}
	if findLine(r, "job 5003 failed") < 0 {
		t.Fatalf("error lines from the middle should be kept:\n%s", r.Output())
	}
	t.Logf("1M lines, %d MB: allocated %d KiB in total, %d KiB held after", bytes>>20, allocated>>10, held>>10)
	// The bounds are far below one byte per line: growing with the stream
	// would cost at least 1 000 000 bytes.
	const limit = 768 << 10
	if allocated > limit {
		t.Fatalf("summarising allocated %d KiB, want under %d KiB whatever the stream's length", allocated>>10, limit>>10)
	}
	if held > limit {
		t.Fatalf("the summariser holds %d KiB, want under %d KiB", held>>10, limit>>10)
	}
}

// TestMemoryIsBoundedByConfig compares the summariser's allocations for a
// stream and for the same stream ten times longer: they must not grow.
func TestMemoryIsBoundedByConfig(t *testing.T) {
	line := strings.Repeat("payload ", 12) + "\n"
	ev := client.Event{Type: client.EventStdout, Data: line}
	measure := func(n int) uint64 {
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		s := New(Config{MaxChars: 2000})
		for i := 0; i < n; i++ {
			s.Add(ev)
			s.Add(client.Event{Type: client.EventStderr, Data: line}) // no repeat collapse
		}
		_ = s.Result(nil)
		runtime.ReadMemStats(&after)
		return after.TotalAlloc - before.TotalAlloc
	}
	small, large := measure(20_000), measure(200_000)
	t.Logf("allocated %d KiB for 40k lines, %d KiB for 400k lines", small>>10, large>>10)
	if large > small+64<<10 {
		t.Fatalf("allocation grew with the stream: %d KiB then %d KiB", small>>10, large>>10)
	}
}
