// Command evals runs sprites-mcp's scenario evals: each file of
// evals/scenarios/ is a scenario (services to set up, then tool calls,
// resource reads, prompts and waits, with what each answer must show),
// run against the built binary, driven the way an agent's client drives
// it (mcp-go's client over stdio, or streamable HTTP with --http), on the
// embedded runtime with real processes. Every answer is measured beside
// what the Services API held for the same operation; the result is the
// table of REPORT.md.
//
//	go run ./evals                    # every scenario, the table on stdout
//	go run ./evals --report           # also rewrite evals/REPORT.md
//	go run ./evals --json out.json    # the report for machines
//	go run ./evals --run crash --http # some scenarios, over HTTP
//
// go test ./evals runs every scenario file too, so make test runs them.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"time"
)

func main() {
	os.Exit(cli(os.Args[1:]))
}

func cli(argv []string) int {
	fs := flag.NewFlagSet("evals", flag.ContinueOnError)
	useHTTP := fs.Bool("http", false, "drive the server over streamable HTTP (--http on loopback) instead of stdio")
	jsonOut := fs.String("json", "", "also write the report as JSON to `file`")
	report := fs.Bool("report", false, "rewrite evals/REPORT.md (only when every scenario ran)")
	runRE := fs.String("run", "", "run only the scenarios whose name matches `regexp`")
	bin := fs.String("bin", os.Getenv("EVALS_BIN"), "evaluate this sprites-mcp `binary` instead of building one")
	race := fs.Bool("race", false, "build the server with -race; a data race fails its scenario")
	parallel := fs.Int("parallel", 4, "scenarios run at once")
	show := fs.Bool("show", false, "print every answer's text")
	if err := fs.Parse(argv); err != nil {
		return 2
	}
	if unixOnly {
		fmt.Fprintln(os.Stderr, "evals: the scenarios run services under sh and need a unix system")
		return 2
	}
	root, err := moduleRoot()
	if err != nil {
		fmt.Fprintln(os.Stderr, "evals:", err)
		return 1
	}
	scs, err := loadScenarios(filepath.Join(root, "evals", "scenarios"))
	if err != nil {
		fmt.Fprintln(os.Stderr, "evals:", err)
		return 1
	}
	all := len(scs)
	if *runRE != "" {
		re, err := regexp.Compile(*runRE)
		if err != nil {
			fmt.Fprintln(os.Stderr, "evals: --run:", err)
			return 2
		}
		var kept []*Scenario
		for _, sc := range scs {
			if re.MatchString(sc.Name) {
				kept = append(kept, sc)
			}
		}
		scs = kept
	}
	opt := &options{bin: *bin, http: *useHTTP, show: *show, logf: func(f string, a ...any) { fmt.Fprintf(os.Stderr, f+"\n", a...) }}
	cleanup, err := prepare(opt, root, *race)
	if err != nil {
		fmt.Fprintln(os.Stderr, "evals:", err)
		return 1
	}
	defer cleanup()

	recs := runAll(scs, opt, *parallel)
	transport := transportName(opt.http)
	fmt.Print(table(recs))
	ok := true
	for _, r := range recs {
		if !r.passed() {
			ok = false
			fmt.Fprintf(os.Stderr, "\n%s FAILED (%s):\n%s\n", r.sc.Name, r.sc.file, strings.Join(r.failures, "\n"))
		}
	}
	if *jsonOut != "" {
		b, err := reportJSON(recs, transport)
		if err == nil {
			err = os.WriteFile(*jsonOut, append(b, '\n'), 0o644)
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, "evals: --json:", err)
			return 1
		}
	}
	if *report {
		if len(scs) != all {
			fmt.Fprintln(os.Stderr, "evals: --report needs every scenario (no --run); REPORT.md left as it was")
			return 1
		}
		if err := os.WriteFile(filepath.Join(root, "evals", "REPORT.md"), []byte(reportMarkdown(recs, transport)), 0o644); err != nil {
			fmt.Fprintln(os.Stderr, "evals:", err)
			return 1
		}
	}
	if !ok {
		return 1
	}
	return 0
}

func transportName(http bool) string {
	if http {
		return "streamable HTTP"
	}
	return "stdio"
}

// runAll runs the scenarios, at most parallel at once, and returns their
// records in scenario order.
func runAll(scs []*Scenario, opt *options, parallel int) []*record {
	recs := make([]*record, len(scs))
	sem := make(chan struct{}, max(parallel, 1))
	var wg sync.WaitGroup
	for i, sc := range scs {
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			recs[i] = run(sc, opt)
		})
	}
	wg.Wait()
	return recs
}

// prepare builds the binary (unless opt.bin names one) and finds python3;
// cleanup removes the build.
func prepare(opt *options, root string, race bool) (cleanup func(), err error) {
	cleanup = func() {}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	if opt.bin == "" {
		dir, err := os.MkdirTemp("", "evbin")
		if err != nil {
			return cleanup, err
		}
		cleanup = func() { os.RemoveAll(dir) }
		opt.bin = filepath.Join(dir, "sprites-mcp")
		args := []string{"build", "-o", opt.bin}
		if race {
			args = append(args, "-race")
		}
		cmd := exec.CommandContext(ctx, "go", append(args, ".")...)
		cmd.Dir = root
		if out, err := cmd.CombinedOutput(); err != nil {
			return cleanup, fmt.Errorf("build sprites-mcp in %s: %w\n%s", root, err, out)
		}
	}
	py, err := exec.LookPath("python3")
	if err != nil {
		return cleanup, fmt.Errorf("the scenarios need python3 on PATH: %w", err)
	}
	// The real interpreter, not a version manager's shim, which costs a
	// second interpreter start per service on a loaded machine.
	out, err := exec.CommandContext(ctx, py, "-c", "import sys; print(sys.executable)").Output()
	if err != nil {
		return cleanup, fmt.Errorf("run %s: %w", py, err)
	}
	opt.python = strings.TrimSpace(string(out))
	return cleanup, nil
}

// moduleRoot is the directory of the module this runs from.
func moduleRoot() (string, error) {
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}").Output()
	if err != nil {
		return "", fmt.Errorf("find the module root with go list -m: %w", err)
	}
	return strings.TrimSpace(string(out)), nil
}
