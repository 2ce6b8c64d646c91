package main

import (
	"encoding/json"
	"fmt"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// answer is what one step got back, as an agent sees it.
type answer struct {
	text       string  // tool text, resource contents, prompt messages, a protocol error's message, a file
	isError    bool    // isError, or a protocol error for reads and prompts
	structured any     // decoded JSON: structured content, a JSON resource, a prompt's shape
	seconds    float64 // how long the step took to answer, as the agent waited for it
}

// check returns what of e the answer a does not show; nil when all holds.
func (e *Expect) check(a answer) []string {
	if e == nil {
		return nil
	}
	var fails []string
	bad := func(format string, args ...any) { fails = append(fails, fmt.Sprintf(format, args...)) }
	if e.Error != nil && a.isError != *e.Error {
		bad("error is %v, want %v", a.isError, *e.Error)
	}
	for _, m := range e.Mentions {
		if !strings.Contains(a.text, m) {
			bad("does not mention %q", m)
		}
	}
	for _, m := range e.NotMentions {
		if strings.Contains(a.text, m) {
			bad("mentions %q, which it must not", m)
		}
	}
	if len(e.MentionsAny) > 0 && !slices.ContainsFunc(e.MentionsAny, func(m string) bool { return strings.Contains(a.text, m) }) {
		bad("mentions none of %q", e.MentionsAny)
	}
	for _, re := range e.Matches {
		if ok, err := regexp.MatchString(re, a.text); err != nil || !ok {
			bad("does not match /%s/ (%v)", re, err)
		}
	}
	if e.MaxSeconds > 0 && a.seconds > e.MaxSeconds {
		bad("took %.1fs, over %gs", a.seconds, e.MaxSeconds)
	}
	if n := utf8.RuneCountInString(a.text); e.MaxChars > 0 && n > e.MaxChars {
		bad("is %d characters, over %d", n, e.MaxChars)
	}
	for sub, m := range e.Count {
		if msg := match(float64(strings.Count(a.text, sub)), m); msg != "" {
			bad("count of %q: %s", sub, msg)
		}
	}
	for path, m := range e.Fields {
		v, found := lookup(a.structured, path)
		if !found {
			if ops, ok := m.(map[string]any); ok && ops["absent"] == true {
				continue
			}
			bad("field %s is absent", path)
			continue
		}
		if msg := match(v, m); msg != "" {
			bad("field %s: %s", path, msg)
		}
	}
	if e.EveryLine != "" {
		re, err := regexp.Compile(e.EveryLine)
		if err != nil {
			bad("every_line: %v", err)
		} else {
			var odd []string
			for l := range strings.SplitSeq(strings.TrimSuffix(a.text, "\n"), "\n") {
				if !re.MatchString(l) && len(odd) < 3 {
					odd = append(odd, l)
				}
			}
			if len(odd) > 0 {
				bad("lines that do not match /%s/: %q", e.EveryLine, odd)
			}
		}
	}
	return fails
}

// matcherOps are the keys of a matcher object; any other object is a value
// to compare whole.
var matcherOps = map[string]bool{
	"eq": true, "ne": true, "gt": true, "gte": true, "lt": true, "lte": true,
	"contains": true, "not_contains": true, "len": true, "absent": true, "matches": true, "empty": true,
}

func isMatcher(m any) bool {
	ops, ok := m.(map[string]any)
	if !ok || len(ops) == 0 {
		return false
	}
	for k := range ops {
		if !matcherOps[k] {
			return false
		}
	}
	return true
}

// match checks v against m: a matcher object, else equality. It returns
// "" when v passes, else what is wrong.
func match(v, m any) string {
	if !isMatcher(m) {
		if !equal(v, m) {
			return fmt.Sprintf("is %s, want %s", show(v), show(m))
		}
		return ""
	}
	for op, want := range m.(map[string]any) {
		var ok bool
		switch op {
		case "eq":
			ok = equal(v, want)
		case "ne":
			ok = !equal(v, want)
		case "gt", "gte", "lt", "lte":
			c, comparable := compare(v, want)
			ok = comparable && ((op == "gt" && c > 0) || (op == "gte" && c >= 0) || (op == "lt" && c < 0) || (op == "lte" && c <= 0))
		case "contains", "not_contains":
			has := contains(v, want)
			ok = has == (op == "contains")
		case "len":
			ok = match(float64(length(v)), want) == ""
		case "empty":
			ok = (length(v) == 0) == (want == true)
		case "matches":
			s, _ := v.(string)
			pat, _ := want.(string)
			ok, _ = regexp.MatchString(pat, s)
		case "absent":
			ok = want == false // present, as asked
		}
		if !ok {
			return fmt.Sprintf("is %s, want %s %s", show(v), op, show(want))
		}
	}
	return ""
}

// equal compares decoded JSON values; numbers by value.
func equal(a, b any) bool {
	if fa, ok := num(a); ok {
		fb, ok := num(b)
		return ok && fa == fb
	}
	return reflect.DeepEqual(a, b)
}

func num(v any) (float64, bool) {
	switch n := v.(type) {
	case float64:
		return n, true
	case int:
		return float64(n), true
	case int64:
		return float64(n), true
	case json.Number:
		f, err := n.Float64()
		return f, err == nil
	}
	return 0, false
}

// compare orders two numbers, or two strings (RFC 3339 times in one
// format order as strings do).
func compare(a, b any) (int, bool) {
	if fa, ok := num(a); ok {
		fb, ok := num(b)
		if !ok {
			return 0, false
		}
		switch {
		case fa < fb:
			return -1, true
		case fa > fb:
			return 1, true
		}
		return 0, true
	}
	sa, ok1 := a.(string)
	sb, ok2 := b.(string)
	if !ok1 || !ok2 {
		return 0, false
	}
	return strings.Compare(sa, sb), true
}

// contains: a substring of a string, an element of a list, a key of an
// object.
func contains(v, want any) bool {
	switch x := v.(type) {
	case string:
		s, ok := want.(string)
		return ok && strings.Contains(x, s)
	case []any:
		return slices.ContainsFunc(x, func(e any) bool { return equal(e, want) })
	case map[string]any:
		s, ok := want.(string)
		_, has := x[s]
		return ok && has
	}
	return false
}

func length(v any) int {
	switch x := v.(type) {
	case string:
		return utf8.RuneCountInString(x)
	case []any:
		return len(x)
	case map[string]any:
		return len(x)
	}
	return 0
}

func show(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	if len(b) > 200 {
		return string(b[:200]) + "…"
	}
	return string(b)
}

// lookup follows path through decoded JSON: keys separated by dots, [N]
// for a list index, [key=value] for the first list element whose key has
// that value.
func lookup(v any, path string) (any, bool) {
	for _, seg := range splitPath(path) {
		switch {
		case strings.HasPrefix(seg, "["):
			list, ok := v.([]any)
			if !ok {
				return nil, false
			}
			inner := strings.TrimSuffix(strings.TrimPrefix(seg, "["), "]")
			if k, want, ok := strings.Cut(inner, "="); ok {
				found := false
				for _, e := range list {
					if m, ok := e.(map[string]any); ok && fmt.Sprint(m[k]) == want {
						v, found = e, true
						break
					}
				}
				if !found {
					return nil, false
				}
				continue
			}
			i, err := strconv.Atoi(inner)
			if err != nil || i < 0 || i >= len(list) {
				return nil, false
			}
			v = list[i]
		default:
			m, ok := v.(map[string]any)
			if !ok {
				return nil, false
			}
			if v, ok = m[seg]; !ok {
				return nil, false
			}
		}
	}
	return v, true
}

// splitPath splits "a.b[0].c[name=x.y]" into a, b, [0], c, [name=x.y]:
// dots inside brackets belong to the selector.
func splitPath(path string) []string {
	var segs []string
	var cur strings.Builder
	depth := 0
	flush := func() {
		if cur.Len() > 0 {
			segs = append(segs, cur.String())
			cur.Reset()
		}
	}
	for _, r := range path {
		switch {
		case r == '[' && depth == 0:
			flush()
			depth++
			cur.WriteRune(r)
		case r == ']' && depth == 1:
			depth--
			cur.WriteRune(r)
			flush()
		case r == '.' && depth == 0:
			flush()
		default:
			cur.WriteRune(r)
		}
	}
	flush()
	return segs
}
