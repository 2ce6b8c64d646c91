package wire

import (
	"encoding/json"
	"testing"
)

// getAnswer is the embedded runtime's answer to a get of a running service.
const getAnswerForTest = `{"name":"web","cmd":"sleep","args":["3600"],"needs":[],"state":{"name":"web","status":"running","pid":28707,"started_at":"2026-12-03T09:37:53.624178Z","restart_count":0,"next_restart_at":"0001-01-01T00:00:00Z"}}`

// BenchmarkServiceUnmarshal is a get's answer decoded by json.Unmarshal
// into a Service (through its UnmarshalJSON), as callers outside the
// client do.
func BenchmarkServiceUnmarshal(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		var s Service
		if err := json.Unmarshal([]byte(getAnswerForTest), &s); err != nil || s.State.PID != 28707 {
			b.Fatal(err)
		}
	}
}

// BenchmarkDecodeService is the same answer decoded as the client decodes
// a get.
func BenchmarkDecodeService(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		s, err := DecodeService([]byte(getAnswerForTest))
		if err != nil || s.State.PID != 28707 {
			b.Fatal(err)
		}
	}
}
