package summary

import "math/bits"

// errorWords are what makes a line look like an error, in lower case. A
// word may sit inside a longer one ("TypeError", "errors"); that is wanted.
var errorWords = [...]string{
	"error", "panic", "fatal", "exception", "traceback", "eaddrinuse", "eacces", "enoent",
	"failed", "failure", "permission denied", "exit status", "segmentation fault", "segfault",
	"out of memory", "killed", "refused", "cannot ", "unable to", "timed out", "abort",
	"critical", "crash", "denied", "not found", "stack overflow", "undefined reference",
	"no such file",
}

// The filter tables: bit w of first[c] is set when errorWords[w] starts
// with c (either case), and likewise for the second and third bytes, so
// their AND names the words that may start at a position.
var first, second, third [256]uint32

// starts is a bit set of the byte pairs that begin some word (in any
// case), indexed by first | second<<8: most positions fail this one test.
var starts [1 << 16 / 64]uint64

// lower maps ASCII upper case to lower case and leaves other bytes alone.
var lower [256]byte

func init() {
	if len(errorWords) > 32 {
		panic("summary: errorWords must fit in a uint32 mask")
	}
	for i := range lower {
		lower[i] = byte(i)
		if i >= 'A' && i <= 'Z' {
			lower[i] = byte(i) + 'a' - 'A'
		}
	}
	for _, word := range errorWords {
		for _, a := range [2]byte{word[0], upper(word[0])} {
			for _, b := range [2]byte{word[1], upper(word[1])} {
				p := uint16(a) | uint16(b)<<8
				starts[p>>6] |= 1 << (p & 63)
			}
		}
	}
	for w, word := range errorWords {
		for k, tab := range []*[256]uint32{&first, &second, &third} {
			c := word[k]
			tab[c] |= 1 << w
			if c >= 'a' && c <= 'z' {
				tab[c-'a'+'A'] |= 1 << w
			}
		}
	}
}

// LooksLikeError reports whether s holds, in any case, a word that marks
// errors: error, panic, fatal, exception, traceback, EADDRINUSE, EACCES,
// ENOENT, failed, failure, permission denied, exit status, segmentation
// fault, out of memory, killed, refused, cannot, unable to, timed out,
// abort, critical, crash, denied, not found, stack overflow, undefined
// reference, no such file. It allocates nothing and looks at each byte about once: it runs
// on every line of a stream that falls out of the shown tail.
func LooksLikeError(s string) bool {
	for i := 0; i+3 <= len(s); i++ {
		if p := uint16(s[i]) | uint16(s[i+1])<<8; starts[p>>6]&(1<<(p&63)) == 0 {
			continue
		}
		cand := first[s[i]] & second[s[i+1]] & third[s[i+2]]
		for cand != 0 {
			w := bits.TrailingZeros32(cand)
			cand &^= 1 << w
			if hasFoldPrefix(s[i:], errorWords[w]) {
				return true
			}
		}
	}
	return false
}

// hasFoldPrefix reports whether s starts with word (lower case ASCII),
// ignoring ASCII case in s.
func hasFoldPrefix(s, word string) bool {
	if len(s) < len(word) {
		return false
	}
	for k := 3; k < len(word); k++ {
		if lower[s[k]] != word[k] {
			return false
		}
	}
	return true
}

// upper maps ASCII lower case to upper case and leaves other bytes alone.
func upper(c byte) byte {
	if c >= 'a' && c <= 'z' {
		return c - 'a' + 'A'
	}
	return c
}
