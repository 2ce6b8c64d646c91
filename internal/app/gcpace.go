package app

import (
	"os"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"sync"
	"sync/atomic"
)

// The garbage collector's pace for the HTTP server.
//
// With Go's default (GOGC=100) the heap may grow by as much as is live
// before the next collection, and by at least 4 MiB. sprites-mcp's live
// heap is a few MiB, and every tool call over HTTP allocates 20 to 40 KiB
// that dies with the call, so under load it collected every hundred-odd
// calls and the collector took close to a tenth of the server's CPU
// (internal/httpbench's profiles: 8 %, 2 % with the pacer). The pacer lets the heap grow by at least minGCHeadroom between
// collections instead: after each collection it sets GOGC to
// max(100, minGCHeadroom / live heap). The heap stays bounded by
// max(2 × live, live + minGCHeadroom), so memory stays flat under load
// and a large live heap (many services) is paced as before; what it costs
// is at most minGCHeadroom more resident memory while the live heap is
// small. An operator's GOGC wins: with it set, the pacer stays off.

// minGCHeadroom is how much the heap may grow between collections at the
// least.
const minGCHeadroom = 16 << 20

// maxGCPercent bounds GOGC for a live heap so small that minGCHeadroom
// would ask for more.
const maxGCPercent = 800

var paceOnce sync.Once

// paceGC starts the pacer once per process, unless GOGC is set.
func paceGC() {
	if os.Getenv("GOGC") != "" {
		return
	}
	paceOnce.Do(func() { newGCPacer().arm() })
}

// gcPacer sets GOGC after each collection from the live heap.
type gcPacer struct {
	percent int // what it set last
	sample  []metrics.Sample
	stopped atomic.Bool // for tests: no more adjustments
}

func newGCPacer() *gcPacer {
	return &gcPacer{percent: 100, sample: []metrics.Sample{{Name: "/gc/heap/live:bytes"}}}
}

// gcCycle is allocated and dropped for each collection: its cleanup runs
// once a collection has found it unreachable. It holds a pointer so that
// it is not batched with other tiny objects, whose cleanups may never run.
type gcCycle struct{ _ *gcCycle }

// arm adjusts GOGC after the next collection, and arms again.
func (p *gcPacer) arm() {
	runtime.AddCleanup(&gcCycle{}, func(p *gcPacer) {
		if p.stopped.Load() {
			return
		}
		p.adjust()
		p.arm()
	}, p)
}

func (p *gcPacer) adjust() {
	metrics.Read(p.sample)
	if p.sample[0].Value.Kind() != metrics.KindUint64 {
		return // not measured by this runtime: leave GOGC alone
	}
	if percent := gcPercentFor(p.sample[0].Value.Uint64()); percent != p.percent {
		debug.SetGCPercent(percent)
		p.percent = percent
	}
}

// gcPercentFor is the GOGC that lets a heap with live bytes in use grow by
// at least minGCHeadroom, and by at least as much as is live.
func gcPercentFor(live uint64) int {
	if live == 0 {
		return maxGCPercent
	}
	return int(min(max(minGCHeadroom*100/live, 100), maxGCPercent))
}
