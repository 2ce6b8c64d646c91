package resources

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"time"
	"unicode/utf8"

	"github.com/sprites-mcp/sprites-mcp/client"
	"github.com/sprites-mcp/sprites-mcp/tools/summary"
)

// maxFieldChars cuts any one string of a service (cmd, an arg, an env value,
// the last error) so that a single huge value cannot crowd out the rest.
const maxFieldChars = 500

// stateJSON is a service's state as the resources show it.
type stateJSON struct {
	Status        client.Status `json:"status"`
	PID           int           `json:"pid,omitempty"`
	StartedAt     time.Time     `json:"started_at,omitzero"`
	RestartCount  int           `json:"restart_count"`
	NextRestartAt time.Time     `json:"next_restart_at,omitzero"`
	Error         string        `json:"error,omitempty"`
}

// listEntryJSON is one service in the list resource: its state, plus what
// links it to others.
type listEntryJSON struct {
	Name     string   `json:"name"`
	Needs    []string `json:"needs"`
	HTTPPort *int     `json:"http_port,omitempty"`
	stateJSON
	URI string `json:"uri"`
}

type listJSON struct {
	Sprite    string          `json:"sprite"`
	Count     int             `json:"count"`
	Services  []listEntryJSON `json:"services"`
	Truncated bool            `json:"truncated,omitempty"`
	Omitted   int             `json:"omitted,omitempty"`
	Note      string          `json:"note,omitempty"`
}

type definitionJSON struct {
	Cmd      string            `json:"cmd"`
	Args     []string          `json:"args,omitempty"`
	Env      map[string]string `json:"env,omitempty"`
	Dir      string            `json:"dir,omitempty"`
	Needs    []string          `json:"needs"`
	HTTPPort *int              `json:"http_port,omitempty"`
}

type serviceJSON struct {
	Sprite     string         `json:"sprite"`
	Name       string         `json:"name"`
	Definition definitionJSON `json:"definition"`
	State      stateJSON      `json:"state"`
	LogsURI    string         `json:"logs_uri"`
	Truncated  bool           `json:"truncated,omitempty"`
	Note       string         `json:"note,omitempty"`
}

func toState(st client.State) stateJSON {
	return stateJSON{
		Status:        st.Status,
		PID:           st.PID,
		StartedAt:     st.StartedAt,
		RestartCount:  st.RestartCount,
		NextRestartAt: st.NextRestartAt,
		Error:         summary.CleanLine(st.Error, maxFieldChars),
	}
}

func needsOf(s client.Service) []string {
	if s.Needs == nil {
		return []string{}
	}
	return s.Needs
}

// renderList renders every service of sprite with its state, within budget
// characters: when they do not all fit, the services that fit are shown
// and the rest counted, and the list says so.
func renderList(sprite string, svcs []client.Service, budget int) string {
	sorted := slices.Clone(svcs)
	slices.SortFunc(sorted, func(a, b client.Service) int {
		switch {
		case a.Name < b.Name:
			return -1
		case a.Name > b.Name:
			return 1
		}
		return 0
	})
	entries := make([][]byte, 0, len(sorted))
	for _, s := range sorted {
		b, _ := json.Marshal(listEntryJSON{
			Name:      s.Name,
			Needs:     needsOf(s),
			HTTPPort:  s.HTTPPort,
			stateJSON: toState(s.State),
			URI:       serviceURI(sprite, s.Name),
		})
		entries = append(entries, b)
	}
	// The envelope with the truncation note is at most ~300 characters;
	// keep entries within what remains.
	room := budget - 300
	shown := 0
	used := 0
	for _, e := range entries {
		n := utf8.RuneCount(e) + 4 // ",\n  " between entries
		if used+n > room {
			break
		}
		used += n
		shown++
	}
	out := listJSON{Sprite: sprite, Count: len(sorted), Services: []listEntryJSON{}}
	if shown < len(entries) {
		out.Truncated = true
		out.Omitted = len(entries) - shown
		out.Note = fmt.Sprintf("%d of %d services shown (%d-character budget); read sprites://%s/services/{service_name} for one service",
			shown, len(entries), budget, sprite)
	}
	// Each entry on its own line: compact, yet readable by a person.
	var b bytes.Buffer
	head, _ := json.Marshal(out)
	// head ends with `"services":[]...}`: splice the entries into the array.
	i := bytes.Index(head, []byte(`"services":[]`)) + len(`"services":[`)
	b.Write(head[:i])
	for k, e := range entries[:shown] {
		if k > 0 {
			b.WriteByte(',')
		}
		b.WriteString("\n  ")
		b.Write(e)
	}
	if shown > 0 {
		b.WriteByte('\n')
	}
	b.Write(head[i:])
	return b.String()
}

// renderService renders one service's definition and state within budget
// characters. Env values that look like secrets are masked, and every
// string is cleaned like log lines (ANSI stripped, secrets masked, cut).
// When the whole does not fit, env and args are shortened, then left out,
// and the JSON says so.
func renderService(sprite string, s *client.Service, budget int) string {
	out := serviceJSON{
		Sprite: sprite,
		Name:   s.Name,
		Definition: definitionJSON{
			Cmd:      summary.CleanLine(s.Cmd, maxFieldChars),
			Args:     cleanAll(s.Args, maxFieldChars),
			Env:      cleanEnv(summary.MaskEnv(s.Env), maxFieldChars),
			Dir:      summary.CleanLine(s.Dir, maxFieldChars),
			Needs:    needsOf(*s),
			HTTPPort: s.HTTPPort,
		},
		State:   toState(s.State),
		LogsURI: logsURI(sprite, s.Name),
	}
	b := marshalIndent(out)
	if utf8.RuneCount(b) <= budget {
		return string(b)
	}
	out.Truncated = true
	out.Definition.Args = cleanAll(s.Args, 60)
	out.Definition.Env = cleanEnv(summary.MaskEnv(s.Env), 60)
	out.Note = fmt.Sprintf("args and env values cut to 60 characters to fit the %d-character budget; service_get shows them", budget)
	if b = marshalIndent(out); utf8.RuneCount(b) <= budget {
		return string(b)
	}
	out.Definition.Args, out.Definition.Env = nil, nil
	out.Note = fmt.Sprintf("%d args and %d env entries left out to fit the %d-character budget; service_get shows them",
		len(s.Args), len(s.Env), budget)
	return string(marshalIndent(out))
}

func marshalIndent(v any) []byte {
	b, _ := json.MarshalIndent(v, "", "  ")
	return b
}

func cleanAll(ss []string, maxChars int) []string {
	if len(ss) == 0 {
		return nil
	}
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = summary.CleanLine(s, maxChars)
	}
	return out
}

func cleanEnv(env map[string]string, maxChars int) map[string]string {
	if len(env) == 0 {
		return nil
	}
	out := make(map[string]string, len(env))
	for _, k := range slices.Sorted(maps.Keys(env)) {
		out[summary.CleanLine(k, maxChars)] = summary.CleanLine(env[k], maxChars)
	}
	return out
}
