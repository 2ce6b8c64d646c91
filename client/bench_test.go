package client

import (
	"io"
	"runtime"
	"testing"
)

// repeatReader yields line n times without holding more than one copy, so
// a stream of any length costs the reader nothing.
type repeatReader struct {
	line []byte
	n    int // lines left
	off  int // position in the current line
}

func (r *repeatReader) Read(p []byte) (int, error) {
	if r.n == 0 {
		return 0, io.EOF
	}
	total := 0
	for total < len(p) && r.n > 0 {
		c := copy(p[total:], r.line[r.off:])
		total += c
		r.off += c
		if r.off == len(r.line) {
			r.off = 0
			r.n--
		}
	}
	return total, nil
}

var smallEvent = []byte(`{"type":"stdout","data":"GET /healthz 200 0.3ms\n","timestamp":1780420277901}` + "\n")

// BenchmarkStreamDecode decodes small stdout events; one op is one event,
// so allocs/op is allocations per event.
//
//	go test -run '^$' -bench StreamDecode -benchmem -cpu 1 ./client
func BenchmarkStreamDecode(b *testing.B) {
	st := NewStream(&repeatReader{line: smallEvent, n: b.N}, 0)
	b.SetBytes(int64(len(smallEvent)))
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		if !st.Next() {
			b.Fatalf("stream ended early: %v", st.Err())
		}
	}
	b.StopTimer()
	if st.Next() || st.Err() != nil {
		b.Fatalf("stream did not end cleanly: %v", st.Err())
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "events/s")
}

// BenchmarkStreamDecodeLongLines decodes 1 MiB lines: the cost is reading
// the bytes, the memory is the cap.
func BenchmarkStreamDecodeLongLines(b *testing.B) {
	line := make([]byte, 0, 1<<20+64)
	line = append(line, `{"type":"stdout","data":"`...)
	for len(line) < 1<<20 {
		line = append(line, "0123456789abcdef"...)
	}
	line = append(line, "\"}\n"...)
	st := NewStream(&repeatReader{line: line, n: b.N}, 0)
	b.SetBytes(int64(len(line)))
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		if !st.Next() || !st.Event().Truncated {
			b.Fatalf("no truncated event: %v", st.Err())
		}
	}
}

// TestStreamMemoryIsFlat reads a long stream and samples the live heap:
// it must not grow with the number of events read.
func TestStreamMemoryIsFlat(t *testing.T) {
	const events, samples = 400_000, 8
	st := NewStream(&repeatReader{line: smallEvent, n: events}, 0)
	heap := make([]uint64, 0, samples)
	var ms runtime.MemStats
	for i := 1; st.Next(); i++ {
		if i%(events/samples) == 0 {
			runtime.GC()
			runtime.ReadMemStats(&ms)
			heap = append(heap, ms.HeapAlloc)
		}
	}
	if st.Err() != nil || len(heap) != samples {
		t.Fatalf("err %v, %d samples", st.Err(), len(heap))
	}
	lo, hi := heap[0], heap[0]
	for _, h := range heap {
		lo, hi = min(lo, h), max(hi, h)
	}
	// Events are garbage once read: 400k of them would be tens of MiB if
	// anything kept them.
	if hi-lo > 1<<20 {
		t.Errorf("live heap went from %d to %d bytes over the stream (samples %v); want flat", lo, hi, heap)
	}
}

// TestStreamAllocationsPerEvent pins a constant, small number of
// allocations per event, whatever the stream's length.
func TestStreamAllocationsPerEvent(t *testing.T) {
	perEvent := func(n int) float64 {
		var st *Stream
		allocs := testing.AllocsPerRun(3, func() {
			st = NewStream(&repeatReader{line: smallEvent, n: n}, 0)
			for st.Next() {
			}
		})
		return allocs / float64(n)
	}
	short, long := perEvent(1_000), perEvent(50_000)
	if long > 1.05 || short > 1.2 {
		t.Errorf("allocations per event: %.3f (1k events), %.3f (50k); want at most one, constant", short, long)
	}
}
