package schema

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
)

// Validator is an argument type that checks its own value once decoded.
// arg is the argument's JSON name, for the message: a refusal reads
// "lines 5000 is out of range; use 1 to 2000 (default 100)". The tools'
// adapter calls it on every argument a call gave or that took its default,
// so a constraint lives with its type and cannot be lost by renaming a
// field. Validate has a value receiver, so a pointer field (an optional
// argument) validates through the same method once it is set.
type Validator interface {
	Validate(arg string) error
}

// The argument types read their JSON leniently, accepting the slips agents
// commonly make ("42" for 42, a lone string for a one-element list,
// "5 seconds" for 5s). Their decoding errors are phrased to follow the
// argument's name, which the adapter puts in front: "lines must be a whole
// number; got true". A JSON null is left to the adapter (it means the
// argument is absent), so UnmarshalJSON treats it as a no-op.

// jsonValue decodes one JSON value with exact numbers (json.Number).
func jsonValue(b []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, fmt.Errorf("is not valid JSON: %w", err)
	}
	return v, nil
}

func isNull(b []byte) bool { return bytes.Equal(bytes.TrimSpace(b), []byte("null")) }

// readText reads a string, or a number as its decimal text, trimmed.
func readText(b []byte) (string, error) {
	if t := bytes.TrimSpace(b); len(t) > 0 && t[0] == '"' {
		// The common case, a string, without a decoder per field; a
		// plain one without decoding at all.
		if s, ok := plainString(t); ok {
			return strings.TrimSpace(s), nil
		}
		var s string
		if err := json.Unmarshal(t, &s); err != nil {
			return "", fmt.Errorf("is not valid JSON: %w", err)
		}
		return strings.TrimSpace(s), nil
	}
	v, err := jsonValue(b)
	if err != nil {
		return "", err
	}
	s, ok := toText(v)
	if !ok {
		return "", fmt.Errorf("must be a string; got %s", show(v))
	}
	return strings.TrimSpace(s), nil
}

// plainString is the text of the JSON string literal t when it needs no
// decoding: printable ASCII without quotes or escapes inside, which is what
// names and most arguments are. Anything else is for encoding/json.
func plainString(t []byte) (string, bool) {
	if len(t) < 2 || t[0] != '"' || t[len(t)-1] != '"' {
		return "", false
	}
	inner := t[1 : len(t)-1]
	for _, c := range inner {
		if c < 0x20 || c >= 0x7f || c == '"' || c == '\\' {
			return "", false
		}
	}
	return string(inner), true
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

// readInt reads a whole number: a JSON integer, an integral float (42.0)
// or a numeric string ("42").
func readInt(b []byte) (int, error) {
	v, err := jsonValue(b)
	if err != nil {
		return 0, err
	}
	var text string
	switch x := v.(type) {
	case json.Number:
		text = x.String()
	case string:
		text = strings.TrimSpace(x)
	default:
		return 0, fmt.Errorf("must be a whole number; got %s", show(v))
	}
	if n, err := strconv.ParseInt(text, 10, 64); err == nil && n >= math.MinInt && n <= math.MaxInt {
		return int(n), nil
	}
	f, err := strconv.ParseFloat(text, 64)
	if err != nil || f != math.Trunc(f) || math.Abs(f) > 1<<53 {
		return 0, fmt.Errorf("must be a whole number; got %s", show(v))
	}
	return int(f), nil
}

// readList reads a list of strings (numbers become text) or a lone string
// or number as a one-element list.
func readList(b []byte) ([]string, error) {
	v, err := jsonValue(b)
	if err != nil {
		return nil, err
	}
	switch x := v.(type) {
	case string:
		return []string{x}, nil
	case json.Number:
		return []string{x.String()}, nil
	case []any:
		out := make([]string, 0, len(x))
		for _, e := range x {
			s, ok := toText(e)
			if !ok {
				return nil, fmt.Errorf("must be a list of strings; got %s", show(v))
			}
			out = append(out, s)
		}
		return out, nil
	}
	return nil, fmt.Errorf("must be a list of strings; got %s", show(v))
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

// outOfRange is the refusal of a number outside [lo, hi].
func outOfRange(arg string, n, lo, hi int, def string) error {
	msg := fmt.Sprintf("%s %d is out of range; use %d to %d", arg, n, lo, hi)
	if def != "" {
		msg += " (default " + def + ")"
	}
	return fmt.Errorf("%s", msg)
}
