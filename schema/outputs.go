package schema

// The tools' structuredContent types. Each tool declares the schema of its
// type as outputSchema, and its result carries a value of that type. Every
// value is bounded by the tools package (--max-result-chars), so the lists
// and strings here are never the service's raw output.
//
// Output schemas are for clients (validation, typed results), not for the
// model, which reads each result's text; and every client downloads them
// with the tool list, ActionResult four times over. So their fields carry
// no jsonschema_description unless the name and type cannot say it: what
// a field means is written here, in Go comments, for the code's readers.

// ServiceState is a service's state, as lists and action results carry
// it.
type ServiceState struct {
	Name string `json:"name"`
	// Status is the lifecycle status; a failure with exit code 143 and no
	// restart pending (the runtime's report of a requested stop) reads as
	// stopped, and RuntimeStatus keeps the runtime's word.
	Status        string   `json:"status" jsonschema:"enum=stopped,enum=starting,enum=running,enum=stopping,enum=failed,enum=unknown"`
	PID           int      `json:"pid"` // 0 when not running
	HTTPPort      int      `json:"http_port,omitempty"`
	Needs         []string `json:"needs"`
	RestartCount  int      `json:"restart_count"` // crash restarts so far
	Error         string   `json:"error"`         // the runtime's last error; empty when none
	UptimeSeconds int64    `json:"uptime_seconds,omitempty"`
	StartedAt     string   `json:"started_at,omitempty"`      // RFC 3339
	NextRestartAt string   `json:"next_restart_at,omitempty"` // RFC 3339; absent when none is due
	RuntimeStatus string   `json:"runtime_status,omitempty"`
}

// ServiceInfo is one service as service_get shows it: its state and its
// definition (env with secret-looking values masked).
type ServiceInfo struct {
	ServiceState
	Cmd  string            `json:"cmd,omitempty"`
	Args []string          `json:"args,omitempty"`
	Env  map[string]string `json:"env,omitempty"`
	Dir  string            `json:"dir,omitempty"`
}

// ServiceListResult is the structured result of service_list: the
// services in name order, state only.
type ServiceListResult struct {
	Sprite    string         `json:"sprite"`
	Total     int            `json:"total"`
	Services  []ServiceState `json:"services"`
	Truncated bool           `json:"truncated"` // some left out to fit the result bound
}

// ServiceResult is the structured result of service_get.
type ServiceResult struct {
	Sprite  string      `json:"sprite"`
	Service ServiceInfo `json:"service"`
	// Truncated says env entries or arguments were left out, or cmd, dir
	// or error cut short, to fit the result bound; Note says what.
	Truncated bool   `json:"truncated"`
	Note      string `json:"note,omitempty"`
}

// OutputLine is one shown line of a service's output: ANSI escapes
// stripped, secret-looking values masked, cut at 500 characters.
type OutputLine struct {
	Stream        string `json:"stream" jsonschema:"enum=stdout,enum=stderr"`
	Text          string `json:"text"`
	Repeat        int    `json:"repeat,omitempty"`         // consecutive lines it stands for: identical, or of one shape (text is then their template)
	Range         string `json:"range,omitempty"`          // a folded run's first and last varying value, "1…3000"
	Also          string `json:"also,omitempty"`           // lone lines of other shapes counted in the run, ×12 "GET /healthz 200"
	OmittedBefore int    `json:"omitted_before,omitempty"` // lines left out just before it
}

// StreamSummary is the bounded digest of an event or log stream.
type StreamSummary struct {
	LinesSeen   int   `json:"lines_seen"` // stdout and stderr
	BytesSeen   int64 `json:"bytes_seen"`
	StdoutLines int   `json:"stdout_lines"`
	StderrLines int   `json:"stderr_lines"`
	LinesShown  int   `json:"lines_shown"`
	Truncated   bool  `json:"truncated"` // some output not shown, or some line cut
	// Cut says the stream ended early (network or server trouble;
	// StreamError says what): the summary covers what arrived.
	Cut         bool   `json:"cut"`
	StreamError string `json:"stream_error,omitempty"`
	LogFile     string `json:"log_file,omitempty"` // the log's path on the sprite
	// Lines are the head and tail of the output plus lines that look like
	// errors.
	Lines []OutputLine `json:"lines"`
}

// ServiceRef names the service a result is about; results embed it.
type ServiceRef struct {
	Sprite      string `json:"sprite"`
	ServiceName string `json:"service_name"`
}

// Readiness is how a ready pattern fared: Line matched it (cleaned), or
// none did in the window. Seconds run from the call to the match, or to
// the end of the wait.
type Readiness struct {
	Pattern string  `json:"pattern"`
	Matched bool    `json:"matched"`
	Line    string  `json:"line,omitempty"`
	Seconds float64 `json:"seconds"`
}

// ActionResult is the structured result of service_create, service_start,
// service_stop and service_restart.
type ActionResult struct {
	ServiceRef
	Action string `json:"action" jsonschema:"enum=create,enum=start,enum=stop,enum=restart"`
	// Outcome is what happened in a few words: running, ready, not ready,
	// failed at start-up, stopped, already stopped, ...
	Outcome string `json:"outcome"`
	// Reached says the requested outcome holds (running, or ready, after
	// create/start/restart; stopped after stop); a false result is also
	// flagged isError.
	Reached bool `json:"reached" jsonschema_description:"The requested outcome holds; if false, isError is set."`
	// Status is read after the stream ended.
	Status string `json:"status" jsonschema:"enum=stopped,enum=starting,enum=running,enum=stopping,enum=failed,enum=unknown"`
	PID    int    `json:"pid"`
	// ExitCode is set when the process exited, or was stopped, while
	// watched.
	ExitCode       *int       `json:"exit_code,omitempty"`
	RestartCount   int        `json:"restart_count"`
	WatchedSeconds float64    `json:"watched_seconds"`
	Ready          *Readiness `json:"ready,omitempty"` // with a ready pattern, unless already running
	// Cause is the output line or runtime error that most likely explains
	// a failure.
	Cause  string   `json:"cause,omitempty"`
	Errors []string `json:"errors,omitempty"` // errors the runtime reported
	// Note is anything else worth knowing, such as a restart done as stop
	// then start.
	Note string `json:"note,omitempty"`
	StreamSummary
	// Service is the state read after the stream; absent when it could
	// not be read.
	Service *ServiceState `json:"service,omitempty"`
}

// LogsResult is the structured result of service_logs.
type LogsResult struct {
	ServiceRef
	Grep   string `json:"grep,omitempty"`
	Stream string `json:"stream" jsonschema:"enum=stdout,enum=stderr,enum=both"`
	Since  string `json:"since,omitempty"` // RFC 3339, when since was given
	// Scanned counts the lines read (after since; the latest 50000 at
	// most when filtering), Matched those that passed grep and stream,
	// before the lines limit.
	Scanned         int     `json:"scanned"`
	Matched         int     `json:"matched"`
	FollowedSeconds float64 `json:"followed_seconds"`
	StreamSummary
}

// DeleteResult is the structured result of service_delete. Existed is
// false when there was nothing to delete; Note says e.g. that the log file
// is kept.
type DeleteResult struct {
	ServiceRef
	Deleted bool   `json:"deleted"`
	Existed bool   `json:"existed"`
	Note    string `json:"note,omitempty"`
}

// SignalResult is the structured result of service_signal: the signal
// sent (without SIG) and the state just after it, absent when it could not
// be read.
type SignalResult struct {
	ServiceRef
	Signal  string        `json:"signal"`
	Service *ServiceState `json:"service,omitempty"`
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
