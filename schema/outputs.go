package schema

// The tools' structuredContent types. Each tool declares the schema of its
// type as outputSchema, and its result carries a value of that type. Every
// value is bounded by the tools package (--max-result-chars), so the lists
// and strings here are never the service's raw output.
//
// Output schemas are for clients (validation, typed results), and every
// client downloads them with the tool list, four times over for
// ActionResult. So a field whose name and type say it all (pid, sprite,
// lines_seen) has no description, and a description says only what the
// name cannot: units, when a field is absent, what true means. The text
// summary of each result is what the model reads.

// ServiceInfo is one service: its state, and for service_get also its
// definition.
type ServiceInfo struct {
	Name          string            `json:"name"`
	Status        string            `json:"status" jsonschema:"enum=stopped,enum=starting,enum=running,enum=stopping,enum=failed,enum=unknown" jsonschema_description:"A failure with exit code 143 and no restart pending (a requested stop) reads as stopped."`
	PID           int               `json:"pid" jsonschema_description:"0 when not running."`
	HTTPPort      int               `json:"http_port,omitempty"`
	Needs         []string          `json:"needs"`
	RestartCount  int               `json:"restart_count" jsonschema_description:"Crash restarts so far."`
	Error         string            `json:"error" jsonschema_description:"The runtime's last error."`
	UptimeSeconds int64             `json:"uptime_seconds,omitempty"`
	StartedAt     string            `json:"started_at,omitempty" jsonschema_description:"RFC 3339."`
	NextRestartAt string            `json:"next_restart_at,omitempty" jsonschema_description:"When the next crash restart is due (RFC 3339)."`
	RuntimeStatus string            `json:"runtime_status,omitempty" jsonschema_description:"The runtime's status, when status reads it differently."`
	Cmd           string            `json:"cmd,omitempty" jsonschema_description:"cmd, args, env (secrets masked) and dir: service_get only."`
	Args          []string          `json:"args,omitempty"`
	Env           map[string]string `json:"env,omitempty"`
	Dir           string            `json:"dir,omitempty"`
}

// ServiceListResult is the structured result of service_list.
type ServiceListResult struct {
	Sprite    string        `json:"sprite"`
	Total     int           `json:"total"`
	Services  []ServiceInfo `json:"services" jsonschema_description:"In name order; state only."`
	Truncated bool          `json:"truncated" jsonschema_description:"Some left out to fit the result size limit."`
}

// ServiceResult is the structured result of service_get.
type ServiceResult struct {
	Sprite    string      `json:"sprite"`
	Service   ServiceInfo `json:"service"`
	Truncated bool        `json:"truncated" jsonschema_description:"Something was left out or cut to fit the result size limit; note says what."`
	Note      string      `json:"note,omitempty"`
}

// OutputLine is one shown line of a service's output.
type OutputLine struct {
	Stream        string `json:"stream" jsonschema:"enum=stdout,enum=stderr"`
	Text          string `json:"text" jsonschema_description:"ANSI stripped, secrets masked, cut at 500 characters."`
	Repeat        int    `json:"repeat,omitempty" jsonschema_description:"Identical consecutive lines this one stands for."`
	OmittedBefore int    `json:"omitted_before,omitempty" jsonschema_description:"Lines left out just before this one."`
}

// StreamSummary is the bounded digest of an event or log stream.
type StreamSummary struct {
	LinesSeen   int          `json:"lines_seen"`
	BytesSeen   int64        `json:"bytes_seen"`
	StdoutLines int          `json:"stdout_lines"`
	StderrLines int          `json:"stderr_lines"`
	LinesShown  int          `json:"lines_shown"`
	Truncated   bool         `json:"truncated" jsonschema_description:"Some output is not shown or some line was cut."`
	Cut         bool         `json:"cut" jsonschema_description:"The stream ended early (stream_error says why); this covers what arrived."`
	StreamError string       `json:"stream_error,omitempty"`
	LogFile     string       `json:"log_file,omitempty" jsonschema_description:"The log file's path on the sprite."`
	Lines       []OutputLine `json:"lines" jsonschema_description:"Head and tail of the output plus error-looking lines."`
}

// ServiceRef names the service a result is about; results embed it.
type ServiceRef struct {
	Sprite      string `json:"sprite"`
	ServiceName string `json:"service_name"`
}

// Readiness is how a ready pattern fared: matched, or not within the
// window.
type Readiness struct {
	Pattern string  `json:"pattern"`
	Matched bool    `json:"matched"`
	Line    string  `json:"line,omitempty" jsonschema_description:"The line that matched, cleaned."`
	Seconds float64 `json:"seconds" jsonschema_description:"From the call to the match, or to the end of the wait."`
}

// ActionResult is the structured result of service_create, service_start,
// service_stop and service_restart.
type ActionResult struct {
	ServiceRef
	Action         string     `json:"action" jsonschema:"enum=create,enum=start,enum=stop,enum=restart"`
	Outcome        string     `json:"outcome" jsonschema_description:"running, ready, failed at start-up, stopped, already stopped, ..."`
	Reached        bool       `json:"reached" jsonschema_description:"The requested outcome holds; false is also flagged isError."`
	Status         string     `json:"status" jsonschema:"enum=stopped,enum=starting,enum=running,enum=stopping,enum=failed,enum=unknown" jsonschema_description:"Read after the stream ended."`
	PID            int        `json:"pid"`
	ExitCode       *int       `json:"exit_code,omitempty" jsonschema_description:"When the process exited or was stopped while watched."`
	RestartCount   int        `json:"restart_count"`
	WatchedSeconds float64    `json:"watched_seconds"`
	Ready          *Readiness `json:"ready,omitempty" jsonschema_description:"With a ready pattern: whether a line matched."`
	Cause          string     `json:"cause,omitempty" jsonschema_description:"The line or runtime error that most likely explains a failure."`
	Errors         []string   `json:"errors,omitempty" jsonschema_description:"Errors the runtime reported."`
	Note           string     `json:"note,omitempty"`
	StreamSummary
	Service *ServiceInfo `json:"service,omitempty" jsonschema_description:"State read after the stream; absent if it could not be read."`
}

// LogsResult is the structured result of service_logs.
type LogsResult struct {
	ServiceRef
	Grep            string  `json:"grep,omitempty"`
	Stream          string  `json:"stream" jsonschema:"enum=stdout,enum=stderr,enum=both"`
	Since           string  `json:"since,omitempty" jsonschema_description:"The start of the lines (RFC 3339), when since was given."`
	Scanned         int     `json:"scanned" jsonschema_description:"Lines read (at most the latest 50000 when filtering)."`
	Matched         int     `json:"matched" jsonschema_description:"Lines that passed the filters, before the lines limit."`
	FollowedSeconds float64 `json:"followed_seconds"`
	StreamSummary
}

// DeleteResult is the structured result of service_delete.
type DeleteResult struct {
	ServiceRef
	Deleted bool   `json:"deleted" jsonschema_description:"This call removed the definition."`
	Existed bool   `json:"existed"`
	Note    string `json:"note,omitempty"`
}

// SignalResult is the structured result of service_signal.
type SignalResult struct {
	ServiceRef
	Signal  string       `json:"signal"`
	Service *ServiceInfo `json:"service,omitempty" jsonschema_description:"State just after the signal; absent if it could not be read."`
}

// SpriteInfo is one sprite.
type SpriteInfo struct {
	Name   string `json:"name"`
	Status string `json:"status,omitempty"`
	URL    string `json:"url,omitempty"`
}

// SpriteListResult is the structured result of list_sprites.
type SpriteListResult struct {
	Sprites []SpriteInfo `json:"sprites"`
	HasMore bool         `json:"has_more" jsonschema_description:"More exist; narrow with prefix."`
	Note    string       `json:"note,omitempty"`
}
