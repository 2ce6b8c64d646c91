package summary

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestStripANSI(t *testing.T) {
	cases := []struct{ name, in, want string }{
		{"plain text is untouched", "hello world", "hello world"},
		{"colour codes", "\x1b[1;31mERROR\x1b[0m: boom", "ERROR: boom"},
		{"256 and true colour", "\x1b[38;5;196mred\x1b[38;2;1;2;3m rgb\x1b[m", "red rgb"},
		{"cursor and erase", "\x1b[2K\x1b[1Gdone", "done"},
		{"private mode", "\x1b[?25lhidden cursor\x1b[?25h", "hidden cursor"},
		{"OSC title ended by BEL", "\x1b]0;my title\x07text", "text"},
		{"OSC hyperlink keeps its text", "\x1b]8;;http://x.test/\x1b\\link\x1b]8;;\x1b\\ after", "link after"},
		{"charset escape", "\x1b(Bplain", "plain"},
		{"two-byte escape", "\x1b7saved\x1b8", "saved"},
		{"DCS string", "\x1bPq#0;2;0;0;0\x1b\\after", "after"},
		{"8-bit CSI", "\u009b31mred\u009b0m", "red"},
		{"8-bit OSC", "\u009d0;title\u0007x", "x"},
		{"escape cut at the end", "text\x1b[31", "text"},
		{"lone escape at the end", "text\x1b", "text"},
		{"progress overwrites keep the last", "10%\r50%\r100%", "100%"},
		{"trailing carriage return", "line\r", "line"},
		{"erase after return", "Downloading 50%\r\x1b[K", "Downloading 50%"},
		{"backspace overwrites", "abc\b\bX", "aX"},
		{"other controls dropped", "a\x00b\x07c\x7fd", "abcd"},
		{"tab kept", "a\tb", "a\tb"},
		{"newlines kept, overwrites per line", "a\rb\nc\rd", "b\nd"},
		{"utf-8 untouched", "héllo wörld ✓", "héllo wörld ✓"},
	}
	for _, c := range cases {
		if got := StripANSI(c.in); got != c.want {
			t.Errorf("%s: StripANSI(%q) = %q, want %q", c.name, c.in, got, c.want)
		}
	}
}

func TestStripANSIPlainLineDoesNotAllocate(t *testing.T) {
	line := "2026-06-02T17:11:17.821Z INFO listening on :8080 with 4 workers"
	if n := testing.AllocsPerRun(100, func() { _ = StripANSI(line) }); n != 0 {
		t.Fatalf("StripANSI of a plain line allocates %v times, want 0", n)
	}
}

func TestCleanLine(t *testing.T) {
	cases := []struct {
		name, in string
		max      int
		want     string
	}{
		{"short line as is", "hello", 10, "hello"},
		{"trailing newline and CR go", "hello\r\n", 10, "hello"},
		{"trailing blanks go", "hello \t ", 10, "hello"},
		{"cut with marker", "abcdefghij", 4, "abcd…[cut 6 chars]"},
		{"cut counts runes not bytes", "ééééé", 2, "éé…[cut 3 chars]"},
		{"exactly at the limit is not cut", "abcd", 4, "abcd"},
		{"zero means no cut", strings.Repeat("x", 1000), 0, strings.Repeat("x", 1000)},
		{"ansi stripped before counting", "\x1b[31mabcd\x1b[0m", 4, "abcd"},
		{"secret masked before the cut", "API_TOKEN=supersecretvalue", 14, "API_TOKEN=***"},
		{"inner newline becomes a space", "a\nb", 10, "a b"},
		{"invalid utf-8 replaced", "a\xffb\xc3", 10, "a\uFFFDb\uFFFD"},
	}
	for _, c := range cases {
		if got := CleanLine(c.in, c.max); got != c.want {
			t.Errorf("%s: CleanLine(%q, %d) = %q, want %q", c.name, c.in, c.max, got, c.want)
		}
	}
}

func TestCleanLineInvalidUTF8IsValidAndBounded(t *testing.T) {
	// Bytes that are not UTF-8 at all, mixed with cut multi-byte sequences.
	var b strings.Builder
	for i := 0; i < 2000; i++ {
		b.WriteByte(byte(0x80 + i%0x7f))
		b.WriteString("é"[:1])
		b.WriteString("x")
	}
	got := CleanLine(b.String(), 500)
	if !utf8.ValidString(got) {
		t.Fatal("CleanLine returned invalid UTF-8")
	}
	text, _, _ := strings.Cut(got, "…[cut ")
	if n := utf8.RuneCountInString(text); n != 500 {
		t.Fatalf("kept %d runes before the marker, want 500", n)
	}
}

func TestCleanLinesHidesKeyBodies(t *testing.T) {
	body := fake("MIIEpAIBAAKCAQEA", 48)
	in := []string{
		"2026-06-02T17:11:17.821Z [stdout] generated:",
		"2026-06-02T17:11:17.821Z [stdout] -----BEGIN RSA PRIVATE KEY-----",
		"2026-06-02T17:11:17.822Z [stdout] " + body,
		"2026-06-02T17:11:17.822Z [stdout] " + body[:30],
		"2026-06-02T17:11:17.823Z [stdout] -----END RSA PRIVATE KEY-----",
		"2026-06-02T17:11:17.824Z [stdout] \x1b[32mready\x1b[0m",
	}
	got := CleanLines(in, 500)
	want := []string{in[0], in[1], keyLine, keyLine, in[4], "2026-06-02T17:11:17.824Z [stdout] ready"}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("CleanLines =\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
