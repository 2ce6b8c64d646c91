package schema

import (
	"encoding/json"
	"fmt"
	"time"
)

// Duration is a time span written as a Go duration string on the wire
// ("500ms", "5s", "2m"). Its schema is a plain string; the tools' argument
// decoder also accepts a bare number of seconds before it gets here.
type Duration time.Duration

// D returns the value as a time.Duration.
func (d Duration) D() time.Duration { return time.Duration(d) }

// String formats like time.Duration ("5s", "1m30s").
func (d Duration) String() string { return time.Duration(d).String() }

// MarshalJSON writes the Go duration string.
func (d Duration) MarshalJSON() ([]byte, error) { return json.Marshal(d.String()) }

// UnmarshalJSON reads a Go duration string.
func (d *Duration) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("duration must be a string such as \"5s\": %w", err)
	}
	v, err := time.ParseDuration(s)
	if err != nil {
		return fmt.Errorf("duration %q: use a number with a unit such as 500ms, 5s or 2m: %w", s, err)
	}
	*d = Duration(v)
	return nil
}
