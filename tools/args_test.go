package tools

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/sprites-mcp/sprites-mcp/schema"
)

// toDuration reads a duration argument's text as the tools do, through
// the argument type's decoder.
func toDuration(s string) (time.Duration, bool) {
	b, _ := json.Marshal(s)
	var d schema.Duration
	if err := json.Unmarshal(b, &d); err != nil {
		return 0, false
	}
	return d.D(), true
}

func TestSplitCommand(t *testing.T) {
	cases := []struct {
		in   string
		cmd  string
		args []string
	}{
		{"python3 -m http.server 8000", "python3", []string{"-m", "http.server", "8000"}},
		{"node", "node", nil},
		{`sh -c 'echo "hi there"; sleep 1'`, "sh", []string{"-c", `echo "hi there"; sleep 1`}},
		{`echo a\ b "c d" ''`, "echo", []string{"a b", "c d", ""}},
		{`broken 'quote`, `broken 'quote`, nil},
		{"  spaced   out  ", "spaced", []string{"out"}},
	}
	for _, c := range cases {
		cmd, args := splitCommand(c.in)
		if cmd != c.cmd || !slices.Equal(args, c.args) {
			t.Errorf("splitCommand(%q) = %q %q, want %q %q", c.in, cmd, args, c.cmd, c.args)
		}
	}
}

func TestToDuration(t *testing.T) {
	cases := map[string]time.Duration{
		"5s": 5 * time.Second, "500ms": 500 * time.Millisecond, "2": 2 * time.Second, "0.5": 500 * time.Millisecond,
		"5 seconds": 5 * time.Second, "2 minutes": 2 * time.Minute, "1 min": time.Minute, "0": 0,
	}
	for in, want := range cases {
		got, ok := toDuration(in)
		if !ok || got != want {
			t.Errorf("toDuration(%q) = %v %v, want %v", in, got, ok, want)
		}
	}
	for _, bad := range []string{"soon", "5 parsecs", "1e300"} {
		if _, ok := toDuration(bad); ok {
			t.Errorf("toDuration(%q) accepted", bad)
		}
	}
}

// TestDecodeDefaults checks defaults come from the schema and values are
// typed for the handler.
func TestDecodeDefaults(t *testing.T) {
	spec := newArgsSpec[schema.ServiceLogsArgs]("service_logs", schema.Reflect[schema.ServiceLogsArgs]())
	in, err := decode[schema.ServiceLogsArgs](spec, map[string]any{"service_name": "web"})
	if err != nil {
		t.Fatal(err)
	}
	if in.Lines != 100 || in.Stream != "both" || in.Duration != 0 || in.ServiceName != "web" {
		t.Errorf("defaults: %+v", in)
	}
	in, err = decode[schema.ServiceLogsArgs](spec, []byte(`{"service_name":"web","lines":"7","duration":3,"stream":"ERR","sprite":null}`))
	if err != nil {
		t.Fatal(err)
	}
	if in.Lines != 7 || in.Duration.D() != 3*time.Second || in.Stream != "stderr" || in.Sprite != "" {
		t.Errorf("lenient: %+v", in)
	}
	for _, bad := range []string{`[1,2]`, `"x"`, `{"service_name":`} {
		if _, err := decode[schema.ServiceLogsArgs](spec, []byte(bad)); err == nil || !strings.Contains(err.Error(), "arguments must be a JSON object") {
			t.Errorf("decode(%s) = %v", bad, err)
		}
	}
	cspec := newArgsSpec[schema.ServiceCreateArgs]("service_create", schema.Reflect[schema.ServiceCreateArgs]())
	c, err := decode[schema.ServiceCreateArgs](cspec, map[string]any{"service_name": "w", "cmd": "x", "env": []any{"A=1", "B=x=y"}, "args": 8080})
	if err != nil {
		t.Fatal(err)
	}
	if c.Env["A"] != "1" || c.Env["B"] != "x=y" || !slices.Equal(c.Args, []string{"8080"}) || c.Duration != nil {
		t.Errorf("create lenient: %+v", c)
	}
}

// TestWatchWindow checks how long a start is watched: the duration given
// (0 included), else 5s, else 30s with a ready pattern; and that ready with
// duration 0, which could never match, is refused.
func TestWatchWindow(t *testing.T) {
	spec := newArgsSpec[schema.ServiceStartArgs]("service_start", schema.Reflect[schema.ServiceStartArgs]())
	for _, c := range []struct {
		args map[string]any
		want time.Duration
		err  string
	}{
		{map[string]any{}, 5 * time.Second, ""},
		{map[string]any{"duration": "0"}, 0, ""},
		{map[string]any{"duration": nil}, 5 * time.Second, ""},
		{map[string]any{"ready": "listening"}, 30 * time.Second, ""},
		{map[string]any{"ready": "listening", "duration": "2s"}, 2 * time.Second, ""},
		{map[string]any{"ready": "listening", "duration": 0}, 0, "duration 0 leaves no time to wait for ready"},
	} {
		c.args["service_name"] = "web"
		in, err := decode[schema.ServiceStartArgs](spec, c.args)
		if err != nil {
			t.Fatalf("decode %v: %v", c.args, err)
		}
		got, err := watchWindow(in.Duration, in.Ready)
		switch {
		case c.err != "" && (err == nil || !strings.Contains(err.Error(), c.err)):
			t.Errorf("%v: error %v, want %q", c.args, err, c.err)
		case c.err == "" && (err != nil || got != c.want):
			t.Errorf("%v: window %v (%v), want %v", c.args, got, err, c.want)
		}
	}
	if _, err := decode[schema.ServiceStartArgs](spec, map[string]any{"service_name": "web", "duration": "9m"}); err == nil ||
		!strings.Contains(err.Error(), "duration 9m0s is out of range") {
		t.Errorf("an out-of-range optional duration: %v", err)
	}
}

func TestSqueezeMiddle(t *testing.T) {
	var lines []string
	for i := range 100 {
		lines = append(lines, strings.Repeat("x", 10)+string(rune('a'+i%26)))
	}
	out := squeezeMiddle(strings.Join(lines, "\n"), 300)
	if n := len([]rune(out)); n > 300 {
		t.Fatalf("squeezed to %d characters, room 300", n)
	}
	got := strings.Split(out, "\n")
	if got[0] != lines[0] || got[len(got)-1] != lines[99] || !strings.Contains(out, "more lines omitted to fit the result") {
		t.Errorf("head and tail not kept:\n%s", out)
	}
	if small := "a\nb"; squeezeMiddle(small, 300) != small {
		t.Error("a fitting output was changed")
	}
}

func TestCutText(t *testing.T) {
	long := strings.Repeat("é", 5000)
	for _, limit := range []int{0, 5, 40, 1000} {
		got := cutText(long, limit)
		if n := len([]rune(got)); n > limit {
			t.Errorf("cutText to %d gave %d characters", limit, n)
		}
	}
	if got := cutText(long, 1000); !strings.HasSuffix(got, "…[result cut at the size limit]") {
		t.Errorf("no marker: %q", got[len(got)-40:])
	}
	if cutText("short", 10) != "short" {
		t.Error("a short text was changed")
	}
}

// BenchmarkDecodeArgs is the decoding of service_get's arguments as they
// arrive over a transport, on every call.
func BenchmarkDecodeArgs(b *testing.B) {
	spec := newArgsSpec[schema.ServiceGetArgs]("service_get", schema.Reflect[schema.ServiceGetArgs]())
	raw := json.RawMessage(`{"service_name":"web","sprite":"local"}`)
	b.ReportAllocs()
	for b.Loop() {
		in, err := decode[schema.ServiceGetArgs](spec, raw)
		if err != nil || in.ServiceName != "web" {
			b.Fatal(in, err)
		}
	}
}
