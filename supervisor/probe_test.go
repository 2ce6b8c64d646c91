package supervisor

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/sprites-mcp/sprites-mcp/client"
)

func TestProbeLevels(t *testing.T) {
	h := startHarness(t)
	for d := 0; d < 10; d++ {
		t0 := time.Now()
		var wg sync.WaitGroup
		var mu sync.Mutex
		var max time.Duration
		for ch := 0; ch < 20; ch++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				s := time.Now()
				req := h.req("sleep", "3600")
				if d > 0 {
					req.Needs = []string{fmt.Sprintf("c%d-%d", ch, d-1)}
				}
				st, err := h.c.Put(context.Background(), "local", fmt.Sprintf("c%d-%d", ch, d), req, 0)
				events(t, st, err)
				mu.Lock()
				max = maxd(max, time.Since(s))
				mu.Unlock()
			}()
		}
		wg.Wait()
		t.Logf("level %d: %s (slowest put %s)", d, time.Since(t0), max)
	}
	_ = client.StatusRunning
}

func maxd(a, b time.Duration) time.Duration {
	if a > b {
		return a
	}
	return b
}
