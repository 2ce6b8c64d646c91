package summary

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzCleanLine checks what every cleaned line must be, whatever the input:
// valid UTF-8, one line, no control characters but tab, and at most
// maxChars runes before the cut marker. The seeds run with go test; explore
// with go test -fuzz FuzzCleanLine ./internal/summary.
func FuzzCleanLine(f *testing.F) {
	for _, s := range []string{
		"", "plain", "\x1b[31mred\x1b[0m", "a\rb\rc", "\x1b]8;;x\x07y", "\xff\xfe", "é\b\b",
		"PASSWORD=x TOKEN=y", "Bearer abcdefghijkl", "-----BEGIN PRIVATE KEY-----\nabc",
		"a://b:c@d", "org/1/2/" + strings.Repeat("aB3", 10), "\u009b31m", "x\x1bP\x1b\\",
	} {
		f.Add(s, 10)
	}
	f.Fuzz(func(t *testing.T, s string, maxChars int) {
		maxChars = maxChars%1000 + 1
		if maxChars < 1 {
			maxChars += 1000
		}
		got := CleanLine(s, maxChars)
		if !utf8.ValidString(got) {
			t.Fatalf("invalid UTF-8 from %q: %q", s, got)
		}
		for _, r := range got {
			if r < 0x20 && r != '\t' || r == 0x7f || r >= 0x80 && r <= 0x9f {
				t.Fatalf("control character %U left in %q (from %q)", r, got, s)
			}
		}
		text, _, _ := strings.Cut(got, "…[cut ")
		if n := utf8.RuneCountInString(text); n > maxChars {
			t.Fatalf("%d runes before the marker, max %d: %q", n, maxChars, got)
		}
		if again := CleanLine(got, 0); again != got && !strings.Contains(got, "…[cut") {
			t.Fatalf("cleaning is not stable: %q then %q", got, again)
		}
	})
}

// FuzzSummarizer feeds arbitrary bytes as output events of arbitrary sizes
// and budgets and checks the invariants every Result must keep.
func FuzzSummarizer(f *testing.F) {
	f.Add([]byte("hello\nworld\n\x1b[31merror\x1b[0m\n"), uint16(50), uint8(3))
	f.Add([]byte("a\rb\rc\n\n\nsame\nsame\nsame\nTOKEN=abc\n"), uint16(7), uint8(0))
	f.Add([]byte(strings.Repeat("line\n", 500)+"panic: x\n"+strings.Repeat("more\n", 500)), uint16(200), uint8(9))
	f.Fuzz(func(t *testing.T, data []byte, maxChars uint16, split uint8) {
		cfg := Config{MaxChars: int(maxChars%4000) + 1, MaxLineChars: int(split)*3 + 1}
		s := New(cfg)
		size := int(split%32) + 1
		for i := 0; i < len(data); i += size {
			chunk := string(data[i:min(i+size, len(data))])
			ev := stdout(chunk)
			if (i/size)%3 == 2 {
				ev = stderr(chunk)
			}
			ev.Raw = chunk != "" && chunk[0] == 'R'
			ev.Truncated = chunk != "" && chunk[0] == 'T'
			s.Add(ev)
			_ = s.Latest()
		}
		checkInvariants(t, s.Result(nil), cfg.MaxChars)
	})
}
