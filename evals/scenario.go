package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/mark3labs/mcp-go/mcp"
)

// Scenario is one eval file of scenarios/: what it proves, the server it
// needs, the services to set up, and the steps with what each answer must
// show. The file format is documented in README.md; unknown keys are
// refused, so a misspelt expectation cannot pass silently.
type Scenario struct {
	Name       string   `json:"name"`
	Proves     string   `json:"proves"`
	Protocol   string   `json:"protocol"`              // 2025-11-25 or 2026-07-28
	ServerArgs []string `json:"server_args,omitempty"` // extra flags, e.g. --read-only
	// Secrets are values no answer may contain: text, structured content,
	// resource contents or prompt messages.
	Secrets []string       `json:"secrets,omitempty"`
	Setup   []SetupService `json:"setup,omitempty"`
	Steps   []Step         `json:"steps"`

	file  string // the file it came from
	order int    // its place in the report
}

// SetupService is a service defined through the runtime's socket before
// the first step, as if an earlier session had created it.
type SetupService struct {
	Name     string            `json:"name"`
	Cmd      string            `json:"cmd"`
	Args     []string          `json:"args,omitempty"`
	Env      map[string]string `json:"env,omitempty"`
	Needs    []string          `json:"needs,omitempty"`
	HTTPPort any               `json:"http_port,omitempty"` // a number, or "${port}"
	// Running waits until it runs before the next setup service.
	Running bool `json:"running,omitempty"`
}

// Step is one thing an agent (or the eval, for files and processes) does.
// Exactly one of Call, Read, Prompt, Wait, File, Write and Processes is set.
type Step struct {
	Note      string         `json:"note,omitempty"`   // why, for the reader
	Call      string         `json:"call,omitempty"`   // a tool name; Args are its arguments
	Read      string         `json:"read,omitempty"`   // a resource URI
	Prompt    string         `json:"prompt,omitempty"` // a prompt name; Args are its arguments (strings)
	Wait      string         `json:"wait,omitempty"`   // a Go duration to sleep
	File      string         `json:"file,omitempty"`   // a file to read (e.g. a log file), not counted as an answer
	Write     string         `json:"write,omitempty"`  // a file to write with Content: the agent changes code
	Content   string         `json:"content,omitempty"`
	Processes bool           `json:"processes,omitempty"`
	Args      map[string]any `json:"args,omitempty"`
	Expect    *Expect        `json:"expect,omitempty"`
	// Retry repeats the step, as an agent polls, until Expect holds.
	Retry *Retry `json:"retry,omitempty"`
	// Save keeps values of the structured answer for later steps, as
	// ${name}: name → path (see Expect.Fields).
	Save map[string]string `json:"save,omitempty"`
}

// Retry bounds a polled step.
type Retry struct {
	Within string `json:"within"`          // give up after this long
	Every  string `json:"every,omitempty"` // default 300ms
}

// Expect is what one answer must show.
type Expect struct {
	// Error: a tool result's isError; for a resource read or a prompt, a
	// protocol error (its message is then the answer's text).
	Error       *bool    `json:"error,omitempty"`
	Mentions    []string `json:"mentions,omitempty"`
	NotMentions []string `json:"not_mentions,omitempty"`
	// MentionsAny: at least one of these.
	MentionsAny []string `json:"mentions_any,omitempty"`
	Matches     []string `json:"matches,omitempty"` // regular expressions the text must match
	MaxChars    int      `json:"max_chars,omitempty"`
	// MaxSeconds: the step answered within this many seconds (a call that
	// must return early, as a start whose service dies before its window).
	MaxSeconds float64 `json:"max_seconds,omitempty"`
	// Count: how often a string occurs in the text (a matcher).
	Count map[string]any `json:"count,omitempty"`
	// Fields: paths into the structured answer ("service.pid",
	// "lines[0].text", "services[name=db].status") and their matchers.
	Fields map[string]any `json:"fields,omitempty"`
	// EveryLine: a regular expression every line of the text matches.
	EveryLine string `json:"every_line,omitempty"`
}

// kind names what a step does, for messages and the report.
func (s Step) kind() string {
	switch {
	case s.Call != "":
		return "call"
	case s.Read != "":
		return "read"
	case s.Prompt != "":
		return "prompt"
	case s.Wait != "":
		return "wait"
	case s.File != "":
		return "file"
	case s.Write != "":
		return "write"
	case s.Processes:
		return "processes"
	}
	return ""
}

// loadScenarios reads every *.json file of dir, in file name order.
func loadScenarios(dir string) ([]*Scenario, error) {
	files, err := filepath.Glob(filepath.Join(dir, "*.json"))
	if err != nil {
		return nil, err
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("no scenario files (*.json) in %s", dir)
	}
	slices.Sort(files)
	var out []*Scenario
	names := map[string]string{}
	for i, f := range files {
		sc, err := loadScenario(f)
		if err != nil {
			return nil, err
		}
		if prev, ok := names[sc.Name]; ok {
			return nil, fmt.Errorf("%s: scenario name %q is already used by %s", f, sc.Name, prev)
		}
		names[sc.Name] = f
		sc.order = i + 1
		out = append(out, sc)
	}
	return out, nil
}

func loadScenario(file string) (*Scenario, error) {
	b, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	var sc Scenario
	if err := dec.Decode(&sc); err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	sc.file = file
	if err := sc.validate(); err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	return &sc, nil
}

// validate refuses a scenario that could not run as written.
func (sc *Scenario) validate() error {
	if sc.Name == "" || sc.Proves == "" {
		return fmt.Errorf("name and proves are required")
	}
	if sc.Protocol != mcp.ProtocolVersion20251125 && sc.Protocol != mcp.ProtocolVersion20260728 {
		return fmt.Errorf("protocol must be %s or %s; got %q", mcp.ProtocolVersion20251125, mcp.ProtocolVersion20260728, sc.Protocol)
	}
	if len(sc.Steps) == 0 {
		return fmt.Errorf("no steps")
	}
	for i, st := range sc.Steps {
		n := 0
		for _, set := range []bool{st.Call != "", st.Read != "", st.Prompt != "", st.Wait != "", st.File != "", st.Write != "", st.Processes} {
			if set {
				n++
			}
		}
		if n != 1 {
			return fmt.Errorf("step %d: set exactly one of call, read, prompt, wait, file, write, processes", i+1)
		}
		if st.Wait != "" {
			if _, err := time.ParseDuration(st.Wait); err != nil {
				return fmt.Errorf("step %d: wait: %w", i+1, err)
			}
		}
		if st.Expect != nil && st.Expect.MaxSeconds < 0 {
			return fmt.Errorf("step %d: max_seconds must not be negative", i+1)
		}
		if st.Retry != nil {
			if _, err := time.ParseDuration(st.Retry.Within); err != nil {
				return fmt.Errorf("step %d: retry.within: %w", i+1, err)
			}
			if st.Expect == nil {
				return fmt.Errorf("step %d: a retry needs an expect to wait for", i+1)
			}
		}
	}
	return nil
}
