package tools

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"sort"
	"strings"

	"github.com/sprites-mcp/sprites-mcp/internal/present"
	"github.com/sprites-mcp/sprites-mcp/schema"
)

// argError is a problem with a call's arguments. The adapter renders it as
// a tool error naming the tool's accepted arguments.
type argError struct {
	problems []string
}

func (e *argError) Error() string { return "invalid arguments: " + strings.Join(e.problems, "; ") }

// argSpec is one argument of a tool, read from the Go type of its input:
// the JSON key, where the field sits, whether it is required (no
// omitempty, as the schema says: a schema test holds the two together)
// and its default (the schema's, from the field's tag). What the value
// may be is the field type's business: it decodes itself leniently and
// validates itself (schema.Validator). Nothing here depends on an
// argument's name.
type argSpec struct {
	name     string
	index    []int
	required bool
	def      json.RawMessage // nil when there is none
}

// argsSpec describes a tool's whole input.
type argsSpec struct {
	tool  string
	props []argSpec // in field order, which is the schema's order
}

// newArgsSpec reads the fields of In, and the defaults from its schema. It
// panics on a type it cannot read: inputs are fixed at build time and the
// tests build every tool.
func newArgsSpec[In any](tool string, inSchema json.RawMessage) *argsSpec {
	var s struct {
		Properties map[string]struct {
			Default json.RawMessage `json:"default"`
		} `json:"properties"`
	}
	if err := json.Unmarshal(inSchema, &s); err != nil {
		panic(fmt.Sprintf("tools: read input schema of %s: %v", tool, err))
	}
	spec := &argsSpec{tool: tool}
	// VisibleFields: arguments may come from embedded structs (schema.Target).
	for _, f := range reflect.VisibleFields(reflect.TypeFor[In]()) {
		tag := f.Tag.Get("json")
		if f.Anonymous || !f.IsExported() || tag == "" || tag == "-" {
			continue
		}
		key, opts, _ := strings.Cut(tag, ",")
		if _, ok := s.Properties[key]; !ok {
			panic(fmt.Sprintf("tools: %s: field %s (%q) is not in the input schema", tool, f.Name, key))
		}
		spec.props = append(spec.props, argSpec{
			name:     key,
			index:    f.Index,
			required: !slices.Contains(strings.Split(opts, ","), "omitempty"),
			def:      s.Properties[key].Default,
		})
	}
	if len(spec.props) != len(s.Properties) {
		panic(fmt.Sprintf("tools: %s: %d fields for %d schema properties", tool, len(spec.props), len(s.Properties)))
	}
	return spec
}

func (s *argsSpec) find(name string) *argSpec {
	for i := range s.props {
		if s.props[i].name == name {
			return &s.props[i]
		}
	}
	return nil
}

func (s *argsSpec) names() []string {
	out := make([]string, len(s.props))
	for i, p := range s.props {
		out[i] = p.name
	}
	return out
}

// accepted lists the arguments for messages: "sprite, service_name
// (required), duration".
func (s *argsSpec) accepted() string {
	if len(s.props) == 0 {
		return "none"
	}
	parts := make([]string, len(s.props))
	for i, p := range s.props {
		parts[i] = p.name
		if p.required {
			parts[i] += " (required)"
		}
	}
	return strings.Join(parts, ", ")
}

// decode turns a call's arguments into In: unknown keys refused (with the
// closest known name), required ones demanded, defaults filled in, and
// each value decoded by its field's type with encoding/json, then
// validated by it. A null is an absent argument. All problems are
// reported at once.
func decode[In any](s *argsSpec, rawArgs any) (In, error) {
	var in In
	args, err := argsMap(rawArgs)
	if err != nil {
		return in, &argError{problems: []string{err.Error()}}
	}
	var problems []string
	keys := make([]string, 0, len(args))
	for k := range args {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if s.find(k) == nil {
			msg := fmt.Sprintf("unknown argument %q", k)
			if near := present.Closest(k, s.names()); near != "" {
				msg += fmt.Sprintf("; did you mean %q?", near)
			}
			problems = append(problems, msg)
		}
	}
	v := reflect.ValueOf(&in).Elem()
	for _, p := range s.props {
		raw, given := args[p.name]
		if !given || bytes.Equal(raw, []byte("null")) {
			if p.required {
				problems = append(problems, fmt.Sprintf("%s is required", p.name))
				continue
			}
			if raw = p.def; raw == nil {
				continue
			}
		}
		fv := v.FieldByIndex(p.index)
		if err := unmarshalArg(raw, fv.Addr().Interface()); err != nil {
			problems = append(problems, p.name+" "+decodeProblem(err))
			continue
		}
		// The field's value (a pointer field, for an argument whose
		// absence matters, points to one now) validates itself.
		if val, ok := fv.Interface().(schema.Validator); ok {
			if err := val.Validate(p.name); err != nil {
				problems = append(problems, err.Error())
			}
		}
	}
	if len(problems) > 0 {
		return in, &argError{problems: problems}
	}
	return in, nil
}

// unmarshalArg decodes one argument into dst. raw is valid JSON (it came
// out of argsMap's json.Unmarshal, or is a schema default), so a type that
// decodes itself (the schema's types) is handed it directly: json.Unmarshal
// would check it again first, and the errors are the type's own either way.
func unmarshalArg(raw json.RawMessage, dst any) error {
	if u, ok := dst.(json.Unmarshaler); ok {
		return u.UnmarshalJSON(raw)
	}
	return json.Unmarshal(raw, dst)
}

// decodeProblem phrases a decoding error to follow the argument's name.
// The schema's types phrase their own; encoding/json's type errors (a
// field of a plain Go type) are said plainly.
func decodeProblem(err error) string {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		return fmt.Sprintf("must be %s; got a JSON %s", te.Type, te.Value)
	}
	return err.Error()
}

// argsMap splits the arguments as they arrive (raw JSON over a transport,
// Go values in process) into one raw JSON value per name.
func argsMap(raw any) (map[string]json.RawMessage, error) {
	var b []byte
	switch v := raw.(type) {
	case nil:
		return map[string]json.RawMessage{}, nil
	case json.RawMessage:
		b = v
	case []byte:
		b = v
	default:
		var err error
		if b, err = json.Marshal(v); err != nil {
			return nil, fmt.Errorf("arguments are not JSON: %w", err)
		}
	}
	b = bytes.TrimSpace(b)
	if len(b) == 0 || bytes.Equal(b, []byte("null")) {
		return map[string]json.RawMessage{}, nil
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("arguments must be a JSON object of name: value")
	}
	if m == nil {
		m = map[string]json.RawMessage{}
	}
	return m, nil
}
