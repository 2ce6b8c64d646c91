package client

import (
	"bytes"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"
)

// TestParseEventMatchesReference checks the hand decoder against the
// encoding/json reference on the shapes that exercise its corners.
func TestParseEventMatchesReference(t *testing.T) {
	lines := []string{
		`{"type":"stdout","data":"hello\n","timestamp":1780420277901}`,
		`{"type":"stderr","data":"caf\u00e9 \ud83d\ude80 \ud800 lone","timestamp":1.5e3}`,
		`{"type":"exit","exit_code":2,"timestamp":1780420277852}`,
		`{"type":"exit","exit_code":null}`,
		`{"type":"exit","exit_code":"2"}`,
		`{"type":"exit","exit_code":2.5}`,
		`{"type":"stopped","exit_code":143,"unknown":{"a":[1,{"b":null}],"c":true}}`,
		`{"type":"error","message":"not running"}`,
		`{"type":"error","data":null,"message":"from message"}`,
		`{"type":"error","data":"data wins","message":"not this"}`,
		`{"type":"complete","log_files":{"combined":"/x.log","extra":1},"timestamp":1}`,
		`{"type":"complete","log_files":{"stdout":"/o.log","stderr":"/e.log"}}`,
		`{"type":"complete","log_files":null}`,
		`{"type":"complete","log_files":"nope"}`,
		`{"type":"stdout","timestamp":"2026-06-02T17:11:17.821Z"}`,
		`{"type":"stdout","timestamp":"soon"}`,
		`{"type":"stdout","timestamp":-12}`,
		`{"\u0074ype":"stdout","data":"escaped key"}`,
		`{"type":"stdout","type":7}`,
		`{"type":7,"type":"stdout"}`,
		`{"type":""}`,
		`{"TYPE":"stdout"}`,
		`{"type":"custom-kind","data":"x"}`,
		`{"data":"no type"}`,
		`{}`,
		`{"type":"stdout",}`,
		`{"type":"stdout"} trailing`,
		`{"type":"stdout","data":"raw` + "\t" + `tab"}`,
		`{"type":"stdout","data":"bad \x escape"}`,
		`{"type":"stdout","data":"` + "\xff\xfe" + `"}`,
		`{"type":"stdout","n":01}`,
		`{"type":"stdout","n":-}`,
		`{"type":"stdout","n":1.}`,
		`{"type":"stdout","n":1e}`,
		`{"type":"stdout","n":[1,2,]}`,
		`{"type":"stdout","n":{"a":1,}}`,
		`{"type":"stdout","n":{"a" 1}}`,
		`{"type":"stdout","n":tru}`,
		`{"type":"stdout","n":[[[[]]]]}`,
		`{"type":"stdout","n":[}`,
		`{"type":"stdout","n":{]}`,
		`{"type" : "stdout" , "data" : "spaced" }`,
	}
	for _, line := range lines {
		var p eventParser
		got, gotOK := p.parseEvent([]byte(line), 8)
		want, wantOK := refParseEvent([]byte(line), 8)
		if gotOK != wantOK || !reflect.DeepEqual(got, want) {
			t.Errorf("line %q:\n got  %+v %v\n want %+v %v", line, got, gotOK, want, wantOK)
		}
	}
}

// TestDecodeEventShapes pins what a stream reader sees for each kind of line.
func TestDecodeEventShapes(t *testing.T) {
	var p eventParser
	ev, ok := decodeEvent(&p, []byte(`{"type":"stdout","data":"0123456789abcdef"}`), false, 8)
	if !ok || ev.Data != "01234567" || !ev.Truncated || ev.Raw {
		t.Errorf("capped event = %+v, %v; want 8 bytes, Truncated", ev, ok)
	}
	ev, ok = decodeEvent(&p, []byte("plain text line"), false, 64)
	if !ok || ev.Type != EventStdout || !ev.Raw || ev.Data != "plain text line" {
		t.Errorf("plain line = %+v, %v; want raw stdout", ev, ok)
	}
	if _, ok := decodeEvent(&p, []byte("  \t"), false, 64); ok {
		t.Error("a blank line became an event")
	}
	ev, ok = decodeEvent(&p, []byte(`{"type":"stderr","data":"the start of a long li`), true, 64)
	if !ok || ev.Type != EventStderr || ev.Data != "the start of a long li" || !ev.Truncated {
		t.Errorf("salvaged line = %+v, %v; want stderr prefix, Truncated", ev, ok)
	}
	// A multi-byte rune is never split by the cap.
	ev, _ = decodeEvent(&p, []byte(`{"type":"stdout","data":"ééééé"}`), false, 5)
	if ev.Data != "éé" || !utf8.ValidString(ev.Data) {
		t.Errorf("cap split a rune: %q", ev.Data)
	}
}

// TestParseEventAllocations pins the cost of the common event: one
// allocation, its data string.
func TestParseEventAllocations(t *testing.T) {
	line := []byte(`{"type":"stdout","data":"GET /healthz 200\n","timestamp":1780420277901}`)
	var p eventParser
	allocs := testing.AllocsPerRun(1000, func() {
		if _, ok := p.parseEvent(line, 1024); !ok {
			t.Fatal("did not parse")
		}
	})
	if allocs > 1 {
		t.Errorf("parseEvent allocates %.1f times per event; want at most 1", allocs)
	}
}

// TestStreamFixtures decodes every stream fixture and checks what each
// documented variant turns into.
func TestStreamFixtures(t *testing.T) {
	read := func(name string) ([]Event, error) {
		return collect(t, NewStream(bytes.NewReader(readFixture(t, name)), 0))
	}
	evs, err := read("start_exit.ndjson")
	if err != nil || len(evs) != 4 {
		t.Fatalf("start_exit: %d events, err %v; want 4, nil", len(evs), err)
	}
	if evs[2].Type != EventExit || evs[2].ExitCode == nil || *evs[2].ExitCode != 2 {
		t.Errorf("exit event = %+v; want exit code 2", evs[2])
	}
	if !strings.Contains(evs[1].Data, "No such file") || evs[1].Time().UnixMilli() != 1780420277850 {
		t.Errorf("stderr event = %+v", evs[1])
	}

	evs, err = read("complete_old_logfiles.ndjson")
	if err != nil || len(evs) != 2 {
		t.Fatalf("old log files: %d events, err %v", len(evs), err)
	}
	lf := evs[1].LogFiles
	if lf.Primary() != "/.sprite/logs/services/web.stdout.log" || lf.Stderr != "/.sprite/logs/services/web.stderr.log" {
		t.Errorf("old log files = %+v; want stdout primary and stderr kept", lf)
	}

	evs, err = read("error_event.ndjson")
	if err != nil || len(evs) != 3 {
		t.Fatalf("error events: %d events, err %v", len(evs), err)
	}
	if evs[0].Type != EventError || evs[0].Data != "service web is not running" {
		t.Errorf("error with message = %+v; want message as Data", evs[0])
	}
	if !strings.Contains(evs[1].Data, `"pyhton3"`) {
		t.Errorf("error with data = %+v", evs[1])
	}

	evs, err = read("logs.ndjson")
	if err != nil || len(evs) != 4 {
		t.Fatalf("logs: %d events, err %v; want 4 (blank line skipped)", len(evs), err)
	}
	if evs[2].Data != "café ✓ 🚀\n" || evs[2].Timestamp != 1780420279000 {
		t.Errorf("escaped event = %+v; want decoded unicode and whole-ms timestamp", evs[2])
	}

	evs, err = read("logs_plain.txt")
	if err != nil {
		t.Fatalf("plain logs: %v; a last line without newline is whole, not cut", err)
	}
	want := []string{
		"2026-06-02T17:11:17.821Z [stdout] Serving HTTP on 0.0.0.0 port 8080",
		"2026-06-02T17:11:18.012Z [stderr] GET / 200",
		"{not json at all",
		"last line without newline",
	}
	if len(evs) != len(want) {
		t.Fatalf("plain logs: %d events; want %d", len(evs), len(want))
	}
	for i, w := range want {
		if evs[i].Data != w || !evs[i].Raw || evs[i].Type != EventStdout {
			t.Errorf("plain line %d = %+v; want raw stdout %q", i, evs[i], w)
		}
	}
}
