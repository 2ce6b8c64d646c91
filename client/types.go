package client

import "github.com/sprites-mcp/sprites-mcp/internal/wire"

// The wire types are defined once, in internal/wire, which the supervisor
// (the runtime this repository ships) shares; these aliases keep them
// under the names callers of this package know.

// Status is a service's lifecycle state as the runtime reports it.
type Status = wire.Status

// The statuses of the Services API.
const (
	StatusStopped  = wire.StatusStopped
	StatusStarting = wire.StatusStarting
	StatusRunning  = wire.StatusRunning
	StatusStopping = wire.StatusStopping
	StatusFailed   = wire.StatusFailed
)

// ServiceRequest is the body of a create/update (PUT). Cmd is the executable
// only; its arguments go in Args.
type ServiceRequest = wire.ServiceRequest

// Service is a service definition together with its current state, as
// returned by list and get. Decoding is tolerant: needs may be null or [],
// http_port absent or null, env and dir absent, unknown fields ignored.
type Service = wire.Service

// State is the runtime's view of a service.
type State = wire.State

// EventType names the kind of a stream event.
type EventType = wire.EventType

// The event types of the Services API streams.
const (
	EventStarted  = wire.EventStarted
	EventStdout   = wire.EventStdout
	EventStderr   = wire.EventStderr
	EventExit     = wire.EventExit
	EventError    = wire.EventError
	EventStopping = wire.EventStopping
	EventStopped  = wire.EventStopped
	EventComplete = wire.EventComplete
)

// Event is one decoded line of an NDJSON stream.
//
// Data is capped by the client (see WithMaxEventData); Truncated says the
// original was longer. A line that is not JSON becomes a stdout event with
// Raw set and the line, without its newline, as Data.
type Event = wire.Event

// LogFiles are the paths of a service's log files, from a complete event.
// Current runtimes write one combined file; older ones wrote two.
type LogFiles = wire.LogFiles

// Sprite is one entry of the list-sprites answer. Only the name is relied
// on; other fields are informative and may be empty.
type Sprite = wire.Sprite

// SpritesPage is one page of ListSprites; its Sprites is never nil after
// ListSprites. HasMore says another page exists: pass
// NextContinuationToken as ListSpritesOptions.ContinuationToken to get it.
type SpritesPage = wire.SpritesPage
