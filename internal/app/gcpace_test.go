package app

import (
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"testing"
	"time"
)

func TestGCPercentFor(t *testing.T) {
	for _, c := range []struct {
		live uint64
		want int
	}{
		{0, maxGCPercent},
		{1 << 20, maxGCPercent},          // 16 MiB of headroom would be 1600 %
		{4 << 20, 400},                   // 16 MiB on 4 MiB live
		{8 << 20, 200},                   // 16 MiB on 8 MiB live
		{16 << 20, 100},                  // as much as is live: the default
		{200 << 20, 100},                 // a large heap is paced as by default
		{minGCHeadroom * 100 / 799, 799}, // in between, proportional
		{minGCHeadroom*100/maxGCPercent + 1, maxGCPercent - 1},
	} {
		if got := gcPercentFor(c.live); got != c.want {
			t.Errorf("gcPercentFor(%d) = %d, want %d", c.live, got, c.want)
		}
	}
}

// TestGCPacerAdjusts: after a collection, the pacer has set GOGC from the
// live heap it measured; stopped, it leaves GOGC alone.
func TestGCPacerAdjusts(t *testing.T) {
	old := debug.SetGCPercent(100)
	defer debug.SetGCPercent(old)
	p := newGCPacer()
	defer p.stopped.Store(true)
	p.arm()
	sample := []metrics.Sample{{Name: "/gc/gogc:percent"}, {Name: "/gc/heap/live:bytes"}}
	deadline := time.Now().Add(20 * time.Second)
	for {
		runtime.GC()
		time.Sleep(10 * time.Millisecond) // the cleanup runs on a goroutine of its own
		metrics.Read(sample)
		gogc, live := int(sample[0].Value.Uint64()), sample[1].Value.Uint64()
		// The test binary's live heap is small: the pacer raises GOGC.
		if gogc > 100 && gogc == gcPercentFor(live) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("GOGC is %d with %d bytes live, want %d within 20s", gogc, live, gcPercentFor(live))
		}
	}
	p.stopped.Store(true)
	runtime.GC()
	time.Sleep(10 * time.Millisecond)
	debug.SetGCPercent(100)
	runtime.GC()
	time.Sleep(50 * time.Millisecond)
	metrics.Read(sample)
	if gogc := sample[0].Value.Uint64(); gogc != 100 {
		t.Errorf("a stopped pacer changed GOGC to %d", gogc)
	}
}
