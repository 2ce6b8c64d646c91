package schema

import (
	"fmt"
	"strings"
	"time"

	"github.com/invopop/jsonschema"
)

// Since is service_logs' since: where the lines begin, either a duration
// back from now ("90s", "10m", "2h"; read like Duration, so "10 minutes"
// and a bare number of seconds pass too) or an RFC 3339 time
// ("2026-06-02T17:11:17Z"). It is kept as written and resolved against
// the clock when the call runs (From).
type Since string

func (s *Since) UnmarshalJSON(b []byte) error {
	if isNull(b) {
		return nil
	}
	v, err := readText(b)
	*s = Since(v)
	return err
}

// sinceSkew is how far in the future an RFC 3339 since may lie: clocks of
// agent, server and runtime differ a little, more is a mistake.
const sinceSkew = time.Minute

// Validate refuses what is neither form, a negative duration and a time
// in the future.
func (s Since) Validate(arg string) error {
	_, err := s.From(arg, time.Now())
	return err
}

// From is the time the lines must be at or after, for a call made at now
// (the zero time when since was not given), or why the value is refused,
// naming the argument arg.
func (s Since) From(arg string, now time.Time) (time.Time, error) {
	t, err := s.from(now)
	if err != nil {
		return time.Time{}, fmt.Errorf("%s %w", arg, err)
	}
	return t, nil
}

func (s Since) from(now time.Time) (time.Time, error) {
	text := strings.TrimSpace(string(s))
	if text == "" {
		return time.Time{}, nil
	}
	if t, err := time.Parse(time.RFC3339Nano, text); err == nil {
		if t.After(now.Add(sinceSkew)) {
			return time.Time{}, fmt.Errorf("%s is in the future; give a past time or a duration back from now such as 10m", text)
		}
		return t, nil
	}
	d, ok := parseDuration(text)
	if !ok {
		return time.Time{}, fmt.Errorf("%q is neither a duration back from now (90s, 10m, 2h) nor an RFC 3339 time (2026-06-02T17:11:17Z)", text)
	}
	if d < 0 {
		return time.Time{}, fmt.Errorf("%s is negative; give how far back to start, such as 10m", text)
	}
	return now.Add(-d), nil
}

func (Since) jsonSchema() *jsonschema.Schema { return &jsonschema.Schema{Type: "string"} }
