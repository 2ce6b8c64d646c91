package wire

import (
	"bytes"
	"testing"
)

// FuzzParseLogLine: any bytes parse without panicking into a suffix of the
// line, and a parsed header written again reads back the same.
func FuzzParseLogLine(f *testing.F) {
	f.Add([]byte("2026-06-02T17:11:17.821Z [stderr] boom\n"))
	f.Add([]byte("2026-06-02T19:11:17.821999999+02:00 [stdout] x"))
	f.Add([]byte("2026-06-02T17:11:17Z oops"))
	f.Add([]byte("plain text"))
	f.Add([]byte(""))
	f.Fuzz(func(t *testing.T, line []byte) {
		l := ParseLogLine(line)
		if !bytes.HasSuffix(line, l.Text) {
			t.Fatalf("text %q is not the end of the line %q", l.Text, line)
		}
		if l.Stream != "" && l.Stream != EventStdout && l.Stream != EventStderr {
			t.Fatalf("stream %q", l.Stream)
		}
		if len(line)-len(l.Text) > MaxLogHeader {
			t.Fatalf("a header of %d bytes was taken from %q", len(line)-len(l.Text), line)
		}
		y := l.Time.UTC().Year()
		if l.Stream == "" || bytes.IndexByte(l.Text, '\n') >= 0 || y < 0 || y > 9999 {
			return // not writable as is: the writer takes tagged, one-line, four-digit-year text
		}
		again := ParseLogLine(AppendLogLine(nil, l.Time, l.Stream, l.Text))
		if !again.Time.Equal(l.Time) || again.Stream != l.Stream || !bytes.Equal(again.Text, append(bytes.Clone(l.Text), '\n')) {
			t.Fatalf("%q read back as {%s %q %q}; first {%s %q %q}", line, again.Time, again.Stream, again.Text, l.Time, l.Stream, l.Text)
		}
	})
}

// FuzzValidateName: any string gets the answer of the documented rule, and
// every refusal wraps ErrInvalidName and says the rule.
func FuzzValidateName(f *testing.F) {
	for _, s := range []string{"web", "signal", "-x", "a..b", "a/b", "my service", "é", "x.y_z-1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, name string) {
		checkAgainstRule(t, name)
	})
}
