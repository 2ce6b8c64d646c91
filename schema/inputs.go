package schema

import "time"

// Bounds of the tools' arguments. The descriptions below state the same
// numbers; a test keeps them in step.
const (
	// MaxWatch bounds duration (watching after a start, following logs):
	// results must come back while the agent is still waiting.
	MaxWatch = 5 * time.Minute
	// MaxStopTimeout bounds the grace period of a stop.
	MaxStopTimeout = 5 * time.Minute
	// DefaultLogLines and MaxLogLines bound service_logs' lines.
	DefaultLogLines = 100
	MaxLogLines     = 2000
)

// Every argument has a type of this package that reads it leniently and
// validates it (see Validator): the bounds and enums in the schemas come
// from those types, from the constants above, never from the struct tags.
// The tags hold what is particular to one field: its description and its
// default (tags cannot refer to constants, so a default is repeated there;
// TestDescriptionsStateTheBounds keeps it in step). The sprite and
// service_name arguments shared by several tools are written once, in
// SpriteArg and Target.
//
// Sprite is optional everywhere: the server fills in its default sprite.

// SpriteArg is the sprite argument every service tool takes. It is
// embedded (anonymous) so its JSON key and description are written once;
// the reflector flattens it into the tool's properties.
type SpriteArg struct {
	Sprite SpriteName `json:"sprite,omitempty" jsonschema_description:"Sprite name. Optional when the server has a default sprite (the embedded runtime's only sprite is local)."`
}

// Target names one existing service: the sprite argument and service_name.
// Tools whose service_name reads differently (create, delete, signal)
// embed SpriteArg and declare their own.
type Target struct {
	SpriteArg
	ServiceName ServiceName `json:"service_name" jsonschema_description:"Name of the service (call service_list for the names)."`
}

// ServiceListArgs are the arguments of service_list.
type ServiceListArgs struct {
	SpriteArg
}

// ServiceGetArgs are the arguments of service_get.
type ServiceGetArgs struct {
	Target
}

// ServiceCreateArgs are the arguments of service_create.
type ServiceCreateArgs struct {
	SpriteArg
	ServiceName ServiceName   `json:"service_name" jsonschema_description:"Name for the service: letters, digits, '.', '_' and '-', at most 63 characters. An existing service of that name is replaced."`
	Cmd         Command       `json:"cmd" jsonschema_description:"The program to run, without its arguments (put those in args). A whole command line such as 'python3 -m http.server 8000' is split into cmd and args when args is empty."`
	Args        List          `json:"args,omitempty" jsonschema_description:"Arguments for cmd, one per element, passed without a shell. For shell syntax use cmd 'sh' with args ['-c', 'your script']."`
	Env         Env           `json:"env,omitempty" jsonschema_description:"Environment variables added to the service's environment, as {\"NAME\": \"value\"}. Secret-looking values are masked in results."`
	Dir         Text          `json:"dir,omitempty" jsonschema_description:"Working directory. Default: the home directory."`
	Needs       ServiceNames  `json:"needs,omitempty" jsonschema_description:"Services that must be running first; they are started in dependency order. Each must already exist."`
	HTTPPort    Port          `json:"http_port,omitempty" jsonschema_description:"Port the sprite's URL routes to (1-65535). Only one service per sprite may hold it."`
	Duration    WatchDuration `json:"duration,omitempty" jsonschema:"default=5s" jsonschema_description:"How long to watch the service after starting it, as a Go duration (500ms, 5s, 2m); 0 returns at once. Default 5s, at most 5m. A crash in that time is reported with its exit code and cause."`
}

// ServiceStartArgs are the arguments of service_start.
type ServiceStartArgs struct {
	Target
	Duration WatchDuration `json:"duration,omitempty" jsonschema:"default=5s" jsonschema_description:"How long to watch the service after starting it, as a Go duration (500ms, 5s, 2m); 0 returns at once. Default 5s, at most 5m. A crash in that time is reported with its exit code and cause."`
}

// ServiceStopArgs are the arguments of service_stop.
type ServiceStopArgs struct {
	Target
	Timeout StopTimeout `json:"timeout,omitempty" jsonschema:"default=10s" jsonschema_description:"Grace period between SIGTERM and SIGKILL to the service's process group, as a Go duration. Default 10s, at most 5m."`
}

// ServiceRestartArgs are the arguments of service_restart.
type ServiceRestartArgs struct {
	Target
	Duration WatchDuration `json:"duration,omitempty" jsonschema:"default=5s" jsonschema_description:"How long to watch the service after it starts again, as a Go duration (500ms, 5s, 2m); 0 returns at once. Default 5s, at most 5m."`
}

// ServiceLogsArgs are the arguments of service_logs.
type ServiceLogsArgs struct {
	Target
	Lines    LogLines      `json:"lines,omitempty" jsonschema:"default=100" jsonschema_description:"How many of the latest lines to return, counted after grep and stream filtering. Default 100, 1 to 2000. Long results keep the head and tail plus error lines."`
	Duration WatchDuration `json:"duration,omitempty" jsonschema:"default=0s" jsonschema_description:"Keep following the log for this long before returning, as a Go duration (10s, 1m). Default 0 (no follow), at most 5m."`
	Grep     Pattern       `json:"grep,omitempty" jsonschema_description:"Only lines matching this regular expression (Go RE2 syntax; prefix (?i) to ignore case). Searches the latest 50000 lines."`
	Stream   StreamFilter  `json:"stream,omitempty" jsonschema:"default=both" jsonschema_description:"Which output to return: stdout, stderr or both. Default both."`
}

// ServiceDeleteArgs are the arguments of service_delete.
type ServiceDeleteArgs struct {
	SpriteArg
	ServiceName ServiceName `json:"service_name" jsonschema_description:"Name of the service to delete (its log file is kept)."`
}

// ServiceSignalArgs are the arguments of service_signal.
type ServiceSignalArgs struct {
	SpriteArg
	ServiceName ServiceName `json:"service_name" jsonschema_description:"Name of a running service (call service_list for the names)."`
	Signal      Signal      `json:"signal" jsonschema_description:"Signal for the service's process group: TERM, HUP, INT, KILL, QUIT, USR1 or USR2 (SIGTERM style is accepted). A service that dies of it counts as crashed and is restarted; use service_stop to stop it."`
}

// ListSpritesArgs are the arguments of list_sprites.
type ListSpritesArgs struct {
	Prefix NamePrefix `json:"prefix,omitempty" jsonschema_description:"Only sprites whose name starts with this."`
}
