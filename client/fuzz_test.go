package client

import (
	"bytes"
	"reflect"
	"testing"
	"unicode/utf8"
)

// FuzzStream feeds arbitrary bytes to the stream decoder with a small data
// cap, so the cap, the salvage of over-long lines and the end-of-stream
// rules are all reached. Invariants: no panic; every event's Data is at
// most the cap and valid UTF-8; the buffers stay bounded by the cap, not
// the input; and every whole line decodes exactly as the encoding/json
// reference decodes it.
//
// Seeds live in testdata/fuzz/FuzzStream; run longer with
//
//	go test -run '^$' -fuzz FuzzStream -fuzztime 2m ./client
func FuzzStream(f *testing.F) {
	f.Add([]byte(`{"type":"stdout","data":"hi\n","timestamp":1}`+"\n"), 16)
	f.Fuzz(func(t *testing.T, data []byte, maxData int) {
		maxData = 1 + abs(maxData)%256
		st := NewStream(bytes.NewReader(data), maxData)
		lines := bytes.Count(data, []byte("\n")) + 1
		n := 0
		for st.Next() {
			ev := st.Event()
			n++
			if len(ev.Data) > maxData {
				t.Fatalf("event data is %d bytes; the cap is %d", len(ev.Data), maxData)
			}
			if !utf8.ValidString(ev.Data) {
				t.Fatalf("event data is not valid UTF-8: %q", ev.Data)
			}
			if ev.Type == "" {
				t.Fatalf("event without a type: %+v", ev)
			}
		}
		if n > lines {
			t.Fatalf("%d events from %d lines", n, lines)
		}
		if limit := st.keepLimit(); cap(st.line) > 2*limit {
			t.Fatalf("line buffer grew to %d bytes; the keep limit is %d", cap(st.line), limit)
		}
		if cap(st.tail) > 2*tailKeep {
			t.Fatalf("tail buffer grew to %d bytes; it keeps %d", cap(st.tail), tailKeep)
		}
		if limit := st.keepLimit(); cap(st.parser.scratch) > 6*limit {
			t.Fatalf("scratch buffer grew to %d bytes; the keep limit is %d", cap(st.parser.scratch), limit)
		}
		st.Close()

		// Differential check, line by line, on lines the decoder keeps whole.
		for line := range bytes.SplitSeq(data, []byte("\n")) {
			trimmed := bytes.TrimSpace(line)
			if len(trimmed) == 0 || trimmed[0] != '{' {
				continue
			}
			var p eventParser
			got, gotOK := p.parseEvent(trimmed, maxData)
			want, wantOK := refParseEvent(trimmed, maxData)
			if gotOK != wantOK || !reflect.DeepEqual(got, want) {
				t.Fatalf("line %q:\n hand decoder %+v %v\n encoding/json %+v %v", trimmed, got, gotOK, want, wantOK)
			}
		}
	})
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}
