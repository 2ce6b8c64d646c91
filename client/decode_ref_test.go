package client

import (
	"bytes"
	"encoding/json"
)

// refParseEvent is the reference for the hand decoder: the same reading
// rules, but with encoding/json doing the parsing. The fuzz target and the
// table tests check that both agree on every line.
func refParseEvent(b []byte, maxData int) (Event, bool) {
	var m map[string]json.RawMessage
	if json.Unmarshal(b, &m) != nil || m == nil {
		return Event{}, false
	}
	str := func(raw json.RawMessage) (string, bool) {
		var s string
		if len(raw) == 0 || raw[0] != '"' || json.Unmarshal(raw, &s) != nil {
			return "", false
		}
		return s, true
	}
	typ, ok := str(m["type"])
	if !ok || typ == "" {
		return Event{}, false
	}
	ev := Event{Type: EventType(typ)}
	if raw, ok := m["exit_code"]; ok {
		ev.ExitCode = exitCode(raw)
	}
	if raw, ok := m["timestamp"]; ok {
		if s, isStr := str(raw); isStr {
			ev.Timestamp = timestampFromString([]byte(s))
		} else {
			ev.Timestamp = timestampFromNumber(raw)
		}
	}
	if raw, ok := m["log_files"]; ok && bytes.HasPrefix(raw, []byte("{")) {
		var files map[string]json.RawMessage
		if json.Unmarshal(raw, &files) == nil {
			ev.LogFiles = &LogFiles{}
			ev.LogFiles.Combined, _ = str(files["combined"])
			ev.LogFiles.Stdout, _ = str(files["stdout"])
			ev.LogFiles.Stderr, _ = str(files["stderr"])
		}
	}
	if d, ok := str(m["data"]); ok {
		ev.Data, ev.Truncated = capData(d, maxData)
	} else if d, ok := str(m["message"]); ok {
		ev.Data, ev.Truncated = capData(d, maxData)
	}
	return ev, true
}
