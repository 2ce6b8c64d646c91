package summary

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestTemplate(t *testing.T) {
	for _, c := range [][2]string{
		{"INFO request 17 served in 3ms", "INFO request <n> served in <n>ms"},
		{"2026-06-02T17:11:17.821Z INFO up", "<n> INFO up"},
		{"trace=0af7651916cd43dd8448eb211c80319c user=alice", "trace=<n> user=alice"},
		{"id c0ffee00-1234-4abc-8def-0123456789ab done", "id <n> done"},
		{`open "config.yml": no`, "open <q>: no"},
		{"GET /api/items/42 200", "GET <path> <n>"},
		{"pc=0xc000010000 sp=0x7ffd", "pc=<n> sp=<n>"},
		{"don't stop", "don't stop"},
		{"worker-3 ready at 10.0.0.1:8080", "worker-<n> ready at <n>"},
		{"deadbeef is a word", "deadbeef is a word"}, // no digit: not an id
		{"no variables here", "no variables here"},
	} {
		if got := Template(c[0]); got != c[1] {
			t.Errorf("Template(%q) = %q, want %q", c[0], got, c[1])
		}
	}
	if foldRange("INFO request 1 served in 3ms", "INFO request 3000 served in 2ms") != "1…3000" {
		t.Errorf("range = %q", foldRange("INFO request 1 served in 3ms", "INFO request 3000 served in 2ms"))
	}
	if got := foldRange("same 1", "same 1"); got != "" {
		t.Errorf("range of equal lines = %q", got)
	}
}

// FuzzTemplate checks what folding relies on, whatever the line: the hash
// is the hash of the template, the template has no digit left, it is
// stable, and the tokens with the template's fixed parts rebuild the line.
func FuzzTemplate(f *testing.F) {
	for _, s := range []string{
		"", "INFO request 17 served in 3ms", "2026-06-02T17:11:17.821Z x", `a "q" b 'c' d`, "/a/b:12 +0x1d",
		"0x", "0xg", "'unclosed", "//x", "é 12 日本", "\xff1\xfe", "c0ffee00-1234", "1-2-3T4:5Z", "a/b/c",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		tmpl := Template(s)
		h := uint64(fnvOffset)
		for k := 0; k < len(tmpl); k++ {
			h ^= uint64(tmpl[k])
			h *= fnvPrime
		}
		if h != templateHash(s) {
			t.Fatalf("templateHash(%q) is not the hash of %q", s, tmpl)
		}
		if strings.ContainsAny(tmpl, "0123456789") {
			t.Fatalf("Template(%q) = %q keeps a digit", s, tmpl)
		}
		if utf8.ValidString(s) && !utf8.ValidString(tmpl) {
			t.Fatalf("Template(%q) = %q is not valid UTF-8", s, tmpl)
		}
		var rebuilt strings.Builder
		for i := 0; i < len(s); {
			start, end, mask := varToken(s, i)
			if start < i || end < start || end > len(s) || start < len(s) && (end == start || mask == "") {
				t.Fatalf("varToken(%q, %d) = %d, %d, %q", s, i, start, end, mask)
			}
			rebuilt.WriteString(s[i:end])
			i = end
		}
		if rebuilt.String() != s {
			t.Fatalf("tokens of %q rebuild %q", s, rebuilt.String())
		}
		if r := foldRange(s, s); r != "" {
			t.Fatalf("foldRange of a line with itself = %q", r)
		}
	})
}
