package schema

import (
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/invopop/jsonschema"

	"github.com/sprites-mcp/sprites-mcp/client"
	"github.com/sprites-mcp/sprites-mcp/internal/config"
)

// Text is a free-form string argument (dir): a string, or a number as its
// text, trimmed. It has no constraint.
type Text string

func (t *Text) UnmarshalJSON(b []byte) error {
	if isNull(b) {
		return nil
	}
	s, err := readText(b)
	*t = Text(s)
	return err
}

// Command is service_create's cmd: a program name, not empty.
type Command string

func (c *Command) UnmarshalJSON(b []byte) error {
	if isNull(b) {
		return nil
	}
	s, err := readText(b)
	*c = Command(s)
	return err
}

// Validate refuses an empty command.
func (c Command) Validate(arg string) error {
	if c == "" {
		return fmt.Errorf("%s is empty: name the program to run", arg)
	}
	return nil
}

func (Command) jsonSchema() *jsonschema.Schema {
	return &jsonschema.Schema{Type: "string", MinLength: uintPtr(1)}
}

// MaxPatternChars bounds a grep pattern.
const MaxPatternChars = 1000

// Pattern is a regular expression in Go's RE2 syntax, at most
// MaxPatternChars characters.
type Pattern string

func (p *Pattern) UnmarshalJSON(b []byte) error {
	if isNull(b) {
		return nil
	}
	s, err := readText(b)
	*p = Pattern(s)
	return err
}

// Regexp is the compiled expression; nil when there is none. Validate has
// checked that it compiles.
func (p Pattern) Regexp() *regexp.Regexp {
	if p == "" {
		return nil
	}
	return regexp.MustCompile(string(p))
}

// Validate bounds the length and compiles the expression.
func (p Pattern) Validate(arg string) error {
	if err := maxChars(arg, string(p), MaxPatternChars); err != nil {
		return err
	}
	if _, err := regexp.Compile(string(p)); err != nil {
		return fmt.Errorf("%s %q is not a valid regular expression (Go RE2 syntax): %v", arg, string(p), err)
	}
	return nil
}

func (Pattern) jsonSchema() *jsonschema.Schema {
	return &jsonschema.Schema{Type: "string", MaxLength: uintPtr(MaxPatternChars)}
}

// List is a list of strings (args). Numbers become text; a lone string is
// a one-element list.
type List []string

func (l *List) UnmarshalJSON(b []byte) error {
	if isNull(b) {
		return nil
	}
	list, err := readList(b)
	*l = list
	return err
}

// Env is a set of environment variables. Besides {"K": "v"} (numbers and
// booleans become text, null an empty value) it accepts a list of "K=V"
// strings or one "K=V" string.
type Env map[string]string

func (e *Env) UnmarshalJSON(b []byte) error {
	if isNull(b) {
		return nil
	}
	v, err := jsonValue(b)
	if err != nil {
		return err
	}
	m, err := toEnv(v)
	*e = m
	return err
}

func toEnv(v any) (map[string]string, error) {
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
				return nil, fmt.Errorf("value of %q must be a string; got %s", k, show(e))
			}
		}
		return out, nil
	case string:
		return toEnv([]any{x})
	case []any:
		for _, e := range x {
			s, ok := e.(string)
			k, val, found := strings.Cut(s, "=")
			if !ok || !found || strings.TrimSpace(k) == "" {
				return nil, fmt.Errorf("must be an object such as {\"PORT\": \"8080\"} (or a list of \"NAME=value\"); got %s", show(e))
			}
			out[strings.TrimSpace(k)] = val
		}
		return out, nil
	}
	return nil, fmt.Errorf("must be an object such as {\"PORT\": \"8080\"}; got %s", show(v))
}

// LogLines is how many log lines service_logs returns: 1 to config.MaxLogLines.
type LogLines int

func (n *LogLines) UnmarshalJSON(b []byte) error {
	if isNull(b) {
		return nil
	}
	v, err := readInt(b)
	*n = LogLines(v)
	return err
}

// Validate bounds the count.
func (n LogLines) Validate(arg string) error {
	if n < 1 || n > config.MaxLogLines {
		return outOfRange(arg, int(n), 1, config.MaxLogLines, strconv.Itoa(config.DefaultLogLines))
	}
	return nil
}

func (LogLines) jsonSchema() *jsonschema.Schema {
	return &jsonschema.Schema{Type: "integer", Minimum: "1", Maximum: json.Number(strconv.Itoa(config.MaxLogLines))}
}

// Port is a TCP port, 1 to 65535.
type Port int

func (p *Port) UnmarshalJSON(b []byte) error {
	if isNull(b) {
		return nil
	}
	v, err := readInt(b)
	*p = Port(v)
	return err
}

// Validate bounds the port.
func (p Port) Validate(arg string) error {
	if p < 1 || p > 65535 {
		return outOfRange(arg, int(p), 1, 65535, "")
	}
	return nil
}

func (Port) jsonSchema() *jsonschema.Schema {
	return &jsonschema.Schema{Type: "integer", Minimum: "1", Maximum: "65535"}
}

// readEnum reads one of values from a string (a number is taken as its
// text): exactly, in any case, or as any of the extra words that alias
// gives for the trimmed input.
func readEnum(b []byte, values []string, alias func(s string) []string) (string, error) {
	v, err := jsonValue(b)
	if err != nil {
		return "", err
	}
	s, ok := toText(v)
	if !ok {
		return "", fmt.Errorf("must be a string; got %s", show(v))
	}
	s = strings.TrimSpace(s)
	for _, c := range append([]string{s}, alias(s)...) {
		for _, e := range values {
			if strings.EqualFold(c, e) {
				return e, nil
			}
		}
	}
	return "", fmt.Errorf("%s is not accepted; use one of %s", show(v), strings.Join(values, ", "))
}

func enumSchema(values []string) *jsonschema.Schema {
	s := &jsonschema.Schema{Type: "string"}
	for _, v := range values {
		s.Enum = append(s.Enum, v)
	}
	return s
}

func checkEnum(arg, v string, values []string) error {
	if !slices.Contains(values, v) {
		return fmt.Errorf("%s %q is not accepted; use one of %s", arg, v, strings.Join(values, ", "))
	}
	return nil
}

// Signal is a signal for a service's process group. Besides the names
// ("TERM") it accepts the SIG prefix, any case, and the usual numbers.
type Signal string

// signals are the accepted signals, in the order the schema lists them.
var signals = []string{"TERM", "HUP", "INT", "KILL", "QUIT", "USR1", "USR2"}

// signalNumbers are the numbers agents use for the accepted signals.
var signalNumbers = map[string]string{"1": "HUP", "2": "INT", "3": "QUIT", "9": "KILL", "10": "USR1", "12": "USR2", "15": "TERM"}

func (s *Signal) UnmarshalJSON(b []byte) error {
	if isNull(b) {
		return nil
	}
	v, err := readEnum(b, signals, func(in string) []string {
		out := []string{client.NormalizeSignal(in)}
		if name, ok := signalNumbers[in]; ok {
			out = append(out, name)
		}
		return out
	})
	*s = Signal(v)
	return err
}

// Validate refuses a signal outside signals.
func (s Signal) Validate(arg string) error { return checkEnum(arg, string(s), signals) }

func (Signal) jsonSchema() *jsonschema.Schema { return enumSchema(signals) }

// StreamFilter selects a log's output: stdout, stderr or both. "all",
// "combined", "out" and "err" are taken as the words agents mean.
type StreamFilter string

// streamFilters are the accepted values, in the order the schema lists them.
var streamFilters = []string{"stdout", "stderr", "both"}

var streamAliases = map[string]string{"all": "both", "out": "stdout", "err": "stderr", "combined": "both"}

func (f *StreamFilter) UnmarshalJSON(b []byte) error {
	if isNull(b) {
		return nil
	}
	v, err := readEnum(b, streamFilters, func(in string) []string {
		if a, ok := streamAliases[strings.ToLower(in)]; ok {
			return []string{a}
		}
		return nil
	})
	*f = StreamFilter(v)
	return err
}

// Validate refuses a value outside streamFilters.
func (f StreamFilter) Validate(arg string) error { return checkEnum(arg, string(f), streamFilters) }

func (StreamFilter) jsonSchema() *jsonschema.Schema { return enumSchema(streamFilters) }
