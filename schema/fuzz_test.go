package schema

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"
)

// fuzzInputs are every tool's argument struct: the fuzz target reaches each
// argument type through them, so an argument added to a tool is fuzzed
// without touching this file.
var fuzzInputs = []any{
	ServiceListArgs{}, ServiceGetArgs{}, ServiceCreateArgs{}, ServiceStartArgs{}, ServiceStopArgs{},
	ServiceRestartArgs{}, ServiceLogsArgs{}, ServiceDeleteArgs{}, ServiceSignalArgs{}, ListSpritesArgs{},
}

// fuzzField is one argument: its JSON name and Go type.
type fuzzField struct {
	name string
	typ  reflect.Type
}

// fuzzFields lists the arguments of every tool, each type once.
func fuzzFields() []fuzzField {
	var out []fuzzField
	seen := map[reflect.Type]bool{}
	for _, in := range fuzzInputs {
		for _, f := range reflect.VisibleFields(reflect.TypeOf(in)) {
			key, _, _ := strings.Cut(f.Tag.Get("json"), ",")
			if f.Anonymous || key == "" || seen[f.Type] {
				continue
			}
			seen[f.Type] = true
			out = append(out, fuzzField{key, f.Type})
		}
	}
	return out
}

// FuzzArgumentValue feeds arbitrary JSON to every argument type's lenient
// decoding (UnmarshalJSON) and its Validate. Invariants: no panic; every
// message is valid UTF-8 and bounded by the input; a value that decodes
// and validates writes JSON that reads back, and validates, as the same
// value (what a result echoes is what a call accepts).
//
//	go test -run '^$' -fuzz FuzzArgumentValue -fuzztime 30s ./schema
func FuzzArgumentValue(f *testing.F) {
	fields := fuzzFields()
	f.Fuzz(func(t *testing.T, which int, raw string) {
		field := fields[(which%len(fields)+len(fields))%len(fields)]
		v := reflect.New(field.typ)
		err := json.Unmarshal([]byte(raw), v.Interface())
		if err == nil {
			if val, ok := v.Elem().Interface().(Validator); ok {
				err = val.Validate(field.name)
			}
		}
		if err != nil {
			checkMessage(t, field, raw, err.Error())
			return
		}
		out, merr := json.Marshal(v.Elem().Interface())
		if merr != nil {
			t.Fatalf("%s (%s) from %q: accepted, but does not encode: %v", field.name, field.typ, raw, merr)
		}
		again := reflect.New(field.typ)
		if err := json.Unmarshal(out, again.Interface()); err != nil {
			t.Fatalf("%s (%s): %q read as %s, which does not read back: %v", field.name, field.typ, raw, out, err)
		}
		if val, ok := again.Elem().Interface().(Validator); ok {
			if err := val.Validate(field.name); err != nil {
				t.Fatalf("%s (%s): %q read as %s, which no longer validates: %v", field.name, field.typ, raw, out, err)
			}
		}
		if !reflect.DeepEqual(v.Elem().Interface(), again.Elem().Interface()) {
			t.Fatalf("%s (%s): %q read as %#v, written %s, read back as %#v", field.name, field.typ, raw,
				v.Elem().Interface(), out, again.Elem().Interface())
		}
	})
}

// checkMessage holds a refusal to the rules of every message an agent sees.
func checkMessage(t *testing.T, field fuzzField, raw, msg string) {
	t.Helper()
	if !utf8.ValidString(msg) || strings.TrimSpace(msg) == "" {
		t.Fatalf("%s (%s) from %q: message %q", field.name, field.typ, raw, msg)
	}
	// A message may quote the value (escaped, so up to 10 bytes a byte)
	// but must not grow beyond that.
	if len(msg) > 10*len(raw)+600 {
		t.Fatalf("%s (%s): a message of %d bytes from %d of input", field.name, field.typ, len(msg), len(raw))
	}
}
