package evals

import (
	"os"
	"regexp"
	"slices"
	"strings"
	"time"
)

// errorLines are the three lines logSearch hides among 50 000.
var errorLines = []string{
	"ERROR payment 7001 declined: card expired",
	"ERROR payment 25002 declined: gateway timeout",
	"ERROR payment 49003 declined: fraud check failed",
}

// logSearch: a service writes 50 000 lines, three of them ERROR lines, and
// keeps running. service_logs with grep must return exactly those three,
// in a small answer; asking for the most lines allowed stays bounded.
func logSearch(s *session) {
	script := `awk 'BEGIN {
  for (i = 1; i < 50000; i++) {
    if (i == 7001) print "ERROR payment 7001 declined: card expired"
    else if (i == 25002) print "ERROR payment 25002 declined: gateway timeout"
    else if (i == 49003) print "ERROR payment 49003 declined: fraud check failed"
    else printf "INFO request %d served in %d ms\n", i, i % 97
  }
  print "ready"
}'; exec sleep 600`
	r := s.call("service_create", map[string]any{
		"service_name": "shop", "cmd": "sh", "args": []string{"-c", script}, "env": s.env(nil), "duration": "1s",
	})
	created := s.expectRunning("shop", "service_create shop", r)

	// Wait, as an agent would, for the last line to be in the log.
	if !eventually(30*time.Second, 500*time.Millisecond, func() bool {
		r := s.call("service_logs", map[string]any{"service_name": "shop", "lines": 1})
		return !r.isError && strings.Contains(r.text, "ready")
	}) {
		s.fatalf("%v", "the log never showed the last line, ready, within 30s")
	}
	logFile, err := os.ReadFile(created.LogFile)
	if err != nil {
		s.fatalf("read the log file the result named (%q): %v", created.LogFile, err)
	}
	if n, odd := checkLogLines(string(logFile)); n != 50000 || len(odd) > 0 {
		s.errorf("the log file holds %d lines, want 50 000, each as printed; lines the runtime cut in two (first few): %q", n, odd)
	}

	r = s.call("service_logs", map[string]any{"service_name": "shop", "grep": "ERROR"})
	var logs logsResult
	s.decode("service_logs grep", r, &logs)
	var got []string
	for _, l := range logs.Lines {
		got = append(got, l.Text)
	}
	if r.isError || logs.Matched != 3 || logs.LinesShown != 3 || !slices.Equal(got, errorLines) {
		s.errorf("grep ERROR: matched %d, shown %d, lines %q; want exactly %q:\n%s", logs.Matched, logs.LinesShown, got, errorLines, r.text)
	}
	if logs.Scanned != 50000 {
		s.errorf("grep scanned %d lines, want all 50 000", logs.Scanned)
	}
	for _, want := range errorLines {
		if !strings.Contains(r.text, want) {
			s.errorf("the grep text lacks %q:\n%s", want, r.text)
		}
	}
	if strings.Contains(r.text, "INFO request") || len(r.text) > 1000 {
		s.errorf("the grep answer should hold the three lines and little else (%d characters):\n%s", len(r.text), r.text)
	}

	// The most lines an agent may ask for: bounded, said to be cut, and
	// the error lines in the window are kept.
	r = s.call("service_logs", map[string]any{"service_name": "shop", "lines": 2000})
	s.decode("service_logs lines=2000", r, &logs)
	if r.isError || !logs.Truncated || logs.Matched != 2000 || !strings.Contains(r.text, "ready") {
		s.errorf("lines=2000: isError=%v, matched %d, truncated %v; want 2000 matched, cut to the bound, ending in ready:\n%s",
			r.isError, logs.Matched, logs.Truncated, r.text)
	}

	text := s.read("sprites://local/services/shop/logs?lines=5")
	if !strings.Contains(text, "ready") || strings.Count(text, "INFO request") != 4 {
		s.errorf("the log resource with lines=5 should hold the last 5 lines:\n%s", text)
	}
}

// printedLine is one line of logSearch's service as it sits in the log
// file: timestamp, stream, and a whole line the service printed.
var printedLine = regexp.MustCompile(`^\S+ \[stdout\] (INFO request \d+ served in \d+ ms|ERROR payment \d+ declined: [a-z ]+|ready)$`)

// checkLogLines counts the lines of the log file and returns the first few
// that are not whole printed lines (a line split at a pipe read shows up
// as two such fragments).
func checkLogLines(log string) (int, []string) {
	lines := strings.Split(strings.TrimSuffix(log, "\n"), "\n")
	var odd []string
	for _, l := range lines {
		if !printedLine.MatchString(l) && len(odd) < 6 {
			odd = append(odd, l)
		}
	}
	return len(lines), odd
}
