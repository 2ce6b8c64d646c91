package resources

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"unicode/utf8"

	"github.com/sprites-mcp/sprites-mcp/client"
	"github.com/sprites-mcp/sprites-mcp/internal/present"
	"github.com/sprites-mcp/sprites-mcp/internal/summary"
)

// listEntryJSON is one service in the list resource: its state, plus what
// links it to others.
type listEntryJSON struct {
	Name     string   `json:"name"`
	Needs    []string `json:"needs"`
	HTTPPort *int     `json:"http_port,omitempty"`
	present.State
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
	State      present.State  `json:"state"`
	LogsURI    string         `json:"logs_uri"`
	Truncated  bool           `json:"truncated,omitempty"`
	Note       string         `json:"note,omitempty"`
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
			Name:     s.Name,
			Needs:    needsOf(s),
			HTTPPort: s.HTTPPort,
			State:    present.StateOf(s.State),
			URI:      present.ServiceURI(sprite, s.Name),
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
// characters, with the field rules of package present (shared with the
// tools): env values that look like secrets masked, every string cleaned
// like log lines (ANSI stripped, secrets masked, cut). When the whole does
// not fit, env and args are shortened, then left out, then the remaining
// strings are cut short and needs dropped, and the JSON says so.
func renderService(sprite string, s *client.Service, budget int) string {
	out := serviceJSON{
		Sprite: sprite,
		Name:   s.Name,
		Definition: definitionJSON{
			Cmd:      present.Field(s.Cmd),
			Args:     present.Fields(s.Args, present.MaxFieldChars),
			Env:      present.Env(s.Env, present.MaxFieldChars),
			Dir:      present.Field(s.Dir),
			Needs:    needsOf(*s),
			HTTPPort: s.HTTPPort,
		},
		State:   present.StateOf(s.State),
		LogsURI: present.LogsURI(sprite, s.Name),
	}
	b := marshalIndent(out)
	if utf8.RuneCount(b) <= budget {
		return string(b)
	}
	out.Truncated = true
	out.Definition.Args = present.Fields(s.Args, 60)
	out.Definition.Env = present.Env(s.Env, 60)
	out.Note = fmt.Sprintf("args and env values cut to 60 characters to fit the %d-character budget; service_get shows them", budget)
	if b = marshalIndent(out); utf8.RuneCount(b) <= budget {
		return string(b)
	}
	out.Definition.Args, out.Definition.Env = nil, nil
	out.Note = fmt.Sprintf("%d args and %d env entries left out to fit the %d-character budget; service_get shows them",
		len(s.Args), len(s.Env), budget)
	if b = marshalIndent(out); utf8.RuneCount(b) <= budget {
		return string(b)
	}
	// Last step: the strings that are still whole get a short cut, and
	// needs are dropped from the end until the whole fits (names are at
	// most 63 characters, so 50 of them alone can exceed a small budget).
	out.Definition.Cmd = summary.CleanLine(s.Cmd, lastResortChars)
	out.Definition.Dir = summary.CleanLine(s.Dir, lastResortChars)
	out.State.Error = summary.CleanLine(s.State.Error, lastResortChars)
	needs := needsOf(*s)
	for keep := min(len(needs), lastResortNeeds); ; keep /= 2 {
		out.Definition.Needs = needs[:keep]
		out.Note = fmt.Sprintf("%d args and %d env entries left out, cmd, dir and error cut to %d characters, %d of %d needs shown, to fit the %d-character budget; service_get shows them",
			len(s.Args), len(s.Env), lastResortChars, keep, len(needs), budget)
		if b = marshalIndent(out); utf8.RuneCount(b) <= budget || keep == 0 {
			return string(b)
		}
	}
}

// The last fallback of renderService: cmd, dir and error cut this short,
// at most this many needs.
const (
	lastResortChars = 100
	lastResortNeeds = 50
)

func marshalIndent(v any) []byte {
	b, _ := json.MarshalIndent(v, "", "  ")
	return b
}
