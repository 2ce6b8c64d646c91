package summary

import (
	"fmt"
	"runtime"
	"runtime/metrics"
	"strconv"
	"strings"
	"testing"

	"github.com/sprites-mcp/sprites-mcp/client"
)

// Run with one core, as the targets are stated:
//
//	go test -run '^$' -bench . -benchmem -cpu 1 ./internal/summary
//
// BenchmarkAdd reports events/s for typical log lines (target ≥ 1 000 000
// on one core); BenchmarkGigabyteStream reports the peak heap while
// summarising 1 GiB of output generated on the fly (target < 16 MiB).

// benchPool is a set of realistic, distinct log lines, built once.
func benchPool() []client.Event {
	pool := make([]client.Event, 4099)
	for i := range pool {
		typ := client.EventStdout
		if i%7 == 0 {
			typ = client.EventStderr
		}
		data := fmt.Sprintf("2026-06-02T17:11:%02d.%03dZ INFO http: GET /api/items/%d 200 %dms bytes=%d\n", i%60, i%1000, i, i%97, i*13)
		switch i % 500 {
		case 17:
			data = "\x1b[31mERROR\x1b[0m request failed: upstream connect error\n"
		case 33:
			data = "warning: deprecated option --foo\n"
		}
		pool[i] = client.Event{Type: typ, Data: data}
	}
	return pool
}

// BenchmarkAdd measures Add on the hot path: lines that mostly end up
// omitted, each event already decoded (its Data allocated by the client).
func BenchmarkAdd(b *testing.B) {
	pool := benchPool()
	s := New(Config{})
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		s.Add(pool[i%len(pool)])
	}
	b.StopTimer()
	_ = s.Result(nil)
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "events/s")
}

// BenchmarkAddFragments measures lines that arrive in two events each.
func BenchmarkAddFragments(b *testing.B) {
	pool := benchPool()
	halves := make([]client.Event, 0, 2*len(pool))
	for _, ev := range pool {
		mid := len(ev.Data) / 2
		halves = append(halves, client.Event{Type: ev.Type, Data: ev.Data[:mid]}, client.Event{Type: ev.Type, Data: ev.Data[mid:]})
	}
	s := New(Config{})
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		s.Add(halves[i%len(halves)])
	}
	b.StopTimer()
	_ = s.Result(nil)
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "events/s")
}

// BenchmarkResult measures finishing a summary of a full head and tail.
func BenchmarkResult(b *testing.B) {
	pool := benchPool()
	s := New(Config{})
	for i := 0; i < 100_000; i++ {
		s.Add(pool[i%len(pool)])
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		_ = s.Result(nil).Output()
	}
}

// BenchmarkGigabyteStream summarises 1 GiB of output per iteration. Each
// event's data is a fresh string, as the client would deliver it, and is
// dropped after Add. The heap is sampled every 16 384 events through
// runtime/metrics; peak-heap-MiB is the largest heap seen (live objects
// plus garbage not yet collected), which is what the process pays.
func BenchmarkGigabyteStream(b *testing.B) {
	const total = 1 << 30
	samples := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	var peak uint64
	sample := func() {
		metrics.Read(samples)
		if v := samples[0].Value.Uint64(); v > peak {
			peak = v
		}
	}
	var events int
	buf := make([]byte, 0, 256)
	runtime.GC()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		s := New(Config{})
		for sent := 0; sent < total; events++ {
			buf = buf[:0]
			buf = append(buf, "2026-06-02T17:11:17.821Z INFO http: GET /api/items/"...)
			buf = strconv.AppendInt(buf, int64(events), 10)
			buf = append(buf, " 200 3ms bytes=4096 user=alice trace=0af7651916cd43dd8448eb211c80319c\n"...)
			ev := client.Event{Type: client.EventStdout, Data: string(buf)}
			sent += len(ev.Data)
			s.Add(ev)
			if events%16384 == 0 {
				sample()
			}
		}
		_ = s.Result(nil).Output()
		sample()
	}
	b.StopTimer()
	b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MiB")
	b.ReportMetric(float64(events)/b.Elapsed().Seconds(), "events/s")
}

// BenchmarkAddLongLines measures 4 KiB lines: each is clipped to the
// per-line cap and copied, so the big event it came in is not pinned.
func BenchmarkAddLongLines(b *testing.B) {
	pool := make([]client.Event, 257)
	for i := range pool {
		var line strings.Builder
		fmt.Fprintf(&line, `{"level":"info","msg":"batch %d done","items":[`, i)
		for line.Len() < 4096 {
			fmt.Fprintf(&line, `{"id":%d,"name":"item-%d","ok":true},`, line.Len(), i)
		}
		line.WriteString("]}\n")
		pool[i] = client.Event{Type: client.EventStdout, Data: line.String()}
	}
	s := New(Config{})
	b.ReportAllocs()
	b.SetBytes(4100)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		s.Add(pool[i%len(pool)])
	}
	b.StopTimer()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "events/s")
}

// BenchmarkAddErrorLines measures a stream where every line looks like an
// error, so every line leaving the tail is checked and some are kept.
func BenchmarkAddErrorLines(b *testing.B) {
	pool := make([]client.Event, 4099)
	for i := range pool {
		pool[i] = client.Event{Type: client.EventStderr, Data: fmt.Sprintf("ERROR failed to reach upstream %d: connection refused\n", i)}
	}
	s := New(Config{})
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		s.Add(pool[i%len(pool)])
	}
	b.StopTimer()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "events/s")
}

// BenchmarkLooksLikeError measures the error-word scan of a typical line
// without an error word (the common case: the whole line is scanned).
func BenchmarkLooksLikeError(b *testing.B) {
	line := "2026-06-02T17:11:17.821Z INFO http: GET /api/items/4242 200 31ms bytes=55146"
	b.SetBytes(int64(len(line)))
	for i := 0; i < b.N; i++ {
		if LooksLikeError(line) {
			b.Fatal("no error word in the line")
		}
	}
}

// BenchmarkStripANSI measures stripping a coloured log line (the common
// case when colour codes are present; lines without them cost one scan).
func BenchmarkStripANSI(b *testing.B) {
	line := "\x1b[2m2026-06-02T17:11:17.821Z\x1b[0m \x1b[32mINFO\x1b[0m http: GET /api/items/4242 \x1b[1m200\x1b[22m 31ms"
	b.SetBytes(int64(len(line)))
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		_ = StripANSI(line)
	}
}

// BenchmarkTemplateHash measures the shape hash every line costs in Add.
func BenchmarkTemplateHash(b *testing.B) {
	line := "2026-06-02T17:11:17.821Z INFO http: GET /api/items/4242 200 31ms bytes=55146"
	b.SetBytes(int64(len(line)))
	for i := 0; i < b.N; i++ {
		_ = templateHash(line)
	}
}
