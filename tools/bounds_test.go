package tools

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/mark3labs/mcp-go/mcp"

	"github.com/sprites-mcp/sprites-mcp/schema"
)

// checkBound fails when a result's text or structured content passes limit
// characters.
func checkBound(t *testing.T, what string, res *mcp.CallToolResult, limit int) {
	t.Helper()
	if n := utf8.RuneCountInString(text(res)); n > limit {
		t.Errorf("%s: text is %d characters, limit %d", what, n, limit)
	}
	b, err := json.Marshal(res.StructuredContent)
	if err != nil {
		t.Fatal(err)
	}
	if n := utf8.RuneCount(b); n > limit {
		t.Errorf("%s: structured content is %d characters, limit %d", what, n, limit)
	}
}

// TestResultsStayBounded floods the tools with output, long lines, many
// services and a huge definition, at a small result bound, and checks both
// halves of every result stay within it while still saying what matters.
func TestResultsStayBounded(t *testing.T) {
	const limit = 1500
	h := newHarness(t, harnessOpts{maxChars: limit})

	// 20 000 lines, a 300 KB line, error lines in the middle, then a crash.
	script := `i=0; while [ $i -lt 20000 ]; do echo "line $i of the flood with some padding to make it longer"; i=$((i+1)); done
echo "fatal: database connection refused" >&2
head -c 300000 /dev/zero | tr '\0' x; echo
i=0; while [ $i -lt 2000 ]; do echo "tail line $i"; i=$((i+1)); done
exit 7`
	res := h.mustFail("service_create", map[string]any{
		"service_name": "flood", "cmd": "sh", "args": []any{"-c", script}, "env": h.env(), "duration": "20s",
	})
	checkBound(t, "create flood", res, limit)
	txt := text(res)
	// The flood folds by shape into one line with its count and range.
	for _, want := range []string{"flood on local: failed at start-up (exit code 7)", "cause: fatal: database connection refused", "line <n> of the flood with some padding to make it longer (×", "more: service_logs"} {
		if !strings.Contains(txt, want) {
			t.Errorf("bounded flood result lacks %q:\n%s", want, txt)
		}
	}
	var act schema.ActionResult
	structured(t, res, &act)
	// A live stream may drop lines for a slow reader (the runtime never
	// blocks a service on it), so only a lower bound is certain.
	if act.LinesSeen < 10000 || !act.Truncated || act.ExitCode == nil || *act.ExitCode != 7 {
		t.Errorf("flood structured: seen %d truncated %v exit %+v", act.LinesSeen, act.Truncated, act)
	}

	res = h.mustOK("service_logs", map[string]any{"service_name": "flood", "lines": 2000})
	checkBound(t, "logs 2000", res, limit)
	res = h.mustOK("service_logs", map[string]any{"service_name": "flood", "grep": "x{100}"})
	checkBound(t, "logs of a 300 KB line", res, limit)
	var logs schema.LogsResult
	structured(t, res, &logs)
	// The runtime splits a long line into 16 KiB pieces, on disk too; the
	// identical pieces collapse into one shown line with a repeat count.
	if logs.Matched < 1 || len(logs.Lines) == 0 || len(logs.Lines) > 3 {
		t.Errorf("the 300 KB line: matched %d, %d lines", logs.Matched, len(logs.Lines))
	}
	for _, l := range logs.Lines {
		if n := utf8.RuneCountInString(l.Text); n > 600 {
			t.Errorf("a shown line is %d characters long", n)
		}
	}
	t.Logf("flood create result:\n%s", txt)

	// A definition far larger than the bound.
	env := h.env()
	for i := range 40 {
		env[fmt.Sprintf("VAR_%02d", i)] = strings.Repeat("v", 400)
	}
	args := []any{"60"}
	h.mustOK("service_create", map[string]any{"service_name": "big", "cmd": "sleep", "args": args, "env": env, "duration": "0"})
	h.waitRunning("big")
	res = h.mustOK("service_get", map[string]any{"service_name": "big"})
	checkBound(t, "get big", res, limit)
	if !strings.HasPrefix(text(res), "big on local: running") {
		t.Errorf("big get:\n%s", text(res))
	}
	// The structured content dropped env entries to fit; it must say so.
	var got schema.ServiceResult
	structured(t, res, &got)
	if len(got.Service.Env) >= len(env) || !got.Truncated || !strings.Contains(got.Note, "env entries") {
		t.Errorf("big get kept %d of %d env entries, truncated %v, note %q", len(got.Service.Env), len(env), got.Truncated, got.Note)
	}

	// More services than fit.
	for i := range 25 {
		name := fmt.Sprintf("svc-%02d-%s", i, strings.Repeat("n", 50))
		h.mustOK("service_create", map[string]any{"service_name": name, "cmd": "sleep", "args": "60", "env": h.env(), "duration": "0"})
	}
	res = h.mustOK("service_list", nil)
	checkBound(t, "list", res, limit)
	var list schema.ServiceListResult
	structured(t, res, &list)
	if list.Total != 27 || !list.Truncated || len(list.Services) >= 27 || len(list.Services) == 0 {
		t.Errorf("list: total %d, %d shown, truncated %v", list.Total, len(list.Services), list.Truncated)
	}
	if !strings.Contains(text(res), "more not shown (result size limit)") {
		t.Errorf("list text does not say it was cut:\n%s", text(res))
	}
}

// TestActionOutputIsAnExcerpt: a service that prints 500 lines at start-up
// gets a result with its error line in its place and the lines around it
// folded by shape with their counts and ranges, not all 500 — the rest is
// one service_logs call away.
func TestActionOutputIsAnExcerpt(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	res := h.mustOK("service_create", map[string]any{
		"service_name": "chatty", "cmd": "sh", "env": h.env(), "duration": "2s",
		"args": []any{"-c", `i=1; while [ $i -le 500 ]; do echo "starting step $i"; ` +
			`[ $i = 250 ] && echo "Error: cache warm-up failed" >&2; i=$((i+1)); done; exec sleep 60`},
	})
	txt := text(res)
	// stdout and stderr are two pipes, so where the error falls between
	// the stdout lines depends on when the runtime read each; the steps
	// fold into one run or two around it, up to step 500, and a run too
	// short to fold (a few steps read before the error) is shown as is.
	for _, want := range []string{"starting step <n> (×", "…500)", "[stderr] Error: cache warm-up failed"} {
		if !strings.Contains(txt, want) {
			t.Errorf("result lacks %q:\n%s", want, txt)
		}
	}
	if !strings.Contains(txt, " 1…") && !strings.Contains(txt, "starting step 1\n") {
		t.Errorf("step 1 is neither shown nor folded:\n%s", txt)
	}
	if shown := strings.Count(txt, "\nstarting step ") - strings.Count(txt, "\nstarting step <n>"); shown > 10 {
		t.Errorf("%d steps shown one by one: they were not folded:\n%s", shown, txt)
	}
	if n := utf8.RuneCountInString(txt); n > maxActionOutputChars+2000 {
		t.Errorf("result is %d characters; an action shows at most %d of output", n, maxActionOutputChars)
	}
}
