package textcut

import (
	"fmt"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestCut(t *testing.T) {
	for _, c := range []struct {
		s    string
		n    int
		mark string
		want string
	}{
		{"hello", 5, "…", "hello"},
		{"hello!", 5, "…", "hell…"},
		{"héllo wörld", 6, "…", "héllo…"},
		{"日本語のテキスト", 4, "…", "日本語…"},
		{"abcdef", 2, "[cut]", "ab"}, // the mark does not fit: plain cut
		{"abc", 0, "…", ""},
		{"", 3, "…", ""},
		{"line one\nline two", 12, "\n…[cut]", "line \n…[cut]"},
	} {
		if got := Cut(c.s, c.n, c.mark); got != c.want {
			t.Errorf("Cut(%q, %d, %q) = %q, want %q", c.s, c.n, c.mark, got, c.want)
		}
		if got := Cut(c.s, c.n, c.mark); utf8.RuneCountInString(got) > max(c.n, 0) {
			t.Errorf("Cut(%q, %d) has %d runes", c.s, c.n, utf8.RuneCountInString(got))
		}
	}
}

func TestIndexAndPrefix(t *testing.T) {
	if i, rest := Index("añb", 2); i != 3 || rest != 1 {
		t.Fatalf("Index = %d, %d", i, rest)
	}
	if i, rest := Index("ab", 5); i != 2 || rest != 0 {
		t.Fatalf("Index past the end = %d, %d", i, rest)
	}
	if got := Prefix("aé", 2); got != "a" {
		t.Fatalf("Prefix cut inside é: %q", got)
	}
	if got := Prefix("abc", 10); got != "abc" {
		t.Fatalf("Prefix = %q", got)
	}
	if got := Prefix("€€", 5); got != "€" {
		t.Fatalf("Prefix = %q", got)
	}
}

func FuzzCut(f *testing.F) {
	for _, s := range []string{"", "plain", "héllo", "日本語", "\xff\xfe", "a\xe2\x82"} {
		f.Add(s, 3, "…")
	}
	f.Fuzz(func(t *testing.T, s string, n int, mark string) {
		n %= 200
		got := Cut(s, n, mark)
		if utf8.ValidString(s) && utf8.ValidString(mark) && !utf8.ValidString(got) {
			t.Fatalf("Cut(%q, %d, %q) = %q: invalid UTF-8", s, n, mark, got)
		}
		if utf8.RuneCountInString(got) > max(n, 0) {
			t.Fatalf("Cut(%q, %d, %q) = %q: too long", s, n, mark, got)
		}
		if utf8.RuneCountInString(s) <= n && got != s {
			t.Fatalf("Cut changed a short string: %q → %q", s, got)
		}
		p := Prefix(s, n)
		if len(p) > max(n, 0) || !strings.HasPrefix(s, p) || utf8.ValidString(s) && !utf8.ValidString(p) {
			t.Fatalf("Prefix(%q, %d) = %q", s, n, p)
		}
	})
}

func TestRingBoundsLinesAndBytes(t *testing.T) {
	var dropped []string
	r := NewRing(3, 10, func(s string) int { return len(s) }, func(s string) { dropped = append(dropped, s) })
	for _, s := range []string{"a", "b", "c", "d"} {
		r.Push(s)
	}
	if got := strings.Join(r.Items(), ""); got != "bcd" || r.Dropped() != 1 || dropped[0] != "a" {
		t.Fatalf("after 4 pushes: %q, dropped %v", got, dropped)
	}
	r.Push("12345678") // 2+8 bytes fit; "b" must go for the line bound
	if got := strings.Join(r.Items(), ","); got != "c,d,12345678" {
		t.Fatalf("items %q", got)
	}
	r.Push("xyz") // 8+3 > 10: everything older goes
	if got := strings.Join(r.Items(), ","); got != "xyz" {
		t.Fatalf("items %q", got)
	}
	if r.Bytes() > 10 && r.Len() > 1 {
		t.Fatalf("byte bound passed: %d bytes in %d items", r.Bytes(), r.Len())
	}
	r.Push(strings.Repeat("z", 50)) // alone past the bound: kept
	if r.Len() != 1 || r.Bytes() != 50 {
		t.Fatalf("the newest item must stay: %d items, %d bytes", r.Len(), r.Bytes())
	}
	r.UpdateNewest(func(s *string) { *s = "small" })
	if r.Bytes() != 5 {
		t.Fatalf("UpdateNewest did not recount: %d", r.Bytes())
	}
	if !r.Fits(5) || r.Fits(6) {
		t.Fatal("Fits is wrong")
	}
	r.Push("newer")
	if v, ok := r.PopNewest(); !ok || v != "newer" || r.Len() != 1 || r.Bytes() != 5 {
		t.Fatalf("PopNewest = %q, %v", v, ok)
	}
	if v, ok := r.PopOldest(); !ok || v != "small" || r.Len() != 0 {
		t.Fatalf("PopOldest = %q, %v", v, ok)
	}
	if _, ok := r.PopOldest(); ok {
		t.Fatal("PopOldest on an empty ring")
	}
	r.Reset()
	if r.Dropped() != 0 || r.Len() != 0 || r.Bytes() != 0 {
		t.Fatal("Reset left state")
	}
}

func TestRingStorageStaysBounded(t *testing.T) {
	r := NewRing[string](100, 0, nil, nil)
	for i := 0; i < 100_000; i++ {
		r.Push(fmt.Sprint(i))
	}
	if r.Len() != 100 || len(r.buf) > 101 || *r.At(0) != "99900" || *r.At(99) != "99999" {
		t.Fatalf("len %d, storage %d, oldest %q", r.Len(), len(r.buf), *r.At(0))
	}
}
