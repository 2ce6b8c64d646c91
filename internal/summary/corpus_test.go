package summary

import (
	"strings"
	"testing"
)

// corpus is the crash corpus of testdata/crashes. before is the size of
// the output the summariser gave for the same stream before crash shapes
// and folding (commit 5c7ea74, measured with corpusSizes): the new output
// must be smaller.
var corpus = []corpusCase{
	{file: "go_panic.txt", before: 2944,
		cause:  "panic: runtime error: invalid memory address or nil pointer dereference",
		frames: []string{"internal/store.(*Store).Get(", "/app/internal/store/store.go:88", "/app/internal/api/orders.go:41"}},
	{file: "go_fatal_error.txt", before: 2999,
		cause:  "fatal error: concurrent map writes",
		frames: []string{"goroutine 77 [running]:", "internal/cache.(*Cache).Set(...)", "/app/internal/cache/cache.go:27", "exit status 2"}},
	{file: "python_traceback.txt", after: 3000, before: 2985,
		cause:  "ValueError: invalid literal for int() with base 10: 'ten'",
		frames: []string{"Traceback (most recent call last):", `File "/app/shop/params.py", line 12, in parse_limit`, "return int(value)", `File "/app/shop/views.py", line 57, in list_items`}},
	{file: "node_uncaught.txt", before: 2980,
		cause:  "TypeError: Cannot read properties of undefined (reading 'id')",
		frames: []string{"/app/src/routes/users.js:17", "at getUserId (/app/src/routes/users.js:17:25)", "at /app/src/routes/users.js:31:18"}},
	{file: "java_caused_by.txt", before: 2971,
		cause:  "Caused by: java.io.FileNotFoundException: /etc/billing/application.yml (No such file or directory)",
		frames: []string{`Exception in thread "main" java.lang.IllegalStateException`, "at com.example.billing.config.ConfigLoader.load(ConfigLoader.java:41)"}},
	{file: "rust_panic.txt", before: 2943,
		cause:  "thread 'main' panicked at src/config.rs:27:41: called `Result::unwrap()` on an `Err` value: Os { code: 2, kind: NotFound, message: \"No such file or directory\" }",
		frames: []string{"4: ingest::config::load", "at ./src/config.rs:27:41", "at ./src/main.rs:14:18"}},
	{file: "ruby_exception.txt", before: 2954,
		cause:  "/app/lib/mailer/worker.rb:23:in 'Mailer::Worker#deliver': undefined method 'fetch' for nil (NoMethodError)",
		frames: []string{"from /app/lib/mailer/worker.rb:12:in 'block in Mailer::Worker#run'", "from bin/worker:8:in '<main>'"}},
	{file: "shell_command_not_found.txt", before: 2952,
		cause: "./start.sh: line 4: gunicorn: command not found"},
	{file: "shell_permission_denied.txt", before: 2948,
		cause: "/bin/sh: 1: ./bin/server: Permission denied"},
	{file: "shell_no_such_file.txt", before: 2969,
		cause: "./run.sh: line 7: /opt/app/venv/bin/python: No such file or directory"},
}

// noiseShown counts output lines of the corpus's ordinary output.
func noiseShown(out string) int {
	n := 0
	for _, l := range strings.Split(out, "\n") {
		if strings.Contains(l, " INFO request ") || strings.Contains(l, "GET /healthz") ||
			strings.Contains(l, "DEBUG cache refreshed") || strings.Contains(l, "INFO shutdown step") {
			n++
		}
	}
	return n
}

// TestCorpus checks, for each crash inside thousands of ordinary lines:
// the cause chosen, the frames that locate the bug shown, the budget
// kept, the ordinary output folded to a few lines, and a smaller result
// than before.
func TestCorpus(t *testing.T) {
	for _, c := range corpus {
		t.Run(c.file, func(t *testing.T) {
			s := New(Config{MaxChars: corpusBudget})
			for _, ev := range corpusStream(t, c.file, c.after, 2) {
				s.Add(ev)
			}
			r := s.Result(nil)
			checkInvariants(t, r, corpusBudget)
			out := r.Output()
			if r.Cause != c.cause {
				t.Errorf("cause = %q\nwant    %q", r.Cause, c.cause)
			}
			for _, f := range c.frames {
				if !strings.Contains(out, f) {
					t.Errorf("frame %q is not shown", f)
				}
			}
			if n := noiseShown(out); n > 8 {
				t.Errorf("%d lines of ordinary output shown, want at most 8", n)
			}
			size := len([]rune(out))
			if size >= c.before {
				t.Errorf("output has %d characters, not fewer than the %d of before", size, c.before)
			}
			t.Logf("%d → %d characters", c.before, size)
			if t.Failed() {
				t.Logf("output:\n%s", out)
			}
		})
	}
}

// TestCorpusSizes logs the table of sizes (go test -run CorpusSizes -v).
func TestCorpusSizes(t *testing.T) { corpusSizes(t, corpus) }
