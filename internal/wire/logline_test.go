package wire

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

var stamp = time.Date(2026, 6, 2, 17, 11, 17, 821_000_000, time.UTC)

func TestAppendLogLine(t *testing.T) {
	local := stamp.In(time.FixedZone("CEST", 2*3600)).Add(123 * time.Nanosecond)
	got := AppendLogLine([]byte("prev\n"), local, EventStderr, []byte("boom"))
	if want := "prev\n2026-06-02T17:11:17.821000123Z [stderr] boom\n"; string(got) != want {
		t.Errorf("got %q; want %q (UTC, nanoseconds, the tag, a newline)", got, want)
	}
}

func TestParseLogLine(t *testing.T) {
	cases := []struct {
		name, line string
		want       LogLine
	}{
		{"tagged stderr", "2026-06-02T17:11:17.821Z [stderr] boom\n", LogLine{stamp, EventStderr, []byte("boom\n")}},
		{"tagged stdout", "2026-06-02T17:11:17.821Z [stdout] hi", LogLine{stamp, EventStdout, []byte("hi")}},
		{"nanoseconds", "2026-06-02T17:11:17.821000000Z [stdout] x", LogLine{stamp, EventStdout, []byte("x")}},
		{"offset zone", "2026-06-02T19:11:17.821+02:00 [stdout] x", LogLine{stamp, EventStdout, []byte("x")}},
		{"timestamp without tag", "2026-06-02T17:11:17.821Z oops\n", LogLine{stamp, "", []byte("oops\n")}},
		{"unknown tag stays text", "2026-06-02T17:11:17.821Z [system] up", LogLine{stamp, "", []byte("[system] up")}},
		{"tag without its space", "2026-06-02T17:11:17.821Z [stdout]x", LogLine{stamp, "", []byte("[stdout]x")}},
		{"empty text", "2026-06-02T17:11:17.821Z [stdout] ", LogLine{stamp, EventStdout, []byte("")}},
		{"plain", "just text\n", LogLine{Text: []byte("just text\n")}},
		{"not a time", "2026-13-99 [stdout] x", LogLine{Text: []byte("2026-13-99 [stdout] x")}},
		{"leading space", " [stdout] x", LogLine{Text: []byte(" [stdout] x")}},
		{"blank", "\n", LogLine{Text: []byte("\n")}},
		{"empty", "", LogLine{Text: []byte("")}},
		{"time too far in to be a header", strings.Repeat("x", 60) + " 2026-06-02T17:11:17.821Z [stdout] x",
			LogLine{Text: []byte(strings.Repeat("x", 60) + " 2026-06-02T17:11:17.821Z [stdout] x")}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := ParseLogLine([]byte(c.line))
			if !got.Time.Equal(c.want.Time) || got.Stream != c.want.Stream || !bytes.Equal(got.Text, c.want.Text) {
				t.Errorf("ParseLogLine(%q) = {%s %q %q}; want {%s %q %q}", c.line,
					got.Time, got.Stream, got.Text, c.want.Time, c.want.Stream, c.want.Text)
			}
		})
	}
}

// What AppendLogLine writes, ParseLogLine reads back, whatever the text.
func TestLogLineRoundTrip(t *testing.T) {
	texts := []string{"", "x", " leading space", "[stdout] looks tagged", "2026-06-02T17:11:17.821Z [stderr] nested",
		"tab\tand \xff bad bytes", strings.Repeat("long ", 20000)}
	for _, text := range texts {
		for _, stream := range []EventType{EventStdout, EventStderr} {
			at := stamp.Add(987654321)
			line := AppendLogLine(nil, at, stream, []byte(text))
			got := ParseLogLine(line)
			if !got.Time.Equal(at) || got.Stream != stream || string(got.Text) != text+"\n" {
				t.Errorf("%q on %s: read back {%s %q %.40q}", text, stream, got.Time, got.Stream, got.Text)
			}
		}
	}
}

// The header stays within MaxLogHeader, so a reader that keeps that much
// on top of its data cap keeps the header of every line.
func TestLogHeaderIsBounded(t *testing.T) {
	longest := time.Date(2026, 12, 31, 23, 59, 59, 999_999_999, time.UTC)
	if n := len(AppendLogLine(nil, longest, EventStderr, nil)) - 1; n > MaxLogHeader {
		t.Errorf("a header is %d bytes; MaxLogHeader is %d", n, MaxLogHeader)
	}
}

func BenchmarkParseLogLine(b *testing.B) {
	line := AppendLogLine(nil, stamp, EventStderr, []byte("GET /healthz 200 1.2ms"))
	b.ReportAllocs()
	for b.Loop() {
		ParseLogLine(line)
	}
}
