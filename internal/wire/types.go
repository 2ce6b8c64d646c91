package wire

import (
	"encoding/json"
	"time"
)

// Status is a service's lifecycle state as the runtime reports it.
type Status string

// The statuses of the Services API.
const (
	StatusStopped  Status = "stopped"
	StatusStarting Status = "starting"
	StatusRunning  Status = "running"
	StatusStopping Status = "stopping"
	StatusFailed   Status = "failed"
)

// ServiceRequest is the body of a create/update (PUT). Cmd is the executable
// only; its arguments go in Args.
type ServiceRequest struct {
	// Name is normally carried by the URL. It is sent in the body only on the
	// retry for runtimes that answer 400 "service name required".
	Name string `json:"name,omitempty"`
	// Cmd is the executable, required: a name on PATH or a path.
	Cmd string `json:"cmd"`
	// Args are the arguments, one per element; no shell parses them.
	Args []string `json:"args,omitempty"`
	// Env is added to the service's base environment.
	Env map[string]string `json:"env,omitempty"`
	// Dir is the working directory; empty leaves the runtime's default.
	Dir string `json:"dir,omitempty"`
	// Needs names services started before this one.
	Needs []string `json:"needs,omitempty"`
	// HTTPPort is the port the Sprite's URL routes to; only one service
	// per Sprite may hold it (409 otherwise). Nil leaves routing alone.
	HTTPPort *int `json:"http_port,omitempty"`
}

// Service is a service definition together with its current state, as
// returned by list and get. Decoding is tolerant: needs may be null or [],
// http_port absent or null, env and dir absent, unknown fields ignored.
type Service struct {
	Name string            `json:"name"`
	Cmd  string            `json:"cmd"`
	Args []string          `json:"args,omitempty"`
	Env  map[string]string `json:"env,omitempty"` // nil when the runtime does not report it
	Dir  string            `json:"dir,omitempty"`
	// Needs is never nil after decoding: null on the wire becomes empty.
	Needs []string `json:"needs"`
	// HTTPPort is nil when absent or null.
	HTTPPort *int  `json:"http_port,omitempty"`
	State    State `json:"state"`
}

// UnmarshalJSON normalises a null needs list to an empty one, so callers
// never have to tell the two apart. The state is decoded in the same pass
// (stateFields), not by a second json.Unmarshal of its own: a get or a
// list is decoded on every tool call.
func (s *Service) UnmarshalJSON(b []byte) error {
	v, err := DecodeService(b)
	if err == nil {
		*s = v
	}
	return err
}

// DecodeService decodes one service as Service.UnmarshalJSON does, in one
// pass: json.Unmarshal into a Service checks the whole answer before it
// calls UnmarshalJSON, which checks it again.
func DecodeService(b []byte) (Service, error) {
	var f serviceFields
	if err := json.Unmarshal(b, &f); err != nil {
		return Service{}, err
	}
	return f.service(), nil
}

// DecodeServices decodes a JSON array of services (null is none) in one
// pass, as DecodeService does one.
func DecodeServices(b []byte) ([]Service, error) {
	var fs []serviceFields
	if err := json.Unmarshal(b, &fs); err != nil {
		return nil, err
	}
	out := make([]Service, len(fs))
	for i := range fs {
		out[i] = fs[i].service()
	}
	return out, nil
}

// plainService is Service without its UnmarshalJSON.
type plainService Service

// serviceFields is Service as it is decoded: its State shadows
// plainService's with tolerant times (stateFields).
type serviceFields struct {
	plainService
	State stateFields `json:"state"`
}

func (f *serviceFields) service() Service {
	s := Service(f.plainService)
	s.State = f.State.state()
	if s.Needs == nil {
		s.Needs = []string{}
	}
	return s
}

// State is the runtime's view of a service.
type State struct {
	Name      string    `json:"name,omitempty"`
	Status    Status    `json:"status"`
	PID       int       `json:"pid,omitempty"`       // 0 when not running
	StartedAt time.Time `json:"started_at,omitzero"` // zero when never started
	// Error says why the last run ended, e.g. "exited with code 1".
	Error string `json:"error,omitempty"`
	// RestartCount grows with every crash restart.
	RestartCount int `json:"restart_count"`
	// NextRestartAt is the zero time when no restart is scheduled. It is
	// always sent, as Sprites do: the zero time goes on the wire as
	// "0001-01-01T00:00:00Z".
	NextRestartAt time.Time `json:"next_restart_at"`
}

// UnmarshalJSON reads a state tolerantly: a time that is empty, null or
// not RFC 3339 is the zero time instead of failing the whole answer.
func (s *State) UnmarshalJSON(b []byte) error {
	var f stateFields
	if err := json.Unmarshal(b, &f); err != nil {
		return err
	}
	*s = f.state()
	return nil
}

// stateFields is State as it is decoded: the same fields, with tolerant
// times. A field added to State is added here too (TestStateFieldsMatch).
type stateFields struct {
	Name          string       `json:"name,omitempty"`
	Status        Status       `json:"status"`
	PID           int          `json:"pid,omitempty"`
	StartedAt     tolerantTime `json:"started_at,omitzero"`
	Error         string       `json:"error,omitempty"`
	RestartCount  int          `json:"restart_count"`
	NextRestartAt tolerantTime `json:"next_restart_at"`
}

func (f stateFields) state() State {
	return State{Name: f.Name, Status: f.Status, PID: f.PID, StartedAt: time.Time(f.StartedAt), Error: f.Error,
		RestartCount: f.RestartCount, NextRestartAt: time.Time(f.NextRestartAt)}
}

// tolerantTime decodes an RFC 3339 JSON string; anything else is the zero
// time.
type tolerantTime time.Time

func (t *tolerantTime) UnmarshalJSON(b []byte) error {
	var v time.Time
	if v.UnmarshalJSON(b) != nil {
		v = time.Time{}
	}
	*t = tolerantTime(v)
	return nil
}

// EventType names the kind of a stream event.
type EventType string

// The event types of the Services API streams.
const (
	EventStarted  EventType = "started"
	EventStdout   EventType = "stdout"
	EventStderr   EventType = "stderr"
	EventExit     EventType = "exit"
	EventError    EventType = "error"
	EventStopping EventType = "stopping"
	EventStopped  EventType = "stopped"
	EventComplete EventType = "complete"
)

// IsOutput reports whether events of this type carry service output.
func (t EventType) IsOutput() bool { return t == EventStdout || t == EventStderr }

// Event is one line of an NDJSON stream.
//
// Truncated and Raw are never sent by a runtime: a reader sets them (the
// client caps Data, and carries a line that is not JSON as stdout).
type Event struct {
	Type EventType `json:"type"`
	// Data is the output chunk of stdout and stderr events (usually a line
	// with its newline) or the message of an error event, valid UTF-8.
	Data string `json:"data,omitempty"`
	// ExitCode is set on exit and stopped events.
	ExitCode *int `json:"exit_code,omitempty"`
	// Timestamp is Unix milliseconds, as on the wire; 0 when absent.
	Timestamp int64 `json:"timestamp,omitempty"`
	// LogFiles is set on the complete event.
	LogFiles *LogFiles `json:"log_files,omitempty"`
	// Truncated says Data was cut to the reader's cap, or the line itself
	// was cut off (an over-long line, or the stream ending mid-line).
	Truncated bool `json:"truncated,omitempty"`
	// Raw says the line was not a JSON event and is carried as stdout.
	Raw bool `json:"raw,omitempty"`
}

// Time returns the event's timestamp, or the zero time when it had none.
func (e Event) Time() time.Time {
	if e.Timestamp == 0 {
		return time.Time{}
	}
	return time.UnixMilli(e.Timestamp)
}

// LogFiles are the paths of a service's log files, from a complete event.
// Current runtimes write one combined file; older ones wrote two.
type LogFiles struct {
	Combined string `json:"combined,omitempty"`
	Stdout   string `json:"stdout,omitempty"`
	Stderr   string `json:"stderr,omitempty"`
}

// Primary returns the most useful log path: combined, else stdout, else stderr.
func (l *LogFiles) Primary() string {
	switch {
	case l == nil:
		return ""
	case l.Combined != "":
		return l.Combined
	case l.Stdout != "":
		return l.Stdout
	default:
		return l.Stderr
	}
}

// Sprite is one entry of the list-sprites answer. Only the name is relied
// on; other fields are informative and may be empty.
type Sprite struct {
	Name   string `json:"name"`
	Status string `json:"status,omitempty"` // e.g. "running", "cold"
	URL    string `json:"url,omitempty"`    // the Sprite's public URL
}

// SpritesPage is one page of the list-sprites answer.
type SpritesPage struct {
	Sprites []Sprite `json:"sprites"`
	// HasMore says another page exists: NextContinuationToken asks for it.
	HasMore               bool   `json:"has_more"`
	NextContinuationToken string `json:"next_continuation_token,omitempty"`
}
