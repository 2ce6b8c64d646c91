package client

import (
	"bytes"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// logStamp is the timestamp the tests' log lines start from.
var logStamp = time.Date(2026, 6, 2, 17, 11, 17, 821_000_000, time.UTC)

// diskLine is one line as the runtime writes it.
func diskLine(at time.Time, typ EventType, text string) string {
	return at.UTC().Format(time.RFC3339Nano) + " [" + string(typ) + "] " + text + "\n"
}

func TestParseLogLine(t *testing.T) {
	ms := logStamp.UnixMilli()
	cases := []struct {
		name, line string
		kind       EventType
		want       Event
	}{
		{"tagged stderr", "2026-06-02T17:11:17.821Z [stderr] boom\n", EventStdout,
			Event{Type: EventStderr, Data: "boom\n", Timestamp: ms}},
		{"tagged stdout in the stderr file", "2026-06-02T17:11:17.821Z [stdout] hi\n", EventStderr,
			Event{Type: EventStdout, Data: "hi\n", Timestamp: ms}},
		{"nanoseconds", "2026-06-02T17:11:17.821999999Z [stdout] x\n", EventStdout,
			Event{Type: EventStdout, Data: "x\n", Timestamp: ms}},
		{"offset zone", "2026-06-02T19:11:17.821+02:00 [stdout] x\n", EventStdout,
			Event{Type: EventStdout, Data: "x\n", Timestamp: ms}},
		{"timestamp without tag", "2026-06-02T17:11:17.821Z oops\n", EventStderr,
			Event{Type: EventStderr, Data: "oops\n", Timestamp: ms}},
		{"unknown tag stays text", "2026-06-02T17:11:17.821Z [system] up\n", EventStdout,
			Event{Type: EventStdout, Data: "[system] up\n", Timestamp: ms}},
		{"plain", "just text\n", EventStderr, Event{Type: EventStderr, Data: "just text\n"}},
		{"not a time", "2026-13-99 [stdout] x\n", EventStdout, Event{Type: EventStdout, Data: "2026-13-99 [stdout] x\n"}},
		{"blank", "\n", EventStdout, Event{Type: EventStdout, Data: "\n"}},
		{"empty text", "2026-06-02T17:11:17.821Z [stdout] \n", EventStdout,
			Event{Type: EventStdout, Data: "\n", Timestamp: ms}},
		{"no newline", "2026-06-02T17:11:17.821Z [stdout] end", EventStdout,
			Event{Type: EventStdout, Data: "end", Timestamp: ms}},
		{"invalid UTF-8", "2026-06-02T17:11:17.821Z [stdout] a\xffb\xc3\n", EventStdout,
			Event{Type: EventStdout, Data: "a\uFFFDb\uFFFD\n", Timestamp: ms}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := parseDiskLine(c.line, c.kind, 1024)
			if got.Type != c.want.Type || got.Data != c.want.Data || got.Timestamp != c.want.Timestamp || got.Truncated {
				t.Errorf("parseLogLine(%q) = %+v; want %+v", c.line, got, c.want)
			}
		})
	}
	long := parseDiskLine(diskLine(logStamp, EventStderr, strings.Repeat("é", 40)), EventStdout, 25)
	if !long.Truncated || len(long.Data) > 25 || !utf8.ValidString(long.Data) || long.Type != EventStderr ||
		strings.Trim(long.Data, "é") != "\n" {
		t.Errorf("a line over the cap gave %+v; want at most 25 bytes of valid UTF-8 and its newline, truncated", long)
	}
	part := parseDiskLine(strings.Repeat("é", 40), EventStdout, 25)
	if !part.Truncated || len(part.Data) > 25 || strings.Trim(part.Data, "é") != "" {
		t.Errorf("a part line over the cap gave %+v; want at most 25 bytes and no newline", part)
	}
	kept := parseLogLine([]byte("2026-06-02T17:11:17.821Z [stdout] abc"), true, true, EventStdout, 25)
	if !kept.Truncated || kept.Data != "abc\n" {
		t.Errorf("a line cut while reading gave %+v; want its kept text and newline, truncated", kept)
	}
}

// parseDiskLine parses a line as read from the file: ended when it has
// its newline.
func parseDiskLine(line string, kind EventType, maxData int) Event {
	body, ended := strings.CutSuffix(line, "\n")
	return parseLogLine([]byte(body), ended, false, kind, maxData)
}

// splitLines splits after each newline; a last piece without one is a line.
func splitLines(data []byte) [][]byte {
	var out [][]byte
	for len(data) > 0 {
		i := bytes.IndexByte(data, '\n')
		if i < 0 {
			out = append(out, data)
			break
		}
		out = append(out, data[:i+1])
		data = data[i+1:]
	}
	return out
}

// A line written in two goes is held until its end arrives while
// following; flushed, the rest comes later with the first part's type.
func TestLogFilePartLines(t *testing.T) {
	path := filepath.Join(t.TempDir(), "web.log")
	writeLog(t, path, diskLine(logStamp, EventStdout, "one")+"2026-06-02T17:11:17.821Z [stderr] par")
	lf := newLogFile(path, EventStdout, 1024)
	if err := lf.open(); err != nil {
		t.Fatal(err)
	}
	defer lf.close()
	if ev, ok, _ := lf.next(false); !ok || ev.Data != "one\n" {
		t.Fatalf("first line = %+v, %v", ev, ok)
	}
	if ev, ok, _ := lf.next(false); ok {
		t.Fatalf("a line without its end was returned unflushed: %+v", ev)
	}
	appendLog(t, path, "tial\n")
	if err := lf.poll(); err != nil {
		t.Fatal(err)
	}
	if ev, ok, _ := lf.next(false); !ok || ev.Data != "partial\n" || ev.Type != EventStderr {
		t.Fatalf("completed line = %+v, %v; want the whole stderr line", ev, ok)
	}
	appendLog(t, path, "2026-06-02T17:11:17.821Z [stderr] half")
	lf.poll()
	if ev, ok, _ := lf.next(true); !ok || ev.Data != "half" || ev.Type != EventStderr {
		t.Fatalf("flushed part = %+v, %v", ev, ok)
	}
	appendLog(t, path, " and the rest\n")
	lf.poll()
	ev, ok, _ := lf.next(false)
	if !ok || ev.Data != " and the rest\n" || ev.Type != EventStderr || ev.Timestamp != logStamp.UnixMilli() {
		t.Fatalf("rest of a flushed line = %+v, %v; want stderr with the first part's timestamp", ev, ok)
	}
}

func writeLog(t testing.TB, path, s string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(s), 0o644); err != nil {
		t.Fatal(err)
	}
}

func appendLog(t testing.TB, path, s string) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY|os.O_CREATE, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteString(s); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
}

// Reading a file in bounded memory gives, line by line, exactly what
// parsing each whole line would: random lines with headers or not,
// multi-byte and invalid bytes, lengths around and far over small caps,
// read whole and as tails.
func TestLogFileBoundedReadMatchesWholeLines(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	alphabet := []string{"a", "b", " ", "é", "€", "🚀", "\xff", "\xe2\x82", "\t", "[stderr] "}
	dir := t.TempDir()
	for round := range 200 {
		maxData := 1 + rng.IntN(60)
		var b strings.Builder
		nLines := rng.IntN(12)
		for i := range nLines {
			if rng.IntN(2) == 0 {
				b.WriteString(logStamp.Add(time.Duration(rng.IntN(1e6)) * time.Microsecond).Format(time.RFC3339Nano))
				b.WriteString([]string{" [stdout] ", " [stderr] ", " "}[rng.IntN(3)])
			}
			for n := rng.IntN([]int{5, 80, 3000}[rng.IntN(3)]); n > 0; n-- {
				b.WriteString(alphabet[rng.IntN(len(alphabet))])
			}
			if i < nLines-1 || rng.IntN(2) == 0 {
				b.WriteByte('\n')
			}
		}
		content := b.String()
		path := filepath.Join(dir, "r.log")
		writeLog(t, path, content)
		lines := splitLines([]byte(content))
		for _, tail := range []int{0, 1, 3} {
			lf := newLogFile(path, EventStdout, maxData)
			if err := lf.open(); err != nil {
				t.Fatal(err)
			}
			want := lines
			if _, err := lf.tail(tail); err != nil {
				t.Fatal(err)
			}
			if tail > 0 && tail < len(lines) {
				want = lines[len(lines)-tail:]
			}
			for i, l := range want {
				got, ok, err := lf.next(true)
				exp := parseDiskLine(string(l), EventStdout, maxData)
				if err != nil || !ok || got != exp {
					t.Fatalf("round %d (cap %d, tail %d) line %d %q:\n got  %+v (ok %v, err %v)\n want %+v",
						round, maxData, tail, i, l, got, ok, err, exp)
				}
				if len(got.Data) > maxData || !utf8.ValidString(got.Data) {
					t.Fatalf("round %d line %d: data %q breaks the cap %d or is not UTF-8", round, i, got.Data, maxData)
				}
			}
			if ev, ok, _ := lf.next(true); ok {
				t.Fatalf("round %d: an extra event %+v after the last line", round, ev)
			}
			lf.close()
		}
	}
}
