package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestScenarios runs every scenario file against the built binary (built
// with -race when the tests run with it), each as a subtest, and logs the
// report table. EVALS_REPORT=1 also rewrites REPORT.md, as the runner's
// --report does; EVALS_HTTP=1 drives the server over HTTP.
func TestScenarios(t *testing.T) {
	if unixOnly {
		t.Skip("the scenarios need a unix system")
	}
	root, err := moduleRoot()
	if err != nil {
		t.Fatal(err)
	}
	scs, err := loadScenarios(filepath.Join(root, "evals", "scenarios"))
	if err != nil {
		t.Fatal(err)
	}
	opt := &options{bin: os.Getenv("EVALS_BIN"), http: os.Getenv("EVALS_HTTP") == "1", show: os.Getenv("EVALS_SHOW") == "1", logf: t.Logf}
	cleanup, err := prepare(opt, root, raceEnabled)
	if err != nil {
		t.Fatal(err)
	}
	defer cleanup()

	recs := make([]*record, len(scs))
	t.Run("run", func(t *testing.T) {
		for i, sc := range scs {
			t.Run(sc.Name, func(t *testing.T) {
				t.Parallel()
				r := run(sc, opt)
				recs[i] = r
				if !r.passed() {
					t.Errorf("%s (%s) failed:\n%s", sc.Name, filepath.Base(sc.file), strings.Join(r.failures, "\n"))
				}
			})
		}
	})
	var done []*record
	for _, r := range recs {
		if r != nil {
			done = append(done, r)
		}
	}
	t.Log("\n" + table(done))
	if os.Getenv("EVALS_REPORT") == "1" {
		if len(done) != len(scs) {
			t.Fatal("EVALS_REPORT=1 needs every scenario to run (no -run filter below TestScenarios); REPORT.md left as it was")
		}
		if err := os.WriteFile("REPORT.md", []byte(reportMarkdown(done, transportName(opt.http))), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// TestScenarioFilesLoad refuses a scenario file that could not run as
// written: unknown keys, a step doing two things, a bad duration.
func TestScenarioFilesLoad(t *testing.T) {
	root, err := moduleRoot()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := loadScenarios(filepath.Join(root, "evals", "scenarios")); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	for name, body := range map[string]string{
		"unknown key":          `{"name":"x","proves":"y","protocol":"2026-07-28","steps":[{"call":"service_list","expect":{"mention":["a"]}}]}`,
		"two actions":          `{"name":"x","proves":"y","protocol":"2026-07-28","steps":[{"call":"service_list","read":"sprites://local/services"}]}`,
		"bad protocol":         `{"name":"x","proves":"y","protocol":"2024-01-01","steps":[{"wait":"1s"}]}`,
		"bad wait":             `{"name":"x","proves":"y","protocol":"2026-07-28","steps":[{"wait":"soon"}]}`,
		"negative max_seconds": `{"name":"x","proves":"y","protocol":"2026-07-28","steps":[{"call":"service_list","expect":{"max_seconds":-1}}]}`,
		"retry alone":          `{"name":"x","proves":"y","protocol":"2026-07-28","steps":[{"call":"service_list","retry":{"within":"1s"}}]}`,
	} {
		f := filepath.Join(dir, "s.json")
		if err := os.WriteFile(f, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		if _, err := loadScenario(f); err == nil {
			t.Errorf("%s: loaded, want an error", name)
		}
	}
}

// TestExpect checks the matchers on a sample answer, both ways.
func TestExpect(t *testing.T) {
	a := answer{text: "web on local: running (pid 42)\nsecond line", seconds: 1.5, structured: map[string]any{
		"pid": float64(42), "status": "running", "needs": []any{"db"},
		"services": []any{map[string]any{"name": "db", "started_at": "2026-01-01T00:00:01.000Z"}},
	}}
	yes, no := true, false
	pass := []Expect{
		{Error: &no, Mentions: []string{"running"}, NotMentions: []string{"failed"}, MaxChars: 100, MaxSeconds: 2},
		{Fields: map[string]any{"pid": 42, "status": "running", "needs": map[string]any{"contains": "db", "len": 1}}},
		{Fields: map[string]any{"services[name=db].started_at": map[string]any{"gt": "2026-01-01T00:00:00.500Z"}, "missing": map[string]any{"absent": true}}},
		{Count: map[string]any{"line": 1}, Matches: []string{`pid \d+`}, MentionsAny: []string{"zzz", "web"}},
	}
	fail := []Expect{
		{Error: &yes}, {Mentions: []string{"stopped"}}, {NotMentions: []string{"web"}}, {MaxChars: 10},
		{Fields: map[string]any{"pid": 43}}, {Fields: map[string]any{"pid": map[string]any{"lt": 42}}},
		{Fields: map[string]any{"missing": 1}}, {Fields: map[string]any{"services[name=api].name": "api"}},
		{Count: map[string]any{"line": map[string]any{"gte": 2}}}, {EveryLine: `^web`},
		{MaxSeconds: 1},
	}
	for i, e := range pass {
		if f := e.check(a); f != nil {
			t.Errorf("pass case %d failed: %v", i, f)
		}
	}
	for i, e := range fail {
		if f := e.check(a); f == nil {
			t.Errorf("fail case %d passed", i)
		}
	}
}
