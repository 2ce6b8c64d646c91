package tools

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"reflect"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/sprites-mcp/sprites-mcp/client"
	"github.com/sprites-mcp/sprites-mcp/schema"
	"github.com/sprites-mcp/sprites-mcp/internal/present"
)

// argError is a problem with a call's arguments. The adapter renders it as
// a tool error naming the tool's accepted arguments.
type argError struct {
	problems []string
}

func (e *argError) Error() string { return "invalid arguments: " + strings.Join(e.problems, "; ") }

// argSpec is what the decoder knows of one argument, read from the tool's
// input schema (so the schema is the single source of truth for types,
// enums, bounds and defaults) plus the Go field type for durations.
type argSpec struct {
	name     string
	typ      string // JSON Schema type
	items    string // item type of an array
	enum     []string
	min, max *float64
	maxLen   int
	def      any
	required bool
	duration bool // the Go type is schema.Duration
}

// argsSpec describes a tool's whole input.
type argsSpec struct {
	tool  string
	props []argSpec // in schema order
}

// newArgsSpec reads the schema of In. It panics on a schema it cannot
// read: schemas are fixed at build time and the tests build every tool.
func newArgsSpec[In any](tool string, raw json.RawMessage) *argsSpec {
	var s struct {
		Properties map[string]struct {
			Type      string                 `json:"type"`
			Items     *struct{ Type string } `json:"items"`
			Enum      []string               `json:"enum"`
			Minimum   *float64               `json:"minimum"`
			Maximum   *float64               `json:"maximum"`
			MaxLength int                    `json:"maxLength"`
			Default   any                    `json:"default"`
		} `json:"properties"`
		Required []string `json:"required"`
	}
	if err := json.Unmarshal(raw, &s); err != nil {
		panic(fmt.Sprintf("tools: read input schema of %s: %v", tool, err))
	}
	order := propertyOrder(raw)
	durations := map[string]bool{}
	t := reflect.TypeFor[In]()
	// VisibleFields: arguments may come from embedded structs (schema.Target).
	for _, f := range reflect.VisibleFields(t) {
		key, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if f.Type == reflect.TypeFor[schema.Duration]() {
			durations[key] = true
		}
	}
	spec := &argsSpec{tool: tool}
	for _, name := range order {
		p := s.Properties[name]
		a := argSpec{name: name, typ: p.Type, enum: p.Enum, min: p.Minimum, max: p.Maximum,
			maxLen: p.MaxLength, def: p.Default, required: slices.Contains(s.Required, name),
			duration: durations[name]}
		if p.Items != nil {
			a.items = p.Items.Type
		}
		spec.props = append(spec.props, a)
	}
	return spec
}

// propertyOrder returns the keys of the top-level "properties" object in
// the order they appear (Go maps forget it; messages and docs keep it).
func propertyOrder(raw json.RawMessage) []string {
	var top map[string]json.RawMessage
	if json.Unmarshal(raw, &top) != nil {
		return nil
	}
	dec := json.NewDecoder(bytes.NewReader(top["properties"]))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return nil
	}
	var keys []string
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return keys
		}
		keys = append(keys, tok.(string))
		var skip json.RawMessage
		if dec.Decode(&skip) != nil {
			return keys
		}
	}
	return keys
}

func (s *argsSpec) find(name string) *argSpec {
	for i := range s.props {
		if s.props[i].name == name {
			return &s.props[i]
		}
	}
	return nil
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

// decode turns a call's arguments into In: unknown keys refused, values
// coerced where agents commonly slip, defaults filled in, every value
// checked. All problems are reported at once.
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
	clean := make(map[string]any, len(s.props))
	for i := range s.props {
		p := &s.props[i]
		v, present := args[p.name]
		if !present || v == nil {
			if p.required {
				problems = append(problems, fmt.Sprintf("%s is required", p.name))
			} else if p.def != nil {
				clean[p.name] = p.def
			}
			continue
		}
		cv, problem := p.coerce(v)
		if problem == "" {
			problem = p.check(cv)
		}
		if problem != "" {
			problems = append(problems, problem)
			continue
		}
		clean[p.name] = cv
	}
	if len(problems) > 0 {
		return in, &argError{problems: problems}
	}
	b, err := json.Marshal(clean)
	if err != nil {
		return in, fmt.Errorf("encode arguments of %s: %w", s.tool, err)
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&in); err != nil {
		// The spec and the type disagree: a bug, not the caller's fault.
		return in, fmt.Errorf("decode arguments of %s: %w", s.tool, err)
	}
	return in, nil
}

func (s *argsSpec) names() []string {
	out := make([]string, len(s.props))
	for i, p := range s.props {
		out[i] = p.name
	}
	return out
}

// argsMap normalises the arguments as they arrive (raw JSON over a
// transport, Go values in process) to JSON values with exact numbers.
func argsMap(raw any) (map[string]any, error) {
	var b []byte
	switch v := raw.(type) {
	case nil:
		return map[string]any{}, nil
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
		return map[string]any{}, nil
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil {
		return nil, fmt.Errorf("arguments must be a JSON object of name: value")
	}
	if m == nil {
		m = map[string]any{}
	}
	return m, nil
}

// coerce converts v to the argument's type, leniently: "42" for 42, a lone
// string for a one-element list, a number of seconds for a duration,
// "SIGTERM" for "TERM". It returns a problem text when it cannot.
func (p *argSpec) coerce(v any) (any, string) {
	switch p.typ {
	case "integer":
		n, ok := toInt(v)
		if !ok {
			return nil, fmt.Sprintf("%s must be a whole number; got %s", p.name, show(v))
		}
		return n, ""
	case "string":
		str, ok := toText(v)
		if !ok {
			return nil, fmt.Sprintf("%s must be a string; got %s", p.name, show(v))
		}
		str = strings.TrimSpace(str)
		if p.duration {
			d, ok := toDuration(str)
			if !ok {
				return nil, fmt.Sprintf("%s %s is not a duration: use a number with a unit such as 500ms, 5s or 2m", p.name, show(v))
			}
			return d.String(), ""
		}
		if len(p.enum) > 0 {
			if e, ok := matchEnum(p, str); ok {
				return e, ""
			}
			return nil, fmt.Sprintf("%s %s is not accepted; use one of %s", p.name, show(v), strings.Join(p.enum, ", "))
		}
		return str, ""
	case "array":
		list, ok := toList(v)
		if !ok {
			return nil, fmt.Sprintf("%s must be a list of strings; got %s", p.name, show(v))
		}
		return list, ""
	case "object":
		m, problem := toEnv(v)
		if problem != "" {
			return nil, fmt.Sprintf("%s %s", p.name, problem)
		}
		return m, ""
	case "boolean":
		switch x := v.(type) {
		case bool:
			return x, ""
		case string:
			if b, err := strconv.ParseBool(strings.TrimSpace(x)); err == nil {
				return b, ""
			}
		}
		return nil, fmt.Sprintf("%s must be true or false; got %s", p.name, show(v))
	}
	return v, ""
}

// check applies the bounds of the schema and the rules the schema cannot
// say: valid names, durations in range, a regular expression that compiles.
func (p *argSpec) check(v any) string {
	switch x := v.(type) {
	case int64:
		if (p.min != nil && float64(x) < *p.min) || (p.max != nil && float64(x) > *p.max) {
			return fmt.Sprintf("%s %d is out of range; use %s", p.name, x, p.rangeText())
		}
	case string:
		if p.maxLen > 0 && len([]rune(x)) > p.maxLen {
			return fmt.Sprintf("%s is %d characters long; at most %d are accepted", p.name, len([]rune(x)), p.maxLen)
		}
		if p.duration {
			d, _ := time.ParseDuration(x)
			limit := durationLimit(p.name)
			if d < 0 || d > limit {
				return fmt.Sprintf("%s %s is out of range; use 0 to %s", p.name, x, shortDuration(limit))
			}
		}
		switch p.name {
		case "sprite":
			if err := client.ValidateName("sprite", x); err != nil {
				return nameProblem(err)
			}
		case "service_name":
			if err := client.ValidateName("service", x); err != nil {
				return nameProblem(err)
			}
		case "cmd":
			if x == "" {
				return "cmd is empty: name the program to run"
			}
		case "grep":
			if _, err := regexp.Compile(x); err != nil {
				return fmt.Sprintf("grep %q is not a valid regular expression (Go RE2 syntax): %v", x, err)
			}
		}
	case []string:
		if p.name == "needs" {
			for _, n := range x {
				if err := client.ValidateName("service", n); err != nil {
					return "needs: " + nameProblem(err)
				}
			}
		}
	}
	return ""
}

// nameProblem drops the sentinel's prefix ("invalid name: ") and says what
// is accepted.
func nameProblem(err error) string {
	msg := strings.TrimPrefix(err.Error(), client.ErrInvalidName.Error()+": ")
	return msg + " (use letters, digits, '.', '_' and '-')"
}

// durationLimit is the upper bound of a duration argument.
func durationLimit(name string) time.Duration {
	if name == "timeout" {
		return schema.MaxStopTimeout
	}
	return schema.MaxWatch
}

func (p *argSpec) rangeText() string {
	var b strings.Builder
	switch {
	case p.min != nil && p.max != nil:
		fmt.Fprintf(&b, "%g to %g", *p.min, *p.max)
	case p.min != nil:
		fmt.Fprintf(&b, "at least %g", *p.min)
	case p.max != nil:
		fmt.Fprintf(&b, "at most %g", *p.max)
	}
	if p.def != nil {
		fmt.Fprintf(&b, " (default %v)", p.def)
	}
	return b.String()
}

// toInt accepts JSON integers, integral floats (42.0) and numeric strings.
func toInt(v any) (int64, bool) {
	var text string
	switch x := v.(type) {
	case json.Number:
		text = x.String()
	case string:
		text = strings.TrimSpace(x)
	case float64:
		text = strconv.FormatFloat(x, 'f', -1, 64)
	case int:
		return int64(x), true
	case int64:
		return x, true
	default:
		return 0, false
	}
	if n, err := strconv.ParseInt(text, 10, 64); err == nil {
		return n, true
	}
	f, err := strconv.ParseFloat(text, 64)
	if err != nil || f != math.Trunc(f) || math.Abs(f) > 1<<53 {
		return 0, false
	}
	return int64(f), true
}

// toText accepts strings, and numbers as their decimal text.
func toText(v any) (string, bool) {
	switch x := v.(type) {
	case string:
		return x, true
	case json.Number:
		return x.String(), true
	}
	return "", false
}

// durationWords maps the units agents write out to Go's.
var durationWords = strings.NewReplacer(
	"milliseconds", "ms", "millisecond", "ms", "msecs", "ms", "msec", "ms",
	"seconds", "s", "second", "s", "secs", "s", "sec", "s",
	"minutes", "m", "minute", "m", "mins", "m", "min", "m",
	"hours", "h", "hour", "h", "hrs", "h", "hr", "h",
	" ", "",
)

// toDuration accepts Go duration strings, a bare number of seconds (as a
// number or a string) and spelled-out units ("5 seconds").
func toDuration(s string) (time.Duration, bool) {
	if d, err := time.ParseDuration(s); err == nil {
		return d, true
	}
	if f, err := strconv.ParseFloat(s, 64); err == nil && !math.IsInf(f, 0) && !math.IsNaN(f) {
		if math.Abs(f) > float64(math.MaxInt64/int64(time.Second)) {
			return 0, false
		}
		return time.Duration(f * float64(time.Second)), true
	}
	if d, err := time.ParseDuration(durationWords.Replace(strings.ToLower(s))); err == nil {
		return d, true
	}
	return 0, false
}

// shortDuration prints 5m0s as 5m, as the descriptions do.
func shortDuration(d time.Duration) string {
	s := d.String()
	s = strings.TrimSuffix(s, "0s")
	return strings.TrimSuffix(s, "0m")
}

// signalNumbers are the numbers agents use for the accepted signals.
var signalNumbers = map[string]string{"1": "HUP", "2": "INT", "3": "QUIT", "9": "KILL", "10": "USR1", "12": "USR2", "15": "TERM"}

// enumAliases are the other words agents use for enum values.
var enumAliases = map[string]map[string]string{
	"stream": {"all": "both", "out": "stdout", "err": "stderr", "combined": "both"},
}

// matchEnum finds the enum value s means: exact, any case, an alias, and
// for signals the SIG prefix or the number.
func matchEnum(p *argSpec, s string) (string, bool) {
	candidates := []string{s}
	if alias, ok := enumAliases[p.name][strings.ToLower(s)]; ok {
		candidates = append(candidates, alias)
	}
	if p.name == "signal" {
		candidates = append(candidates, client.NormalizeSignal(s))
		if name, ok := signalNumbers[s]; ok {
			candidates = append(candidates, name)
		}
	}
	for _, c := range candidates {
		for _, e := range p.enum {
			if strings.EqualFold(c, e) {
				return e, true
			}
		}
	}
	return "", false
}

// toList accepts a list of strings (numbers become text) or a lone string.
func toList(v any) ([]string, bool) {
	switch x := v.(type) {
	case string:
		return []string{x}, true
	case json.Number:
		return []string{x.String()}, true
	case []any:
		out := make([]string, 0, len(x))
		for _, e := range x {
			s, ok := toText(e)
			if !ok {
				return nil, false
			}
			out = append(out, s)
		}
		return out, true
	}
	return nil, false
}

// toEnv accepts {"K": "v"} (numbers and booleans become text), a list of
// "K=V" strings, or one "K=V" string.
func toEnv(v any) (map[string]string, string) {
	out := map[string]string{}
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			switch ev := e.(type) {
			case string:
				out[k] = ev
			case json.Number:
				out[k] = ev.String()
			case bool:
				out[k] = strconv.FormatBool(ev)
			case nil:
				out[k] = ""
			default:
				return nil, fmt.Sprintf("value of %q must be a string; got %s", k, show(e))
			}
		}
		return out, ""
	case string:
		return toEnv([]any{x})
	case []any:
		for _, e := range x {
			s, ok := e.(string)
			k, val, found := strings.Cut(s, "=")
			if !ok || !found || strings.TrimSpace(k) == "" {
				return nil, fmt.Sprintf("must be an object such as {\"PORT\": \"8080\"} (or a list of \"NAME=value\"); got %s", show(e))
			}
			out[strings.TrimSpace(k)] = val
		}
		return out, ""
	}
	return nil, fmt.Sprintf("must be an object such as {\"PORT\": \"8080\"}; got %s", show(v))
}

// show renders a value for a message, bounded.
func show(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprintf("%v", v)
	}
	s := string(b)
	if r := []rune(s); len(r) > 60 {
		s = string(r[:60]) + "…"
	}
	return s
}
