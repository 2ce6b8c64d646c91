package schema

// The tools' structuredContent types. Each tool declares the schema of its
// type as outputSchema, and its result carries a value of that type. Every
// value is bounded by the tools package (--max-result-chars), so the lists
// and strings here are never the service's raw output.

// ServiceInfo is one service: its state, and for service_get also its
// definition.
type ServiceInfo struct {
	Name          string            `json:"name" jsonschema_description:"Service name."`
	Status        string            `json:"status" jsonschema:"enum=stopped,enum=starting,enum=running,enum=stopping,enum=failed,enum=unknown" jsonschema_description:"Lifecycle status. A failure with exit code 143 and no restart pending (the runtime's report of a requested stop) is shown as stopped."`
	PID           int               `json:"pid" jsonschema_description:"Process id while running; 0 otherwise."`
	HTTPPort      int               `json:"http_port,omitempty" jsonschema_description:"Port the sprite's URL routes to; absent when none."`
	Needs         []string          `json:"needs" jsonschema_description:"Services started before this one."`
	RestartCount  int               `json:"restart_count" jsonschema_description:"Crash restarts so far."`
	Error         string            `json:"error" jsonschema_description:"Last error reported by the runtime; empty when none."`
	UptimeSeconds int64             `json:"uptime_seconds,omitempty" jsonschema_description:"Seconds since the process started; absent when not running."`
	StartedAt     string            `json:"started_at,omitempty" jsonschema_description:"When the process started (RFC 3339)."`
	NextRestartAt string            `json:"next_restart_at,omitempty" jsonschema_description:"When the next crash restart is due (RFC 3339); absent when none is scheduled."`
	RuntimeStatus string            `json:"runtime_status,omitempty" jsonschema_description:"The status as the runtime reported it, when status reads it differently."`
	Cmd           string            `json:"cmd,omitempty" jsonschema_description:"The program (service_get only)."`
	Args          []string          `json:"args,omitempty" jsonschema_description:"Its arguments (service_get only)."`
	Env           map[string]string `json:"env,omitempty" jsonschema_description:"Environment added for the service with secret-looking values masked (service_get only)."`
	Dir           string            `json:"dir,omitempty" jsonschema_description:"Working directory (service_get only)."`
}

// ServiceListResult is the structured result of service_list.
type ServiceListResult struct {
	Sprite    string        `json:"sprite" jsonschema_description:"The sprite listed."`
	Total     int           `json:"total" jsonschema_description:"How many services the sprite has."`
	Services  []ServiceInfo `json:"services" jsonschema_description:"The services in name order (state only; call service_get for a definition)."`
	Truncated bool          `json:"truncated" jsonschema_description:"True when some services were left out to stay within the result size limit."`
}

// ServiceResult is the structured result of service_get.
type ServiceResult struct {
	Sprite    string      `json:"sprite" jsonschema_description:"The sprite of the service."`
	Service   ServiceInfo `json:"service" jsonschema_description:"The service's definition and state."`
	Truncated bool        `json:"truncated" jsonschema_description:"True when env entries or arguments were left out, or cmd, dir or error cut short, to stay within the result size limit."`
	Note      string      `json:"note,omitempty" jsonschema_description:"What was left out when truncated."`
}

// OutputLine is one shown line of a service's output.
type OutputLine struct {
	Stream        string `json:"stream" jsonschema:"enum=stdout,enum=stderr" jsonschema_description:"Which output the line came from."`
	Text          string `json:"text" jsonschema_description:"The line: ANSI escapes stripped, secret-looking values masked, cut at 500 characters."`
	Repeat        int    `json:"repeat,omitempty" jsonschema_description:"How many identical consecutive lines this one stands for, when more than one."`
	OmittedBefore int    `json:"omitted_before,omitempty" jsonschema_description:"Lines left out just before this one."`
}

// StreamSummary is the bounded digest of an event or log stream.
type StreamSummary struct {
	LinesSeen   int          `json:"lines_seen" jsonschema_description:"Output lines seen (stdout and stderr)."`
	BytesSeen   int64        `json:"bytes_seen" jsonschema_description:"Output bytes seen."`
	StdoutLines int          `json:"stdout_lines" jsonschema_description:"Lines seen on stdout."`
	StderrLines int          `json:"stderr_lines" jsonschema_description:"Lines seen on stderr."`
	LinesShown  int          `json:"lines_shown" jsonschema_description:"Lines included in lines."`
	Truncated   bool         `json:"truncated" jsonschema_description:"True when some output is not shown or some line was cut."`
	Cut         bool         `json:"cut" jsonschema_description:"True when the stream ended early (network or server trouble); the summary covers what arrived."`
	StreamError string       `json:"stream_error,omitempty" jsonschema_description:"Why the stream ended early."`
	LogFile     string       `json:"log_file,omitempty" jsonschema_description:"Path of the service's log file on the sprite."`
	Lines       []OutputLine `json:"lines" jsonschema_description:"The lines shown: head and tail of the output plus lines that look like errors."`
}

// ServiceRef names the service a result is about; results embed it.
type ServiceRef struct {
	Sprite      string `json:"sprite" jsonschema_description:"The sprite of the service."`
	ServiceName string `json:"service_name" jsonschema_description:"The service."`
}

// ActionResult is the structured result of service_create, service_start,
// service_stop and service_restart.
type ActionResult struct {
	ServiceRef
	Action         string   `json:"action" jsonschema:"enum=create,enum=start,enum=stop,enum=restart" jsonschema_description:"What was asked."`
	Outcome        string   `json:"outcome" jsonschema_description:"What happened, in a few words: running, failed at start-up, stopped, already stopped, ..."`
	Reached        bool     `json:"reached" jsonschema_description:"True when the requested outcome holds (the service runs after create/start/restart; it is stopped after stop). False results are also flagged isError."`
	Status         string   `json:"status" jsonschema:"enum=stopped,enum=starting,enum=running,enum=stopping,enum=failed,enum=unknown" jsonschema_description:"Final status read after the stream ended."`
	PID            int      `json:"pid" jsonschema_description:"Process id when running; 0 otherwise."`
	ExitCode       *int     `json:"exit_code,omitempty" jsonschema_description:"Exit code when the process exited or was stopped while watched."`
	RestartCount   int      `json:"restart_count" jsonschema_description:"Crash restarts so far."`
	WatchedSeconds float64  `json:"watched_seconds" jsonschema_description:"How long the stream was watched."`
	Cause          string   `json:"cause,omitempty" jsonschema_description:"The output line or runtime error that most likely explains a failure."`
	Errors         []string `json:"errors,omitempty" jsonschema_description:"Errors the runtime reported during the operation."`
	Note           string   `json:"note,omitempty" jsonschema_description:"Anything else worth knowing, such as a restart done as stop then start."`
	StreamSummary
	Service *ServiceInfo `json:"service,omitempty" jsonschema_description:"The service's state read after the stream ended; absent if it could not be read."`
}

// LogsResult is the structured result of service_logs.
type LogsResult struct {
	ServiceRef
	Grep            string  `json:"grep,omitempty" jsonschema_description:"The filter applied."`
	Stream          string  `json:"stream" jsonschema:"enum=stdout,enum=stderr,enum=both" jsonschema_description:"Which output was read."`
	Scanned         int     `json:"scanned" jsonschema_description:"Log lines read from the runtime (the latest 50000 at most when filtering)."`
	Matched         int     `json:"matched" jsonschema_description:"Lines that passed the grep and stream filters (before the lines limit)."`
	FollowedSeconds float64 `json:"followed_seconds" jsonschema_description:"How long the log was followed; 0 when not followed."`
	StreamSummary
}

// DeleteResult is the structured result of service_delete.
type DeleteResult struct {
	ServiceRef
	Deleted bool   `json:"deleted" jsonschema_description:"True when this call removed the definition."`
	Existed bool   `json:"existed" jsonschema_description:"False when there was no such service (nothing to delete)."`
	Note    string `json:"note,omitempty" jsonschema_description:"Anything else worth knowing, such as the log file being kept."`
}

// SignalResult is the structured result of service_signal.
type SignalResult struct {
	ServiceRef
	Signal  string       `json:"signal" jsonschema_description:"The signal sent, without the SIG prefix."`
	Service *ServiceInfo `json:"service,omitempty" jsonschema_description:"The service's state read just after the signal; absent if it could not be read."`
}

// SpriteInfo is one sprite.
type SpriteInfo struct {
	Name   string `json:"name" jsonschema_description:"Sprite name, for the sprite argument of the other tools."`
	Status string `json:"status,omitempty" jsonschema_description:"Sprite status as the API reports it."`
	URL    string `json:"url,omitempty" jsonschema_description:"The sprite's URL."`
}

// SpriteListResult is the structured result of list_sprites.
type SpriteListResult struct {
	Sprites []SpriteInfo `json:"sprites" jsonschema_description:"The sprites found."`
	HasMore bool         `json:"has_more" jsonschema_description:"True when more sprites exist than are listed; narrow with prefix."`
	Note    string       `json:"note,omitempty" jsonschema_description:"Anything else worth knowing, such as a backend with a single sprite."`
}
