package summary

import (
	"fmt"
	"math/rand/v2"
	"os"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/sprites-mcp/sprites-mcp/client"
)

// randomEvent draws from the kinds of output that stress the summariser:
// short and long lines, fragments, repeats, colour, carriage returns,
// wide and invalid characters, error words, secrets and empties.
func randomEvent(rng *rand.Rand, last string) client.Event {
	typ := client.EventStdout
	if rng.IntN(4) == 0 {
		typ = client.EventStderr
	}
	var data string
	switch rng.IntN(14) {
	case 0:
		data = last // a repeat
	case 1:
		data = strings.Repeat("long ", rng.IntN(3000)) + "\n"
	case 2:
		data = fmt.Sprintf("fragment %d", rng.IntN(1000)) // no newline
	case 3:
		data = "\x1b[3" + fmt.Sprint(rng.IntN(8)) + "mcoloured\x1b[0m text\n"
	case 4:
		data = "\r" + fmt.Sprint(rng.IntN(100)) + "% progress"
	case 5:
		data = strings.Repeat("日本語", rng.IntN(400)) + "\n"
	case 6:
		data = "bad \xff\xfe bytes \xe2\x82\n"
	case 7:
		data = "Error: something failed at step " + fmt.Sprint(rng.IntN(100)) + "\n"
	case 8:
		data = "API_TOKEN=" + fake("", 10+rng.IntN(30)) + "\n"
	case 9:
		data = "\n"
	case 10:
		data = "a\nb\nc\n"
	case 11:
		return client.Event{Type: client.EventStdout, Data: fmt.Sprintf("raw %d", rng.IntN(50)), Raw: true}
	case 12:
		return client.Event{Type: typ, Data: strings.Repeat("t", 100+rng.IntN(500)), Truncated: true}
	default:
		data = fmt.Sprintf("line %d\n", rng.IntN(1_000_000))
	}
	return client.Event{Type: typ, Data: data}
}

// TestBudgetProperty checks, over random streams and random budgets, that
// Output never passes MaxChars (counted in runes) and that the counts
// always add up. For budgets that can hold a line, it checks that the
// budget was met by choosing lines, not by cutting the rendered text.
func TestBudgetProperty(t *testing.T) {
	// SUMMARY_SEED and SUMMARY_ITERATIONS explore further; a failure names
	// its seed so it can be replayed.
	seed, iterations := uint64(20261127), 400
	if v, err := strconv.ParseUint(os.Getenv("SUMMARY_SEED"), 10, 64); err == nil {
		seed = v
	}
	if v, err := strconv.Atoi(os.Getenv("SUMMARY_ITERATIONS")); err == nil {
		iterations = v
	}
	rng := rand.New(rand.NewPCG(seed, seed))
	for iter := 0; iter < iterations; iter++ {
		cfg := Config{MaxChars: 1 + rng.IntN(3000), MaxLineChars: 1 + rng.IntN(800)}
		if iter%10 == 0 {
			cfg.MaxChars = 1 + rng.IntN(40)
		}
		s := New(cfg)
		n := rng.IntN(3000)
		last := "x\n"
		for i := 0; i < n; i++ {
			ev := randomEvent(rng, last)
			last = ev.Data
			s.Add(ev)
		}
		r := s.Result(nil)
		name := fmt.Sprintf("iteration %d (seed %d, events %d, %+v)", iter, seed, n, cfg)
		t.Run(name, func(t *testing.T) {
			checkInvariants(t, r, cfg.MaxChars)
			if cfg.MaxChars >= 120 && r.LinesSeen > 0 {
				if raw := render(r); raw != r.Output() {
					t.Fatalf("the layout passed the budget and was cut: %d runes for %d",
						utf8.RuneCountInString(raw), cfg.MaxChars)
				}
				if r.OmittedAtEnd != 0 {
					t.Fatalf("the newest line is not shown with budget %d:\n%s", cfg.MaxChars, r.Output())
				}
			}
		})
	}
}

// render is Output without the final cut, to tell a good layout from one
// that Output had to rescue.
func render(r Result) string {
	r.maxChars = 1 << 30
	return r.Output()
}
