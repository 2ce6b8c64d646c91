package supervisor

import (
	"time"

	"github.com/sprites-mcp/sprites-mcp/internal/wire"
)

// The Services API contract is internal/wire's, shared with the client;
// these short names keep the handlers readable.
type (
	Status         = wire.Status
	ServiceRequest = wire.ServiceRequest
	Service        = wire.Service
	State          = wire.State
	Event          = wire.Event
	EventType      = wire.EventType
	LogFiles       = wire.LogFiles
	SpritesPage    = wire.SpritesPage
	Sprite         = wire.Sprite
)

// The statuses of the Services API.
const (
	StatusStopped  = wire.StatusStopped
	StatusStarting = wire.StatusStarting
	StatusRunning  = wire.StatusRunning
	StatusStopping = wire.StatusStopping
	StatusFailed   = wire.StatusFailed
)

// Event types of the streams.
const (
	evStarted  = wire.EventStarted
	evStdout   = wire.EventStdout
	evStderr   = wire.EventStderr
	evExit     = wire.EventExit
	evError    = wire.EventError
	evStopping = wire.EventStopping
	evStopped  = wire.EventStopped
	evComplete = wire.EventComplete
)

// apiError is the JSON body of every error answer.
type apiError struct {
	Error   string `json:"error"`
	Message string `json:"message"`
}

func nowMs() int64 { return time.Now().UnixMilli() }

func intPtr(i int) *int { return &i }
