package summary

import "github.com/sprites-mcp/sprites-mcp/internal/textcut"

// Folding by shape: lines that differ only in their variable parts —
// numbers, ids, hex, timestamps, paths, quoted values — share a template,
// and a run of consecutive lines with one template is shown once with its
// count and the range of what varied:
//
//	INFO request <n> served in <n>ms (×3000, 1…3000)
//
// This is the masking step of log-template miners such as Drain, without
// the clustering: runs are consecutive, so time order is kept, and masking
// is one pass over the bytes with no allocation, cheap enough for the hot
// path (a hash of the template is all Add needs).

// Masks that stand for a variable token in a template.
const (
	maskNum   = "<n>"
	maskQuote = "<q>"
	maskPath  = "<path>"
)

// quoteMax is how far a quoted value may run before it is not taken for
// one (an apostrophe in prose has no partner near it).
const quoteMax = 256

// Byte classes for the scan: most bytes of a line are letters and
// blanks, which one table lookup passes over.
const (
	clsWord  = 1 << iota // part of a word: letters, digits, '_', non-ASCII
	clsDigit             // starts a number anywhere
	clsStart             // may start a token at a word boundary: quotes, '/', hex letters
)

var byteClass = func() (t [256]uint8) {
	for c := 0; c < 256; c++ {
		b := byte(c)
		if isWord(b) {
			t[c] |= clsWord
		}
		if b >= '0' && b <= '9' {
			t[c] |= clsDigit
		}
		if b == '"' || b == '\'' || b == '/' || isHexLetter(b) {
			t[c] |= clsStart
		}
	}
	return t
}()

// varToken finds the first variable token of s at or after i. It returns
// its bounds and its mask, or start == len(s) when there is none.
func varToken(s string, i int) (start, end int, mask string) {
	prevWord := i > 0 && isWord(s[i-1])
	for ; i < len(s); i++ {
		c := s[i]
		cls := byteClass[c]
		if cls&clsDigit != 0 {
			return i, numberEnd(s, i), maskNum
		}
		if cls&clsStart != 0 && !prevWord {
			switch {
			case c == '"' || c == '\'':
				if j := quoteEnd(s, i); j > 0 {
					return i, j, maskQuote
				}
			case c == '/':
				if i+1 < len(s) && isPathByte(s[i+1]) && (i == 0 || s[i-1] != '/') {
					return i, pathEnd(s, i), maskPath
				}
			default:
				if j := hexIDEnd(s, i); j > 0 {
					return i, j, maskNum
				}
			}
		}
		prevWord = cls&clsWord != 0
	}
	return len(s), len(s), ""
}

// numberEnd extends a number from its first digit: more digits and hex
// digits ("0af7…", "5d"), "0x" prefixes, and separators between digits, so
// that a timestamp, a version, an address or a duration is one token.
func numberEnd(s string, i int) int {
	if s[i] == '0' && i+2 < len(s) && (s[i+1] == 'x' || s[i+1] == 'X') && isHex(s[i+2]) {
		i += 2
	}
	for i < len(s) {
		c := s[i]
		switch {
		case isHex(c):
			i++
		case (c == '-' || c == ':' || c == '.' || c == '_' || c == 'T' || c == '+') && i+1 < len(s) && s[i+1] >= '0' && s[i+1] <= '9':
			i++
		case c == 'Z' && (i+1 == len(s) || !isWord(s[i+1])):
			return i + 1
		default:
			return i
		}
	}
	return i
}

// hexIDEnd returns the end of a hex id that starts with a letter (a hash,
// a UUID such as "c0ffee00-…"): at least 8 hex digits and dashes, one of
// them a decimal digit, ending at a non-word byte. It returns 0 otherwise.
func hexIDEnd(s string, i int) int {
	j, digit := i, false
	for j < len(s) && (isHex(s[j]) || s[j] == '-') {
		digit = digit || s[j] <= '9' && s[j] >= '0'
		j++
	}
	if j-i < 8 || !digit || j < len(s) && isWord(s[j]) {
		return 0
	}
	return j
}

// quoteEnd returns the index after the quote that closes the one at i on
// the same line and within quoteMax bytes, or 0.
func quoteEnd(s string, i int) int {
	q := s[i]
	for j := i + 1; j < len(s) && j-i <= quoteMax; j++ {
		switch s[j] {
		case q:
			return j + 1
		case '\n':
			return 0
		}
	}
	return 0
}

// pathEnd runs a path to the first blank, quote or closing bracket.
func pathEnd(s string, i int) int {
	for i++; i < len(s) && isPathByte(s[i]); i++ {
	}
	return i
}

func isPathByte(c byte) bool {
	switch c {
	case ' ', '\t', '\n', '\r', '"', '\'', ',', ';', ')', ']', '}', '>', '`':
		return false
	}
	return true
}

func isWord(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c >= 0x80
}

func isHex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

func isHexLetter(c byte) bool { return c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F' }

// FNV-1a, over the template's bytes.
const (
	fnvOffset = 14695981039346656037
	fnvPrime  = 1099511628211
)

// templateHash is the hash of Template(s), computed without building it.
func templateHash(s string) uint64 {
	h := uint64(fnvOffset)
	for i := 0; i < len(s); {
		start, end, mask := varToken(s, i)
		for k := i; k < start; k++ {
			h ^= uint64(s[k])
			h *= fnvPrime
		}
		for k := 0; k < len(mask); k++ {
			h ^= uint64(mask[k])
			h *= fnvPrime
		}
		i = end
	}
	return h
}

// Template returns s with each variable token replaced by its mask: <n>
// for numbers, ids, hex and timestamps, <q> for quoted values, <path> for
// paths. Lines with one template differ only in those tokens.
func Template(s string) string {
	var b []byte
	for i := 0; i < len(s); {
		start, end, mask := varToken(s, i)
		if b == nil && start == len(s) {
			return s // nothing variable
		}
		b = append(b, s[i:start]...)
		b = append(b, mask...)
		i = end
	}
	return string(b)
}

// foldRange names what varied across a run of lines from its first line
// to its last: the values of the first token that differs, "1…3000", each
// cut to 24 characters. It is "" when the two lines have no differing
// token of the same place.
func foldRange(first, last string) string {
	i, j := 0, 0
	for i < len(first) && j < len(last) {
		s1, e1, m1 := varToken(first, i)
		s2, e2, m2 := varToken(last, j)
		if m1 == "" || m2 == "" {
			return ""
		}
		if a, b := first[s1:e1], last[s2:e2]; a != b {
			return cutValue(a) + "…" + cutValue(b)
		}
		i, j = e1, e2
	}
	return ""
}

func cutValue(v string) string { return textcut.Cut(v, 24, "…") }
