// Package textcut cuts text without splitting a character and keeps the
// last lines of a stream within both a count and a byte bound. It is a
// leaf (standard library only) so that every layer that shows text — the
// summariser, the tools, the resources, the client's error messages — can
// share one way of doing both.
package textcut

import "unicode/utf8"

// Index returns the byte index just after the first n runes of s, and how
// many runes follow it. n <= 0 gives 0 and the rune count of s.
func Index(s string, n int) (i, rest int) {
	if n <= 0 {
		return 0, utf8.RuneCountInString(s)
	}
	if len(s) <= n {
		return len(s), 0 // fewer bytes than n means fewer runes too
	}
	count := 0
	for i := range s {
		if count == n {
			return i, utf8.RuneCountInString(s[i:])
		}
		count++
	}
	return len(s), 0
}

// Cut returns s when it has at most n runes; otherwise its start followed
// by mark, n runes in all (mark included). When mark alone does not fit in
// n, the first n runes of s are returned without it. n <= 0 gives "".
// Invalid UTF-8 counts one rune per bad byte and is not repaired.
//
//	Cut("héllo wörld", 6, "…") == "héllo…"
func Cut(s string, n int, mark string) string {
	if n <= 0 {
		return ""
	}
	i, rest := Index(s, n)
	if rest == 0 {
		return s
	}
	m := utf8.RuneCountInString(mark)
	if m >= n {
		return s[:i]
	}
	j, _ := Index(s, n-m)
	return s[:j] + mark
}

// Prefix returns the longest start of s of at most n bytes that does not
// end inside a UTF-8 sequence. n <= 0 gives "".
func Prefix(s string, n int) string {
	if n <= 0 {
		return ""
	}
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}
