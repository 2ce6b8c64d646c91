package evals

import (
	"fmt"
	"strings"
	"sync"
	"time"
)

// record is one scenario's measures. Scenarios run in parallel, so a
// record guards itself.
type record struct {
	mu          sync.Mutex
	sc          scenario
	done        bool
	pass        bool
	elapsed     time.Duration
	calls       int
	textChars   int // characters of text the agent received (tool text and resource contents)
	structChars int // characters of structured content (JSON)
	largest     int // the largest single text answer, in characters
	largestOp   string
	raw         int64 // bytes the Services API held for the same operations
	firstFail   string
}

// failed keeps the first line of the first failure, for the report.
func (r *record) failed(msg string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.firstFail == "" {
		line, _, _ := strings.Cut(msg, "\n")
		if len(line) > 300 {
			line = line[:300] + "…"
		}
		r.firstFail = line
	}
}

func (r *record) add(op string, text, structured int, raw int64) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.calls++
	r.textChars += text
	r.structChars += structured
	r.raw += raw
	if text > r.largest {
		r.largest, r.largestOp = text, op
	}
}

func (r *record) finish(pass bool, elapsed time.Duration) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.done, r.pass, r.elapsed = true, pass, elapsed
}

// reportBook collects the records of one test run, in scenario order.
type reportBook struct {
	mu   sync.Mutex
	recs []*record
}

var book reportBook

func (b *reportBook) add(sc scenario) *record {
	b.mu.Lock()
	defer b.mu.Unlock()
	r := &record{sc: sc}
	b.recs = append(b.recs, r)
	return r
}

// table renders the records as a Markdown table, in the order of the
// scenario list, with a totals row.
func (b *reportBook) table() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	byName := map[string]*record{}
	for _, r := range b.recs {
		byName[r.sc.name] = r
	}
	var sb strings.Builder
	sb.WriteString("| # | scenario | result | calls | chars to agent | structured chars | largest answer | raw API bytes | raw ÷ agent | time |\n")
	sb.WriteString("|---|---|---|---:|---:|---:|---|---:|---:|---:|\n")
	var calls, text, structured int
	var raw int64
	for i, sc := range scenarios {
		r := byName[sc.name]
		if r == nil {
			continue
		}
		r.mu.Lock()
		verdict := "**FAIL**"
		if r.done && r.pass {
			verdict = "pass"
		}
		fmt.Fprintf(&sb, "| %d | %s | %s | %d | %s | %s | %s (%s) | %s | %s | %.1fs |\n",
			i+1, sc.name, verdict, r.calls, thousands(int64(r.textChars)), thousands(int64(r.structChars)),
			thousands(int64(r.largest)), r.largestOp, thousands(r.raw), ratio(r.raw, r.textChars), r.elapsed.Seconds())
		calls, text, structured, raw = calls+r.calls, text+r.textChars, structured+r.structChars, raw+r.raw
		r.mu.Unlock()
	}
	fmt.Fprintf(&sb, "| | **total** | | %d | %s | %s | | %s | %s | |\n",
		calls, thousands(int64(text)), thousands(int64(structured)), thousands(raw), ratio(raw, text))
	var fails []string
	for _, sc := range scenarios {
		if r := byName[sc.name]; r != nil {
			r.mu.Lock()
			if !r.pass && r.firstFail != "" {
				fails = append(fails, "- **"+sc.name+"**: "+strings.ReplaceAll(r.firstFail, "|", "\\|"))
			}
			r.mu.Unlock()
		}
	}
	if len(fails) > 0 {
		sb.WriteString("\nFirst failure of each failed scenario:\n\n" + strings.Join(fails, "\n") + "\n")
	}
	return sb.String()
}

// complete reports whether every scenario of the list ran to its end, so
// a partial run (-run) never overwrites the committed report.
func (b *reportBook) complete() bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	done := 0
	for _, r := range b.recs {
		r.mu.Lock()
		if r.done {
			done++
		}
		r.mu.Unlock()
	}
	return done == len(scenarios)
}

func ratio(raw int64, chars int) string {
	if chars == 0 {
		return "–"
	}
	return fmt.Sprintf("%.0f×", float64(raw)/float64(chars))
}

// thousands writes n with thin separators: 1234567 → 1 234 567.
func thousands(n int64) string {
	s := fmt.Sprint(n)
	var out []byte
	for i := range len(s) {
		if i > 0 && (len(s)-i)%3 == 0 {
			out = append(out, ' ')
		}
		out = append(out, s[i])
	}
	return string(out)
}
