package schema

import (
	"bytes"
	"encoding/json"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/sprites-mcp/sprites-mcp/internal/config"
)

// every lists each wire type with its schema. A new exported struct in this
// package must be added here (TestEveryTypeIsSnapshotted fails otherwise).
var every = map[string]func() json.RawMessage{
	"SpriteArg":          Reflect[SpriteArg],
	"Target":             Reflect[Target],
	"ServiceRef":         ReflectOutput[ServiceRef],
	"ServiceListArgs":    Reflect[ServiceListArgs],
	"ServiceGetArgs":     Reflect[ServiceGetArgs],
	"ServiceCreateArgs":  Reflect[ServiceCreateArgs],
	"ServiceStartArgs":   Reflect[ServiceStartArgs],
	"ServiceStopArgs":    Reflect[ServiceStopArgs],
	"ServiceRestartArgs": Reflect[ServiceRestartArgs],
	"ServiceLogsArgs":    Reflect[ServiceLogsArgs],
	"ServiceDeleteArgs":  Reflect[ServiceDeleteArgs],
	"ServiceSignalArgs":  Reflect[ServiceSignalArgs],
	"ListSpritesArgs":    Reflect[ListSpritesArgs],
	"ServiceInfo":        ReflectOutput[ServiceInfo],
	"ServiceListResult":  ReflectOutput[ServiceListResult],
	"ServiceResult":      ReflectOutput[ServiceResult],
	"OutputLine":         ReflectOutput[OutputLine],
	"StreamSummary":      ReflectOutput[StreamSummary],
	"ActionResult":       ReflectOutput[ActionResult],
	"LogsResult":         ReflectOutput[LogsResult],
	"DeleteResult":       ReflectOutput[DeleteResult],
	"SignalResult":       ReflectOutput[SignalResult],
	"SpriteInfo":         ReflectOutput[SpriteInfo],
	"SpriteListResult":   ReflectOutput[SpriteListResult],
	"Readiness":          ReflectOutput[Readiness],
	"ServiceState":       ReflectOutput[ServiceState],
}

var types = map[string]reflect.Type{
	"SpriteArg":          reflect.TypeFor[SpriteArg](),
	"Target":             reflect.TypeFor[Target](),
	"ServiceRef":         reflect.TypeFor[ServiceRef](),
	"ServiceListArgs":    reflect.TypeFor[ServiceListArgs](),
	"ServiceGetArgs":     reflect.TypeFor[ServiceGetArgs](),
	"ServiceCreateArgs":  reflect.TypeFor[ServiceCreateArgs](),
	"ServiceStartArgs":   reflect.TypeFor[ServiceStartArgs](),
	"ServiceStopArgs":    reflect.TypeFor[ServiceStopArgs](),
	"ServiceRestartArgs": reflect.TypeFor[ServiceRestartArgs](),
	"ServiceLogsArgs":    reflect.TypeFor[ServiceLogsArgs](),
	"ServiceDeleteArgs":  reflect.TypeFor[ServiceDeleteArgs](),
	"ServiceSignalArgs":  reflect.TypeFor[ServiceSignalArgs](),
	"ListSpritesArgs":    reflect.TypeFor[ListSpritesArgs](),
	"ServiceInfo":        reflect.TypeFor[ServiceInfo](),
	"ServiceListResult":  reflect.TypeFor[ServiceListResult](),
	"ServiceResult":      reflect.TypeFor[ServiceResult](),
	"OutputLine":         reflect.TypeFor[OutputLine](),
	"StreamSummary":      reflect.TypeFor[StreamSummary](),
	"ActionResult":       reflect.TypeFor[ActionResult](),
	"LogsResult":         reflect.TypeFor[LogsResult](),
	"DeleteResult":       reflect.TypeFor[DeleteResult](),
	"SignalResult":       reflect.TypeFor[SignalResult](),
	"SpriteInfo":         reflect.TypeFor[SpriteInfo](),
	"SpriteListResult":   reflect.TypeFor[SpriteListResult](),
	"Readiness":          reflect.TypeFor[Readiness](),
	"ServiceState":       reflect.TypeFor[ServiceState](),
}

// isOutput reports whether a type of the tables is an output type, whose
// fields may go undescribed (see CheckOutput).
func isOutput(name string) bool { return !slices.Contains(inputTypes, types[name]) }

// TestSnapshots compares every schema with testdata/<Type>.json. Run with
// UPDATE_SNAPSHOTS=1 to rewrite them after an intended change.
func TestSnapshots(t *testing.T) {
	update := os.Getenv("UPDATE_SNAPSHOTS") != ""
	for name, reflectFn := range every {
		t.Run(name, func(t *testing.T) {
			var pretty bytes.Buffer
			if err := json.Indent(&pretty, reflectFn(), "", "  "); err != nil {
				t.Fatal(err)
			}
			pretty.WriteByte('\n')
			path := filepath.Join("testdata", name+".json")
			if update {
				if err := os.WriteFile(path, pretty.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("no snapshot for %s (%v): run UPDATE_SNAPSHOTS=1 go test ./schema", name, err)
			}
			if !bytes.Equal(want, pretty.Bytes()) {
				t.Errorf("schema of %s differs from %s; if intended, run UPDATE_SNAPSHOTS=1 go test ./schema\ngot:\n%s", name, path, pretty.String())
			}
		})
	}
}

// TestNoOrphanSnapshots fails on a snapshot whose type is gone.
func TestNoOrphanSnapshots(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "*.json"))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		name := strings.TrimSuffix(filepath.Base(f), ".json")
		if _, ok := every[name]; !ok {
			t.Errorf("orphaned snapshot %s: no such type in the table; delete it", f)
		}
	}
}

// TestEveryTypeIsSnapshotted parses this package's sources so a new
// exported struct cannot escape the snapshot table.
func TestEveryTypeIsSnapshotted(t *testing.T) {
	fset := token.NewFileSet()
	entries, err := os.ReadDir(".")
	if err != nil {
		t.Fatal(err)
	}
	var files []*ast.File
	for _, e := range entries {
		if !strings.HasSuffix(e.Name(), ".go") || strings.HasSuffix(e.Name(), "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, e.Name(), nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, f)
	}
	var found []string
	for _, f := range files {
		ast.Inspect(f, func(n ast.Node) bool {
			ts, ok := n.(*ast.TypeSpec)
			if !ok || !ts.Name.IsExported() {
				return true
			}
			if _, ok := ts.Type.(*ast.StructType); ok {
				found = append(found, ts.Name.Name)
			}
			return true
		})
	}
	sort.Strings(found)
	if len(found) < 20 {
		t.Fatalf("found only %d struct types (%v): the parse is broken", len(found), found)
	}
	for _, name := range found {
		if _, ok := every[name]; !ok {
			t.Errorf("exported struct %s has no entry in the snapshot table of schema_test.go", name)
		}
		if _, ok := types[name]; !ok {
			t.Errorf("exported struct %s has no entry in the types table of schema_test.go", name)
		}
	}
}

// TestRequiredMatchesOmitempty checks the house rule on every type: a field
// is required exactly when its json tag has no omitempty, every field of an
// input type has a jsonschema_description, and no field has description=
// in its jsonschema tag (invopop cuts those at the first comma).
func TestRequiredMatchesOmitempty(t *testing.T) {
	for name, typ := range types {
		var s struct {
			Required []string `json:"required"`
		}
		if err := json.Unmarshal(every[name](), &s); err != nil {
			t.Fatal(err)
		}
		for f := range fields(typ) {
			tag := f.Tag.Get("json")
			key, opts, _ := strings.Cut(tag, ",")
			omit := slices.Contains(strings.Split(opts, ","), "omitempty")
			if got := slices.Contains(s.Required, key); got == omit {
				t.Errorf("%s.%s: required=%v but omitempty=%v", name, f.Name, got, omit)
			}
			if strings.TrimSpace(f.Tag.Get("jsonschema_description")) == "" && !isOutput(name) {
				t.Errorf("%s.%s: no jsonschema_description", name, f.Name)
			}
			if strings.Contains(f.Tag.Get("jsonschema"), "description=") {
				t.Errorf("%s.%s: description inside the jsonschema tag is cut at the first comma; use jsonschema_description", name, f.Name)
			}
		}
	}
}

// fields yields the JSON fields of a struct, flattening embedded structs.
func fields(t reflect.Type) func(func(reflect.StructField) bool) {
	return func(yield func(reflect.StructField) bool) {
		for i := range t.NumField() {
			f := t.Field(i)
			if f.Anonymous && f.Tag.Get("json") == "" {
				for g := range fields(f.Type) {
					if !yield(g) {
						return
					}
				}
				continue
			}
			if !yield(f) {
				return
			}
		}
	}
}

// TestCheckCatchesBreakage proves Check is not a rubber stamp: each broken
// schema below must be refused.
func TestCheckCatchesBreakage(t *testing.T) {
	bad := map[string]string{
		"not an object":     `{"type":"string"}`,
		"open object":       `{"type":"object","properties":{"a":{"type":"string","description":"x"}}}`,
		"bare true":         `{"type":"object","properties":{"a":true},"additionalProperties":false}`,
		"no description":    `{"type":"object","properties":{"a":{"type":"string"}},"additionalProperties":false}`,
		"ref":               `{"type":"object","properties":{"a":{"$ref":"#/$defs/x","description":"x"}},"additionalProperties":false}`,
		"top-level anyOf":   `{"type":"object","anyOf":[{"type":"object"}]}`,
		"bare true items":   `{"type":"object","properties":{"a":{"type":"array","items":true,"description":"x"}},"additionalProperties":false}`,
		"open nested map":   `{"type":"object","properties":{"a":{"type":"object","additionalProperties":true,"description":"x"}},"additionalProperties":false}`,
		"nested open child": `{"type":"object","properties":{"a":{"type":"object","description":"x","properties":{"b":{"type":"string","description":"y"}}}},"additionalProperties":false}`,
	}
	for name, s := range bad {
		if err := Check(json.RawMessage(s)); err == nil {
			t.Errorf("%s: Check accepted %s", name, s)
		}
	}
	good := `{"type":"object","properties":{"a":{"type":"object","description":"x","additionalProperties":{"type":"string"}}},"additionalProperties":false}`
	if err := Check(json.RawMessage(good)); err != nil {
		t.Errorf("Check refused a good schema: %v", err)
	}
}

// TestDescriptionsStateTheBounds keeps the numbers in descriptions in step
// with the constants the tools enforce.
func TestDescriptionsStateTheBounds(t *testing.T) {
	logs := string(Reflect[ServiceLogsArgs]())
	for _, want := range []string{`"maximum":2000`, `"minimum":1`, `"default":100`, "1 to 2000", "at most " + MaxWatch.String()[:len(MaxWatch.String())-2]} {
		if !strings.Contains(logs, want) {
			t.Errorf("service_logs schema lacks %q:\n%s", want, logs)
		}
	}
	if config.MaxLogLines != 2000 || config.DefaultLogLines != 100 {
		t.Errorf("log line bounds changed (%d, %d): update the tags of ServiceLogsArgs", config.DefaultLogLines, config.MaxLogLines)
	}
	start := string(Reflect[ServiceStartArgs]())
	if !strings.Contains(start, "at most 5m") || MaxWatch.String() != "5m0s" {
		t.Errorf("watch bound in the description (%s) and MaxWatch (%s) disagree", start, MaxWatch)
	}
	for name, reflectFn := range map[string]func() json.RawMessage{
		"create": Reflect[ServiceCreateArgs], "start": Reflect[ServiceStartArgs], "restart": Reflect[ServiceRestartArgs],
	} {
		if !strings.Contains(string(reflectFn()), "Default 5s, 30s with ready") || DefaultWatch != 5*time.Second || DefaultReadyWatch != 30*time.Second {
			t.Errorf("%s: the watch defaults in the description and DefaultWatch (%s), DefaultReadyWatch (%s) disagree", name, DefaultWatch, DefaultReadyWatch)
		}
	}
	stop := string(Reflect[ServiceStopArgs]())
	if !strings.Contains(stop, "at most 5m") || MaxStopTimeout.String() != "5m0s" {
		t.Errorf("stop timeout bound in the description and MaxStopTimeout (%s) disagree", MaxStopTimeout)
	}
}

// TestDurationJSON round-trips the wire form, accepts the lenient forms
// agents write (a number of seconds, spelled-out units) and refuses
// non-durations.
func TestDurationJSON(t *testing.T) {
	var d Duration
	if err := json.Unmarshal([]byte(`"1m30s"`), &d); err != nil || d.String() != "1m30s" {
		t.Fatalf("got %v, %v", d, err)
	}
	b, _ := json.Marshal(d)
	if string(b) != `"1m30s"` {
		t.Errorf("marshal: %s", b)
	}
	lenient := map[string]time.Duration{
		`"5s"`: 5 * time.Second, `"500ms"`: 500 * time.Millisecond, `"2"`: 2 * time.Second, `"0.5"`: 500 * time.Millisecond,
		`"5 seconds"`: 5 * time.Second, `"2 minutes"`: 2 * time.Minute, `"1 min"`: time.Minute, `"0"`: 0,
		`5`: 5 * time.Second, `0.2`: 200 * time.Millisecond, `" 5 minutes "`: 5 * time.Minute,
	}
	for in, want := range lenient {
		var d Duration
		if err := json.Unmarshal([]byte(in), &d); err != nil || d.D() != want {
			t.Errorf("unmarshal %s = %v, %v; want %v", in, d, err, want)
		}
	}
	for _, bad := range []string{`"soon"`, `"5 parsecs"`, `"1e300"`, `"abc"`, `true`, `[]`} {
		if err := json.Unmarshal([]byte(bad), &d); err == nil {
			t.Errorf("accepted %s", bad)
		}
	}
}
