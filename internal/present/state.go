package present

import (
	"maps"
	"slices"
	"time"

	"github.com/sprites-mcp/sprites-mcp/client"
	"github.com/sprites-mcp/sprites-mcp/internal/summary"
)

// MaxFieldChars cuts any one string of a service (cmd, dir, an argument,
// an env key or value, the last error), so a 1 MB env value cannot crowd
// out the rest of an answer. A cut string ends in a marker that counts
// what was cut ("…[cut N chars]"), at most MaxCutMarker more characters.
const MaxFieldChars = 300

// MaxCutMarker bounds the "…[cut N chars]" marker a cut field ends with.
const MaxCutMarker = 24

// StampLayout is RFC 3339 in UTC with milliseconds: restart times a second
// apart must not read as the same, and every answer uses one format.
const StampLayout = "2006-01-02T15:04:05.000Z07:00"

// Stamp formats t with StampLayout; the zero time is "" (omitted in JSON).
func Stamp(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(StampLayout)
}

// Field cleans one string of a service the way log lines are cleaned:
// ANSI stripped, secrets masked, invalid UTF-8 replaced, cut to
// MaxFieldChars.
func Field(s string) string { return summary.CleanLine(s, MaxFieldChars) }

// Fields cleans each of ss like Field, cut to maxChars; nil when empty.
func Fields(ss []string, maxChars int) []string {
	if len(ss) == 0 {
		return nil
	}
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = summary.CleanLine(s, maxChars)
	}
	return out
}

// Env masks the values of secret-looking keys and cleans every key and
// value like Field, cut to maxChars; nil when empty.
func Env(env map[string]string, maxChars int) map[string]string {
	if len(env) == 0 {
		return nil
	}
	masked := summary.MaskEnv(env)
	out := make(map[string]string, len(masked))
	for _, k := range slices.Sorted(maps.Keys(masked)) {
		out[summary.CleanLine(k, maxChars)] = summary.CleanLine(masked[k], maxChars)
	}
	return out
}

// knownStatuses are the statuses of the API; anything else reads as
// "unknown", with the runtime's word kept in RuntimeStatus.
var knownStatuses = map[client.Status]bool{
	client.StatusStopped: true, client.StatusStarting: true, client.StatusRunning: true,
	client.StatusStopping: true, client.StatusFailed: true,
}

// State is a service's state as an agent reads it, in tool results and
// resources alike.
type State struct {
	// Status is one of the API's statuses or "unknown"; a stop by request
	// that the runtime reports as failed reads "stopped".
	Status string `json:"status"`
	// RuntimeStatus is the runtime's own word when Status differs from it.
	RuntimeStatus string `json:"runtime_status,omitempty"`
	// PID and StartedAt are shown only while a process is live: a stopped
	// service's last PID names a process that no longer exists.
	PID           int    `json:"pid,omitempty"`
	StartedAt     string `json:"started_at,omitempty"`
	RestartCount  int    `json:"restart_count"`
	NextRestartAt string `json:"next_restart_at,omitempty"`
	Error         string `json:"error,omitempty"`
}

// StateOf is the one view of a runtime state.
func StateOf(st client.State) State {
	out := State{
		Status:        string(st.Status),
		RestartCount:  st.RestartCount,
		NextRestartAt: Stamp(st.NextRestartAt),
		Error:         Field(st.Error),
	}
	switch {
	case StoppedByRequest(st):
		out.Status, out.RuntimeStatus = string(client.StatusStopped), string(st.Status)
	case !knownStatuses[st.Status]:
		out.Status, out.RuntimeStatus = "unknown", summary.CleanLine(string(st.Status), 40)
	}
	if Live(st.Status) {
		out.PID = st.PID
		out.StartedAt = Stamp(st.StartedAt)
	}
	return out
}

// Live reports whether a service in status s has a process.
func Live(s client.Status) bool {
	return s == client.StatusRunning || s == client.StatusStarting || s == client.StatusStopping
}
