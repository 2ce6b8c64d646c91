package schema

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"testing"
)

// refusals holds, for every argument whose type constrains it, values its
// type must refuse and a piece of each refusal's text. The key is the
// struct that declares the field and the field's JSON name, so renaming an
// argument or moving it to another type leaves it without an entry, and
// TestEveryConstraintHasARefusal fails until its refusals are written
// again.
var refusals = map[string][]struct{ value, want string }{
	"SpriteArg.sprite": {
		{`"bad name/"`, `sprite name "bad name/" contains '/'`},
		{`""`, `sprite name "" is empty`},
		{`".."`, `sprite name ".." starts with '.'`},
		{`true`, "must be a string; got true"},
	},
	"Target.service_name": {
		{`"a/b"`, `service name "a/b" contains '/'`},
		{`"signal"`, "collides with the signal route"},
		{`"` + strings.Repeat("a", 64) + `"`, "at most 63 are allowed"},
		{`["web"]`, `must be a string; got ["web"]`},
	},
	"ServiceCreateArgs.service_name": {{`"../x"`, `service name "../x"`}},
	"ServiceDeleteArgs.service_name": {{`"a\u0000b"`, "contains a control character"}},
	"ServiceSignalArgs.service_name": {{`""`, `service name "" is empty`}},
	"ServiceCreateArgs.cmd": {
		{`"  "`, "cmd is empty: name the program to run"},
		{`{}`, "must be a string; got {}"},
	},
	"ServiceCreateArgs.needs": {
		{`["ok", "../x"]`, `needs: service name "../x"`},
		{`"a/b"`, `needs: service name "a/b" contains '/'`},
		{`[{"a": 1}]`, "must be a list of strings"},
	},
	"ServiceCreateArgs.http_port": {
		{`70000`, "http_port 70000 is out of range; use 1 to 65535"},
		{`0`, "http_port 0 is out of range"},
		{`"80x"`, `must be a whole number; got "80x"`},
	},
	"ServiceCreateArgs.duration": {
		{`"10m"`, "duration 10m0s is out of range; use 0 to 5m"},
		{`"soon"`, `"soon" is not a duration: use a number with a unit such as 500ms, 5s or 2m`},
	},
	"ServiceCreateArgs.ready": {
		{`"listening on (port"`, `ready "listening on (port" is not a valid regular expression (Go RE2 syntax): error parsing regexp: missing closing )`},
		{`"` + strings.Repeat("x", 1001) + `"`, "ready is 1001 characters long; at most 1000 are accepted"},
	},
	"ServiceStartArgs.ready":      {{`"[a-"`, `ready "[a-" is not a valid regular expression`}},
	"ServiceRestartArgs.ready":    {{`"*"`, `ready "*" is not a valid regular expression (Go RE2 syntax): error parsing regexp: missing argument to repetition operator`}},
	"ServiceStartArgs.duration":   {{`"-1s"`, "duration -1s is out of range; use 0 to 5m"}},
	"ServiceRestartArgs.duration": {{`301`, "duration 5m1s is out of range; use 0 to 5m"}},
	"ServiceStopArgs.timeout": {
		{`"-1s"`, "timeout -1s is out of range; use 0 to 5m"},
		{`"6 minutes"`, "timeout 6m0s is out of range"},
	},
	"ServiceLogsArgs.lines": {
		{`5000`, "lines 5000 is out of range; use 1 to 2000 (default 100)"},
		{`true`, "must be a whole number; got true"},
		{`2.5`, "must be a whole number; got 2.5"},
	},
	"ServiceLogsArgs.duration": {{`"10m"`, "duration 10m0s is out of range; use 0 to 5m"}},
	"ServiceLogsArgs.grep": {
		{`"a(b"`, `grep "a(b" is not a valid regular expression`},
		{`"` + strings.Repeat("x", 1001) + `"`, "grep is 1001 characters long; at most 1000 are accepted"},
	},
	"ServiceLogsArgs.stream": {{`"stdin"`, `"stdin" is not accepted; use one of stdout, stderr, both`}},
	"ServiceLogsArgs.since": {
		{`"yesterday"`, `since "yesterday" is neither a duration back from now (90s, 10m, 2h) nor an RFC 3339 time`},
		{`"-10m"`, "since -10m is negative"},
		{`"2999-01-01T00:00:00Z"`, "since 2999-01-01T00:00:00Z is in the future"},
		{`"2026-13-01T00:00:00Z"`, "is neither a duration"},
		{`[]`, "must be a string; got []"},
	},
	"ServiceSignalArgs.signal": {
		{`"SIGWINCH"`, `"SIGWINCH" is not accepted; use one of TERM, HUP, INT, KILL, QUIT, USR1, USR2`},
		{`28`, `28 is not accepted`},
	},
	"ListSpritesArgs.prefix": {{`"` + strings.Repeat("p", 64) + `"`, "prefix is 64 characters long; at most 63 are accepted"}},
}

// inputTypes are the tools' argument types.
var inputTypes = []reflect.Type{
	reflect.TypeFor[SpriteArg](), reflect.TypeFor[Target](),
	reflect.TypeFor[ServiceListArgs](), reflect.TypeFor[ServiceGetArgs](), reflect.TypeFor[ServiceCreateArgs](),
	reflect.TypeFor[ServiceStartArgs](), reflect.TypeFor[ServiceStopArgs](), reflect.TypeFor[ServiceRestartArgs](),
	reflect.TypeFor[ServiceLogsArgs](), reflect.TypeFor[ServiceDeleteArgs](), reflect.TypeFor[ServiceSignalArgs](),
	reflect.TypeFor[ListSpritesArgs](),
}

var validatorType = reflect.TypeFor[Validator]()

// argField is one argument field as a struct declares it.
type argField struct {
	key  string // "Target.service_name"
	name string // "service_name"
	typ  reflect.Type
	prop map[string]any // the field's property in its struct's schema
}

// argFields walks the input types by reflection: every field each one
// declares itself (embedded structs are walked as their own type).
func argFields(t *testing.T) []argField {
	var out []argField
	for _, typ := range inputTypes {
		var s struct {
			Properties map[string]map[string]any `json:"properties"`
		}
		if err := json.Unmarshal(every[typ.Name()](), &s); err != nil {
			t.Fatal(err)
		}
		for i := range typ.NumField() {
			f := typ.Field(i)
			if f.Anonymous {
				continue
			}
			name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
			ft := f.Type
			if ft.Kind() == reflect.Pointer {
				// An optional argument whose absence matters (duration
				// beside ready); the value's type does the work.
				ft = ft.Elem()
			}
			out = append(out, argField{key: typ.Name() + "." + name, name: name, typ: ft, prop: s.Properties[name]})
		}
	}
	if len(out) < 20 {
		t.Fatalf("found only %d argument fields: the walk is broken", len(out))
	}
	return out
}

// schemaConstraints are the keywords by which a schema constrains a value.
var schemaConstraints = []string{"minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf",
	"minLength", "maxLength", "pattern", "enum", "const", "format", "minItems", "maxItems"}

// TestEveryConstraintHasARefusal proves no argument's check can be lost
// without a test noticing: every field whose type validates, or whose
// schema constrains it, has refusals in the table, and every refusal is
// refused by its field's type with the text the table gives. Constraints
// must live on the types, never in a struct tag, so the schema never
// promises a check that Validate does not make.
func TestEveryConstraintHasARefusal(t *testing.T) {
	covered := map[string]bool{}
	for _, f := range argFields(t) {
		validates := reflect.PointerTo(f.typ).Implements(validatorType)
		var declared []string
		for _, k := range schemaConstraints {
			if _, ok := f.prop[k]; ok {
				declared = append(declared, k)
			}
		}
		if len(declared) > 0 && !validates {
			t.Errorf("%s: the schema declares %v but its type %s has no Validate: the check would be promised and not made", f.key, declared, f.typ)
		}
		if !validates {
			continue
		}
		cases, ok := refusals[f.key]
		if !ok || len(cases) == 0 {
			t.Errorf("%s (%s) is validated but has no refusal in the refusals table of validate_test.go", f.key, f.typ)
			continue
		}
		covered[f.key] = true
		for _, c := range cases {
			err := decodeArg(f, c.value)
			if err == nil {
				t.Errorf("%s accepted %s", f.key, c.value)
			} else if !strings.Contains(err.Error(), c.want) {
				t.Errorf("%s refused %s with %q, want it to say %q", f.key, c.value, err, c.want)
			}
		}
	}
	for k := range refusals {
		if !covered[k] {
			t.Errorf("refusals[%q] names no validated argument: renamed or moved? fix the key", k)
		}
	}
	for _, typ := range inputTypes {
		for i := range typ.NumField() {
			for _, k := range schemaConstraints {
				if strings.Contains(typ.Field(i).Tag.Get("jsonschema"), k+"=") {
					t.Errorf("%s.%s: %s in a struct tag; constraints belong on the field's type", typ.Name(), typ.Field(i).Name, k)
				}
			}
		}
	}
}

// TestSchemaBoundsAreEnforced derives values from each field's schema
// (both ends of a range and one past them, the longest string and one
// longer, every enum value and one outside) and checks the type accepts
// and refuses them as the schema says.
func TestSchemaBoundsAreEnforced(t *testing.T) {
	checked := 0
	for _, f := range argFields(t) {
		accept, refuse := boundaryValues(f.prop)
		for _, v := range accept {
			if err := decodeArg(f, v); err != nil {
				t.Errorf("%s: the schema allows %.80s but the type refuses it: %v", f.key, v, err)
			}
			checked++
		}
		for _, v := range refuse {
			if err := decodeArg(f, v); err == nil {
				t.Errorf("%s: the schema forbids %.80s but the type accepts it", f.key, v)
			}
			checked++
		}
	}
	if checked < 30 {
		t.Errorf("only %d boundary values checked: the walk is broken", checked)
	}
}

// boundaryValues are JSON values a property's schema allows and forbids.
func boundaryValues(prop map[string]any) (accept, refuse []string) {
	num := func(k string) (int, bool) {
		v, ok := prop[k].(float64)
		return int(v), ok
	}
	if lo, ok := num("minimum"); ok {
		accept = append(accept, fmt.Sprint(lo))
		refuse = append(refuse, fmt.Sprint(lo-1))
	}
	if hi, ok := num("maximum"); ok {
		accept = append(accept, fmt.Sprint(hi))
		refuse = append(refuse, fmt.Sprint(hi+1))
	}
	if n, ok := num("maxLength"); ok {
		accept = append(accept, `"`+strings.Repeat("a", n)+`"`)
		refuse = append(refuse, `"`+strings.Repeat("a", n+1)+`"`)
	}
	if n, ok := num("minLength"); ok && n == 1 {
		refuse = append(refuse, `""`)
	}
	if enum, ok := prop["enum"].([]any); ok {
		for _, e := range enum {
			b, _ := json.Marshal(e)
			accept = append(accept, string(b))
		}
		refuse = append(refuse, `"no-such-value"`)
	}
	return accept, refuse
}

// decodeArg reads one JSON value into a fresh value of the field's type
// and validates it, as the tools' adapter does.
func decodeArg(f argField, value string) error {
	p := reflect.New(f.typ)
	if err := json.Unmarshal([]byte(value), p.Interface()); err != nil {
		return err
	}
	if v, ok := p.Interface().(Validator); ok {
		return v.Validate(f.name)
	}
	return nil
}

// TestLenientReading pins the slips each argument type forgives.
func TestLenientReading(t *testing.T) {
	read := func(v any, in string) any {
		t.Helper()
		p := reflect.New(reflect.TypeOf(v))
		if err := json.Unmarshal([]byte(in), p.Interface()); err != nil {
			t.Errorf("%T refused %s: %v", v, in, err)
		}
		return p.Elem().Interface()
	}
	for _, c := range []struct {
		zero any
		in   string
		want any
	}{
		{LogLines(0), `"42"`, LogLines(42)},
		{LogLines(0), `42.0`, LogLines(42)},
		{Port(0), `" 8080 "`, Port(8080)},
		{ServiceName(""), `" web "`, ServiceName("web")},
		{ServiceName(""), `42`, ServiceName("42")},
		{SpriteName(""), `" local "`, SpriteName("local")},
		{Signal(""), `"SIGTERM"`, Signal("TERM")},
		{Signal(""), `"sigusr1"`, Signal("USR1")},
		{Signal(""), `9`, Signal("KILL")},
		{StreamFilter(""), `"ERR"`, StreamFilter("stderr")},
		{StreamFilter(""), `"all"`, StreamFilter("both")},
		{StreamFilter(""), `"STDOUT"`, StreamFilter("stdout")},
		{WatchDuration(0), `"5 seconds"`, WatchDuration(5e9)},
		{StopTimeout(0), `"2"`, StopTimeout(2e9)},
		{Command(""), `" sleep 60 "`, Command("sleep 60")},
		{Text(""), `7`, Text("7")},
	} {
		if got := read(c.zero, c.in); got != c.want {
			t.Errorf("%T from %s = %v, want %v", c.zero, c.in, got, c.want)
		}
	}
	for _, c := range []struct {
		zero any
		in   string
		want string
	}{
		{List(nil), `"db"`, "[db]"},
		{List(nil), `8080`, "[8080]"},
		{List(nil), `["a", 1]`, "[a 1]"},
		{ServiceNames(nil), `"db"`, "[db]"},
		{Env(nil), `["A=1", "B=x=y"]`, "map[A:1 B:x=y]"},
		{Env(nil), `"A=1"`, "map[A:1]"},
		{Env(nil), `{"A": 1, "B": true, "C": null}`, "map[A:1 B:true C:]"},
	} {
		if got := fmt.Sprint(read(c.zero, c.in)); got != c.want {
			t.Errorf("%T from %s = %s, want %s", c.zero, c.in, got, c.want)
		}
	}
}

// TestReadTextPlainFastPath: a string read without decoding is what
// encoding/json reads, and a string it cannot read plainly goes to
// encoding/json (escapes, non-ASCII, invalid UTF-8, control characters).
func TestReadTextPlainFastPath(t *testing.T) {
	for _, in := range []string{`"web"`, ` "  web-1.x_y  " `, `""`, `"a b/c:d@e"`, `"\u0041"`, `"a\"b"`, `"é"`,
		"\"\xff\"", `"~"`, "\"\x7f\""} {
		got, err := readText([]byte(in))
		var want string
		if jerr := json.Unmarshal([]byte(in), &want); jerr != nil {
			t.Fatalf("%s: %v", in, jerr)
		}
		if err != nil || got != strings.TrimSpace(want) {
			t.Errorf("readText(%s) = %q, %v; want %q", in, got, err, strings.TrimSpace(want))
		}
	}
	for _, in := range []string{`"\u0041"`, `"é"`, "\"\xff\"", "\"a\tb\""} {
		if _, ok := plainString([]byte(in)); ok {
			t.Errorf("plainString(%s) took a string that needs decoding", in)
		}
	}
	for _, in := range []string{`"a"b"`, "\"a\tb\""} {
		if _, err := readText([]byte(in)); err == nil {
			t.Errorf("readText(%s) accepted a broken literal", in)
		}
	}
}
