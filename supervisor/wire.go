package supervisor

import "time"

// The wire types below are this package's copy of the Services API
// contract. Their JSON must match client/types.go exactly; the tests decode
// every answer with the client to keep them honest.

// Status is a service's lifecycle state.
type Status string

// The statuses of the Services API.
const (
	StatusStopped  Status = "stopped"
	StatusStarting Status = "starting"
	StatusRunning  Status = "running"
	StatusStopping Status = "stopping"
	StatusFailed   Status = "failed"
)

// ServiceRequest is the body of a create/update (PUT).
type ServiceRequest struct {
	Name     string            `json:"name,omitempty"`
	Cmd      string            `json:"cmd"`
	Args     []string          `json:"args,omitempty"`
	Env      map[string]string `json:"env,omitempty"`
	Dir      string            `json:"dir,omitempty"`
	Needs    []string          `json:"needs,omitempty"`
	HTTPPort *int              `json:"http_port,omitempty"`
}

// Service is a definition with its current state (list and get).
type Service struct {
	Name     string            `json:"name"`
	Cmd      string            `json:"cmd"`
	Args     []string          `json:"args,omitempty"`
	Env      map[string]string `json:"env,omitempty"`
	Dir      string            `json:"dir,omitempty"`
	Needs    []string          `json:"needs"`
	HTTPPort *int              `json:"http_port,omitempty"`
	State    State             `json:"state"`
}

// State is the runtime's view of a service. NextRestartAt is always sent:
// the zero time ("0001-01-01T00:00:00Z") means no restart is scheduled, as
// on Sprites.
type State struct {
	Name          string    `json:"name,omitempty"`
	Status        Status    `json:"status"`
	PID           int       `json:"pid,omitempty"`
	StartedAt     time.Time `json:"started_at,omitzero"`
	Error         string    `json:"error,omitempty"`
	RestartCount  int       `json:"restart_count"`
	NextRestartAt time.Time `json:"next_restart_at"`
}

// Event types of the streams.
const (
	evStarted  = "started"
	evStdout   = "stdout"
	evStderr   = "stderr"
	evExit     = "exit"
	evError    = "error"
	evStopping = "stopping"
	evStopped  = "stopped"
	evComplete = "complete"
)

// Event is one NDJSON line of a stream. Timestamp is Unix milliseconds.
type Event struct {
	Type      string    `json:"type"`
	Data      string    `json:"data,omitempty"`
	ExitCode  *int      `json:"exit_code,omitempty"`
	Timestamp int64     `json:"timestamp,omitempty"`
	LogFiles  *LogFiles `json:"log_files,omitempty"`
}

// LogFiles names a service's log files in a complete event. This runtime
// writes one combined file.
type LogFiles struct {
	Combined string `json:"combined,omitempty"`
	Stdout   string `json:"stdout,omitempty"`
	Stderr   string `json:"stderr,omitempty"`
}

// SpritesPage answers GET /v1/sprites: this runtime serves one Sprite.
type SpritesPage struct {
	Sprites []Sprite `json:"sprites"`
	HasMore bool     `json:"has_more"`
}

// Sprite is one entry of SpritesPage.
type Sprite struct {
	Name   string `json:"name"`
	Status string `json:"status,omitempty"`
}

// apiError is the JSON body of every error answer.
type apiError struct {
	Error   string `json:"error"`
	Message string `json:"message"`
}

func nowMs() int64 { return time.Now().UnixMilli() }

func intPtr(i int) *int { return &i }
