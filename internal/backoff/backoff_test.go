package backoff

import (
	"testing"
	"time"
)

func TestStepDoublesFromFloorToCap(t *testing.T) {
	p := Policy{Floor: time.Second, Cap: 30 * time.Second}
	want := []time.Duration{1, 1, 2, 4, 8, 16, 30, 30, 30}
	for i, w := range want {
		if got := p.Step(i); got != w*time.Second {
			t.Errorf("attempt %d: %s; want %s", i, got, w*time.Second)
		}
	}
	// Far attempts neither overflow nor exceed the cap.
	if got := p.Step(1 << 20); got != 30*time.Second {
		t.Errorf("attempt 2^20: %s; want the cap", got)
	}
	huge := Policy{Floor: time.Duration(1 << 62), Cap: time.Duration(1<<63 - 1)}
	if got := huge.Step(5); got <= 0 {
		t.Errorf("a floor near the limit gave %s", got)
	}
}

func TestDelayJittersWithinStepAndCap(t *testing.T) {
	p := Policy{Floor: 100 * time.Millisecond, Cap: time.Second, Jitter: 1}
	seen := map[time.Duration]bool{}
	for range 500 {
		d1, d2, d9 := p.Delay(1), p.Delay(2), p.Delay(9)
		if d1 < 100*time.Millisecond || d1 > 200*time.Millisecond {
			t.Fatalf("first delay %s; want 100–200ms", d1)
		}
		if d2 < 200*time.Millisecond || d2 > 400*time.Millisecond {
			t.Fatalf("second delay %s; want 200–400ms", d2)
		}
		if d9 != time.Second {
			t.Fatalf("ninth delay %s; want the 1s cap", d9)
		}
		seen[d1] = true
	}
	if len(seen) < 100 {
		t.Errorf("500 first delays took only %d values: not jittered", len(seen))
	}
	small := Policy{Floor: time.Second, Cap: 30 * time.Second, Jitter: 0.1}
	for range 500 {
		if d := small.Delay(1); d < time.Second || d > 1100*time.Millisecond {
			t.Fatalf("10%% jitter of 1s gave %s", d)
		}
		if d := small.Delay(6); d != 30*time.Second {
			t.Fatalf("jitter went past the cap: %s", d)
		}
	}
	if d := (Policy{Floor: time.Second, Cap: time.Minute}).Delay(3); d != 4*time.Second {
		t.Errorf("no jitter gave %s; want exactly the step", d)
	}
}
