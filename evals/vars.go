package main

import (
	"fmt"
	"regexp"
	"strconv"
)

// varRef is a reference to a variable in a scenario string: ${name}.
var varRef = regexp.MustCompile(`\$\{([A-Za-z0-9_]+)\}`)

// expand replaces ${name} in every string of v with the variable's value.
// A string that is only a reference takes the value itself, so
// "http_port": "${port}" sends a number. An unknown name is an error.
func expand(v any, vars map[string]any) (any, error) {
	switch x := v.(type) {
	case string:
		if m := varRef.FindStringSubmatch(x); m != nil && m[0] == x {
			val, ok := vars[m[1]]
			if !ok {
				return nil, fmt.Errorf("unknown variable ${%s}", m[1])
			}
			return val, nil
		}
		var err error
		out := varRef.ReplaceAllStringFunc(x, func(ref string) string {
			name := ref[2 : len(ref)-1]
			val, ok := vars[name]
			if !ok {
				err = fmt.Errorf("unknown variable ${%s}", name)
				return ref
			}
			return text(val)
		})
		return out, err
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			var err error
			if out[i], err = expand(e, vars); err != nil {
				return nil, err
			}
		}
		return out, nil
	case []string:
		out := make([]string, len(x))
		for i, e := range x {
			v, err := expand(e, vars)
			if err != nil {
				return nil, err
			}
			out[i] = text(v)
		}
		return out, nil
	case map[string]any:
		// Keys too: a count of "${secret}" counts the secret.
		out := make(map[string]any, len(x))
		for k, e := range x {
			key, err := expandString(k, vars)
			if err != nil {
				return nil, err
			}
			if out[key], err = expand(e, vars); err != nil {
				return nil, err
			}
		}
		return out, nil
	case map[string]string:
		out := make(map[string]string, len(x))
		for k, e := range x {
			v, err := expand(e, vars)
			if err != nil {
				return nil, err
			}
			out[k] = text(v)
		}
		return out, nil
	}
	return v, nil
}

// expandString is expand for a string that must stay one.
func expandString(s string, vars map[string]any) (string, error) {
	v, err := expand(s, vars)
	return text(v), err
}

// text renders a variable's value inside a string: numbers without a
// fraction as integers.
func text(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case float64:
		if x == float64(int64(x)) {
			return strconv.FormatInt(int64(x), 10)
		}
		return strconv.FormatFloat(x, 'f', -1, 64)
	case int:
		return strconv.Itoa(x)
	}
	return show(v)
}
