package schema

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/invopop/jsonschema"
)

// Duration is a time span written as a Go duration string on the wire
// ("500ms", "5s", "2m"). Its schema is a plain string. Reading it is
// lenient: a bare number of seconds (5, "0.5") and spelled-out units
// ("5 seconds", "2 minutes") are accepted too. It has no bound of its own;
// the arguments use WatchDuration and StopTimeout, which have.
type Duration time.Duration

// D returns the value as a time.Duration.
func (d Duration) D() time.Duration { return time.Duration(d) }

// String formats like time.Duration ("5s", "1m30s").
func (d Duration) String() string { return time.Duration(d).String() }

// MarshalJSON writes the Go duration string.
func (d Duration) MarshalJSON() ([]byte, error) { return json.Marshal(d.String()) }

// UnmarshalJSON reads a duration string, or a number of seconds.
func (d *Duration) UnmarshalJSON(b []byte) error {
	if isNull(b) {
		return nil
	}
	v, err := jsonValue(b)
	if err != nil {
		return err
	}
	s, ok := toText(v)
	if !ok {
		return fmt.Errorf("must be a string; got %s", show(v))
	}
	parsed, ok := parseDuration(strings.TrimSpace(s))
	if !ok {
		return fmt.Errorf("%s is not a duration: use a number with a unit such as 500ms, 5s or 2m", show(v))
	}
	*d = Duration(parsed)
	return nil
}

func (Duration) jsonSchema() *jsonschema.Schema { return &jsonschema.Schema{Type: "string"} }

// durationWords maps the units agents write out to Go's.
var durationWords = strings.NewReplacer(
	"milliseconds", "ms", "millisecond", "ms", "msecs", "ms", "msec", "ms",
	"seconds", "s", "second", "s", "secs", "s", "sec", "s",
	"minutes", "m", "minute", "m", "mins", "m", "min", "m",
	"hours", "h", "hour", "h", "hrs", "h", "hr", "h",
	" ", "",
)

// parseDuration accepts Go duration strings, a bare number of seconds and
// spelled-out units ("5 seconds").
func parseDuration(s string) (time.Duration, bool) {
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

// inRange refuses a duration outside [0, limit].
func (d Duration) inRange(arg string, limit time.Duration) error {
	if d < 0 || d.D() > limit {
		return fmt.Errorf("%s %s is out of range; use 0 to %s", arg, d, shortDuration(limit))
	}
	return nil
}

// shortDuration prints 5m0s as 5m, as the descriptions do.
func shortDuration(d time.Duration) string {
	s := d.String()
	s = strings.TrimSuffix(s, "0s")
	return strings.TrimSuffix(s, "0m")
}

// WatchDuration is how long a tool watches or follows: 0 to MaxWatch.
type WatchDuration Duration

func (d WatchDuration) D() time.Duration              { return time.Duration(d) }
func (d WatchDuration) String() string                { return Duration(d).String() }
func (d WatchDuration) MarshalJSON() ([]byte, error)  { return Duration(d).MarshalJSON() }
func (d *WatchDuration) UnmarshalJSON(b []byte) error { return (*Duration)(d).UnmarshalJSON(b) }
func (WatchDuration) jsonSchema() *jsonschema.Schema  { return Duration(0).jsonSchema() }
func (d WatchDuration) Validate(arg string) error     { return Duration(d).inRange(arg, MaxWatch) }

// StopTimeout is the grace period of a stop: 0 to MaxStopTimeout.
type StopTimeout Duration

func (d StopTimeout) D() time.Duration              { return time.Duration(d) }
func (d StopTimeout) String() string                { return Duration(d).String() }
func (d StopTimeout) MarshalJSON() ([]byte, error)  { return Duration(d).MarshalJSON() }
func (d *StopTimeout) UnmarshalJSON(b []byte) error { return (*Duration)(d).UnmarshalJSON(b) }
func (StopTimeout) jsonSchema() *jsonschema.Schema  { return Duration(0).jsonSchema() }
func (d StopTimeout) Validate(arg string) error     { return Duration(d).inRange(arg, MaxStopTimeout) }
