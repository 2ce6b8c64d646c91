package summary

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sprites-mcp/sprites-mcp/client"
)

// corpusBudget is the output budget of an action's result (tools cap it
// at 3000 characters), where the corpus is judged.
const corpusBudget = 3000

// corpusStream returns the events of a service that prints thousands of
// lines of ordinary output (startup, request logs, health checks, cache
// refreshes, on stdout), then the crash report of testdata/crashes/name
// on stderr, then after lines of shutdown output, and exits with code.
func corpusStream(t testing.TB, name string, after, code int) []client.Event {
	t.Helper()
	crash, err := os.ReadFile(filepath.Join("testdata", "crashes", name))
	if err != nil {
		t.Fatal(err)
	}
	var evs []client.Event
	out := func(format string, a ...any) {
		evs = append(evs, client.Event{Type: client.EventStdout, Data: fmt.Sprintf(format, a...) + "\n"})
	}
	evs = append(evs, client.Event{Type: client.EventStarted})
	out("starting %s (pid 4242)", strings.TrimSuffix(name, ".txt"))
	out("config: loaded 14 settings from environment")
	out("listening on 0.0.0.0:8080")
	for i := 0; i < 3000; i++ {
		switch {
		case i%1000 == 999:
			out("2026-12-03T08:%02d:%02d.%03dZ DEBUG cache refreshed (%d keys, %dms)", i/60%60, i%60, i%1000, 1200+i/10, 40+i%7)
		case i%250 == 0:
			out("GET /healthz 200")
		default:
			out("2026-12-03T08:%02d:%02d.%03dZ INFO request %d GET /api/items/%d served in %dms", i/60%60, i%60, i%1000, i, 1000+i*7%500, 2+i%17)
		}
	}
	for _, line := range strings.SplitAfter(string(crash), "\n") {
		if line != "" {
			evs = append(evs, client.Event{Type: client.EventStderr, Data: line})
		}
	}
	for i := 0; i < after; i++ {
		out("INFO shutdown step %d of %d: closing pool %d", i, after, i%4)
	}
	evs = append(evs,
		client.Event{Type: client.EventExit, ExitCode: &code},
		client.Event{Type: client.EventComplete, LogFiles: &client.LogFiles{Combined: "/.sprite/logs/services/app.log"}},
	)
	return evs
}

// corpusCase is one crash of the corpus and what the summary must show.
type corpusCase struct {
	file   string
	after  int      // ordinary lines after the crash
	cause  string   // Result.Cause
	frames []string // shown: the frames that locate the bug
	before int      // characters of the output before this work (see TestCorpusBefore)
}

// corpusSizes prints each case's output size, for the before/after table.
func corpusSizes(t *testing.T, cases []corpusCase) {
	for _, c := range cases {
		s := New(Config{MaxChars: corpusBudget})
		for _, ev := range corpusStream(t, c.file, c.after, 2) {
			s.Add(ev)
		}
		t.Logf("| %s | %d |", c.file, len([]rune(s.Result(nil).Output())))
	}
}
