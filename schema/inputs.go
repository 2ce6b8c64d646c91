package schema

import "time"

// Bounds of the tools' arguments. The descriptions below state the same
// numbers; a test keeps them in step.
const (
	// MaxWatch bounds duration (watching after a start, following logs):
	// results must come back while the agent is still waiting.
	MaxWatch = 5 * time.Minute
	// DefaultWatch is how long create, start and restart watch without a
	// duration; DefaultReadyWatch the same with a ready pattern, since a
	// service may take a while to say it is up.
	DefaultWatch      = 5 * time.Second
	DefaultReadyWatch = 30 * time.Second
	// MaxStopTimeout bounds the grace period of a stop.
	MaxStopTimeout = 5 * time.Minute
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
// An argument whose absence means something else than any value is a
// pointer with no default in its tag: create, start and restart's
// duration, whose default is 5s, or 30s with ready (the tools package
// decides; an explicit 0 still returns at once).
//
// Sprite is optional everywhere: the server fills in its default sprite.

// SpriteArg is the sprite argument every service tool takes. It is
// embedded (anonymous) so its JSON key and description are written once;
// the reflector flattens it into the tool's properties.
type SpriteArg struct {
	Sprite SpriteName `json:"sprite,omitempty" jsonschema_description:"Sprite name; omit for the server's default."`
}

// Target names one existing service: the sprite argument and service_name.
// Tools whose service_name reads differently (create, delete, signal)
// embed SpriteArg and declare their own.
type Target struct {
	SpriteArg
	ServiceName ServiceName `json:"service_name" jsonschema_description:"Service name."`
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
	ServiceName ServiceName    `json:"service_name" jsonschema_description:"New service name: letters, digits, '.', '_', '-'."`
	Cmd         Command        `json:"cmd" jsonschema_description:"Program to run; arguments go in args (a whole command line is split if args is empty)."`
	Args        List           `json:"args,omitempty" jsonschema_description:"Arguments, one per element, no shell. For shell syntax: cmd sh, args [\"-c\", \"script\"]."`
	Env         Env            `json:"env,omitempty" jsonschema_description:"Extra environment, {\"NAME\": \"value\"}; secrets are masked in results."`
	Dir         Text           `json:"dir,omitempty" jsonschema_description:"Working directory (default: home)."`
	Needs       ServiceNames   `json:"needs,omitempty" jsonschema_description:"Existing services to start first, in dependency order."`
	HTTPPort    Port           `json:"http_port,omitempty" jsonschema_description:"Port the sprite's URL routes to; one service per sprite may hold it."`
	Duration    *WatchDuration `json:"duration,omitempty" jsonschema_description:"Watch time after the start (Go duration: 500ms, 5s, 2m); 0 returns at once. Default 5s, 30s with ready; at most 5m."`
	Ready       Pattern        `json:"ready,omitempty" jsonschema_description:"Regexp (Go RE2) for the output line that means it is up: returns at the first match; none within duration is an error."`
}

// ServiceStartArgs are the arguments of service_start.
type ServiceStartArgs struct {
	Target
	Duration *WatchDuration `json:"duration,omitempty" jsonschema_description:"Watch time after the start (Go duration: 500ms, 5s, 2m); 0 returns at once. Default 5s, 30s with ready; at most 5m."`
	Ready    Pattern        `json:"ready,omitempty" jsonschema_description:"Regexp (Go RE2) for the output line that means it is up: returns at the first match; none within duration is an error."`
}

// ServiceStopArgs are the arguments of service_stop.
type ServiceStopArgs struct {
	Target
	Timeout StopTimeout `json:"timeout,omitempty" jsonschema:"default=10s" jsonschema_description:"Grace before SIGKILL (Go duration). Default 10s, at most 5m."`
}

// ServiceRestartArgs are the arguments of service_restart.
type ServiceRestartArgs struct {
	Target
	Duration *WatchDuration `json:"duration,omitempty" jsonschema_description:"Watch time after the start (Go duration: 500ms, 5s, 2m); 0 returns at once. Default 5s, 30s with ready; at most 5m."`
	Ready    Pattern        `json:"ready,omitempty" jsonschema_description:"Regexp (Go RE2) for the output line that means it is up: returns at the first match; none within duration is an error."`
}

// ServiceLogsArgs are the arguments of service_logs.
type ServiceLogsArgs struct {
	Target
	Lines    LogLines      `json:"lines,omitempty" jsonschema:"default=100" jsonschema_description:"Latest lines to return, after the filters. Default 100, 1 to 2000."`
	Duration WatchDuration `json:"duration,omitempty" jsonschema:"default=0s" jsonschema_description:"Follow new output this long (Go duration: 10s, 1m). Default 0, at most 5m."`
	Grep     Pattern       `json:"grep,omitempty" jsonschema_description:"Only lines matching this regular expression (Go RE2; (?i) ignores case). Searches the latest 50000 lines."`
	Stream   StreamFilter  `json:"stream,omitempty" jsonschema:"default=both" jsonschema_description:"Which output. Default both."`
	Since    Since         `json:"since,omitempty" jsonschema_description:"Only lines at or after this: a duration back from now (90s, 10m, 2h) or an RFC 3339 time."`
}

// ServiceDeleteArgs are the arguments of service_delete.
type ServiceDeleteArgs struct {
	SpriteArg
	ServiceName ServiceName `json:"service_name" jsonschema_description:"Service to delete."`
}

// ServiceSignalArgs are the arguments of service_signal.
type ServiceSignalArgs struct {
	SpriteArg
	ServiceName ServiceName `json:"service_name" jsonschema_description:"A running service."`
	Signal      Signal      `json:"signal" jsonschema_description:"Signal for the process group (SIGTERM style accepted)."`
}

// ListSpritesArgs are the arguments of list_sprites.
type ListSpritesArgs struct {
	Prefix NamePrefix `json:"prefix,omitempty" jsonschema_description:"Only sprites whose name starts with this."`
}
