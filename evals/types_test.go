package evals

// The structured results as an agent's client decodes them, from the
// declared output schemas. They are written out here rather than imported
// from package schema so that a change of the wire contract breaks the
// evals, as it would break agents.

type serviceInfo struct {
	Name          string            `json:"name"`
	Status        string            `json:"status"`
	PID           int               `json:"pid"`
	HTTPPort      int               `json:"http_port"`
	Needs         []string          `json:"needs"`
	RestartCount  int               `json:"restart_count"`
	Error         string            `json:"error"`
	StartedAt     string            `json:"started_at"`
	NextRestartAt string            `json:"next_restart_at"`
	Env           map[string]string `json:"env"`
}

type outputLine struct {
	Stream string `json:"stream"`
	Text   string `json:"text"`
	Repeat int    `json:"repeat"`
}

type streamSummary struct {
	LinesSeen   int          `json:"lines_seen"`
	StdoutLines int          `json:"stdout_lines"`
	StderrLines int          `json:"stderr_lines"`
	LinesShown  int          `json:"lines_shown"`
	Truncated   bool         `json:"truncated"`
	LogFile     string       `json:"log_file"`
	Lines       []outputLine `json:"lines"`
}

type actionResult struct {
	ServiceName  string       `json:"service_name"`
	Outcome      string       `json:"outcome"`
	Reached      bool         `json:"reached"`
	Status       string       `json:"status"`
	PID          int          `json:"pid"`
	ExitCode     *int         `json:"exit_code"`
	RestartCount int          `json:"restart_count"`
	Cause        string       `json:"cause"`
	Errors       []string     `json:"errors"`
	Service      *serviceInfo `json:"service"`
	streamSummary
}

type listResult struct {
	Total    int           `json:"total"`
	Services []serviceInfo `json:"services"`
}

type getResult struct {
	Service serviceInfo `json:"service"`
}

type logsResult struct {
	Scanned int `json:"scanned"`
	Matched int `json:"matched"`
	streamSummary
}

type signalResult struct {
	Signal  string       `json:"signal"`
	Service *serviceInfo `json:"service"`
}
