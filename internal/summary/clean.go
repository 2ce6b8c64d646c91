package summary

import (
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/sprites-mcp/sprites-mcp/internal/textcut"
)

// CleanLine makes one line of service output safe and cheap to show:
// StripANSI, newlines inside the line become spaces, then MaskSecrets,
// trailing blanks go, invalid UTF-8 becomes U+FFFD, and the result is cut
// to maxChars characters (runes) followed by "…[cut N chars]". maxChars <= 0
// means no cut. Masking comes before cutting so a cut can never expose the
// part of a secret that masking would have hidden.
func CleanLine(s string, maxChars int) string {
	return cleanCut(s, maxChars, 0, false)
}

// cleanCut is CleanLine for a line of which only a prefix (or, for \r
// progress lines, a suffix) was kept: moreBytes is how many bytes of the
// original line were dropped before cleaning, and unknownMore says the
// source itself was cut by an unknown amount (the client's event cap).
func cleanCut(s string, maxChars int, moreBytes int, unknownMore bool) string {
	s, _ = cleanCutFlag(s, maxChars, moreBytes, unknownMore)
	return s
}

// cleanCutFlag is cleanCut that also reports whether a cut marker was added.
func cleanCutFlag(s string, maxChars int, moreBytes int, unknownMore bool) (string, bool) {
	// Valid UTF-8 first: stripping a control byte from between two stray
	// bytes must not join them into a character (such as a C1 control).
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "\uFFFD")
	}
	s = strings.TrimRight(s, "\n")
	s = StripANSI(s)
	if strings.IndexByte(s, '\n') >= 0 {
		s = strings.ReplaceAll(s, "\n", " ")
	}
	s = MaskSecrets(s)
	s = strings.TrimRight(s, " \t")
	dropped := moreBytes
	if maxChars > 0 {
		if i, rest := textcut.Index(s, maxChars); i < len(s) {
			dropped += rest
			s = s[:i]
		}
	}
	if dropped > 0 || unknownMore {
		return s + cutMarker(dropped, unknownMore), true
	}
	return s, false
}

// cutMarker says how much of a line is not shown. N counts characters of
// the kept text beyond the cut plus bytes that were never kept; "N+" when
// the source itself was cut and the true length is unknown.
func cutMarker(n int, unknownMore bool) string {
	if unknownMore {
		if n == 0 {
			return "…[cut]"
		}
		return "…[cut " + strconv.Itoa(n) + "+ chars]"
	}
	return "…[cut " + strconv.Itoa(n) + " chars]"
}

// StripANSI removes terminal control sequences from s: CSI (colours, cursor
// moves), OSC (titles, hyperlinks, whose visible text is kept), DCS/SOS/PM/
// APC strings, two- and three-byte escapes, their 8-bit C1 forms, and other
// control characters except tab and newline. A backspace removes the
// character before it. Within each line, a carriage return overwrites what
// came before it, as on a terminal, so a progress line keeps only its last
// non-empty segment. s is returned as is when it has nothing to strip.
//
// It is written here because no served module does this job: the Go
// module list this project may draw from holds neither
// github.com/acarl005/stripansi nor github.com/charmbracelet/x/ansi (only
// Azure/go-ansiterm, a terminal emulator's parser), and a regular
// expression would not resolve carriage returns and backspaces. It is off
// the hot path (Add never cleans; only shown lines are cleaned, a few
// hundred per result): BenchmarkStripANSI measures about 1 µs for an
// 80-byte coloured line on a loaded 2-core machine (load 5.4), and a line
// without control bytes costs one scan and no allocation.
func StripANSI(s string) string {
	if !needsStrip(s) {
		return s
	}
	b := make([]byte, 0, len(s))
	lineStart := 0 // index in b where the current line starts
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == 0x1b:
			i = skipEscape(s, i+1)
		case c == 0xc2 && i+1 < len(s) && s[i+1] >= 0x80 && s[i+1] <= 0x9f:
			i = skipC1(s, s[i+1], i+2)
		case c == '\n':
			b = append(b, c)
			i++
			lineStart = len(b)
		case c == '\r':
			// Keep the \r for now; overwrites are resolved per line below.
			b = append(b, c)
			i++
		case c == '\b':
			if len(b) > lineStart {
				_, size := utf8.DecodeLastRune(b[lineStart:])
				b = b[:len(b)-size]
			}
			i++
		case c < 0x20 && c != '\t', c == 0x7f:
			i++
		default:
			b = append(b, c)
			i++
		}
	}
	if strings.IndexByte(string(b), '\r') >= 0 {
		b = resolveCR(b)
	}
	return string(b)
}

// needsStrip reports whether s holds any byte StripANSI acts on; the common
// clean line costs one pass and no allocation.
func needsStrip(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x20 && c != '\t' && c != '\n' || c == 0x7f {
			return true
		}
		if c == 0xc2 && i+1 < len(s) && s[i+1] >= 0x80 && s[i+1] <= 0x9f {
			return true
		}
	}
	return false
}

// skipEscape skips the escape sequence whose ESC is just before i.
func skipEscape(s string, i int) int {
	if i >= len(s) {
		return i
	}
	switch c := s[i]; {
	case c == '[':
		return skipCSI(s, i+1)
	case c == ']', c == 'P', c == 'X', c == '^', c == '_':
		return skipString(s, i+1)
	case c >= 0x20 && c <= 0x2f:
		// nF escape such as ESC ( B: intermediates, then one final byte.
		for i < len(s) && s[i] >= 0x20 && s[i] <= 0x2f {
			i++
		}
		if i < len(s) && s[i] < 0x80 {
			i++
		}
		return i
	case c < 0x80:
		// Two-byte escape such as ESC 7 or ESC M.
		return i + 1
	default:
		// Not an escape: drop the ESC, keep the character after it whole.
		return i
	}
}

// skipC1 skips an 8-bit C1 control (UTF-8 encoded) and what it introduces.
func skipC1(s string, c1 byte, i int) int {
	switch c1 {
	case 0x9b: // CSI
		return skipCSI(s, i)
	case 0x9d, 0x90, 0x98, 0x9e, 0x9f: // OSC, DCS, SOS, PM, APC
		return skipString(s, i)
	}
	return i
}

// skipCSI skips parameter and intermediate bytes and the final byte.
func skipCSI(s string, i int) int {
	for i < len(s) {
		c := s[i]
		i++
		if c >= 0x40 && c <= 0x7e {
			return i
		}
		if c < 0x20 || c > 0x7e {
			// Not a CSI byte: a malformed sequence; stop here and keep the rest.
			return i - 1
		}
	}
	return i
}

// skipString skips a control string up to its terminator: BEL, ESC \ or
// the 8-bit ST. A missing terminator swallows the rest of the line only.
func skipString(s string, i int) int {
	for i < len(s) {
		switch s[i] {
		case 0x07:
			return i + 1
		case 0x1b:
			if i+1 < len(s) && s[i+1] == '\\' {
				return i + 2
			}
			return i + 1
		case 0xc2:
			if i+1 < len(s) && s[i+1] == 0x9c {
				return i + 2
			}
		case '\n':
			return i
		}
		i++
	}
	return i
}

// resolveCR applies carriage returns line by line: the last segment that
// has visible text wins, as the terminal would mostly show it.
func resolveCR(b []byte) []byte {
	out := b[:0]
	start := 0
	for start <= len(b) {
		end := start
		for end < len(b) && b[end] != '\n' {
			end++
		}
		line := b[start:end]
		seg := lastSegment(line)
		out = append(out, seg...)
		if end < len(b) {
			out = append(out, '\n')
		}
		start = end + 1
	}
	return out
}

// lastSegment returns the part of line after its last \r that is followed
// by visible text, or line without \r when no segment has any.
func lastSegment(line []byte) []byte {
	end := len(line)
	for end > 0 {
		i := lastIndexByte(line[:end], '\r')
		seg := line[i+1 : end]
		if strings.TrimSpace(string(seg)) != "" {
			return seg
		}
		if i < 0 {
			return seg
		}
		end = i
	}
	return line[:0]
}

func lastIndexByte(b []byte, c byte) int {
	for i := len(b) - 1; i >= 0; i-- {
		if b[i] == c {
			return i
		}
	}
	return -1
}

// A Cleaner is CleanLine for the consecutive lines of one stream or log
// (a log tail, a followed log): it also hides the body of a private key
// printed line by line, which no single line shows to be secret. Each line
// inside such a block becomes "[private key line masked]"; masking stops at
// the END line, or after 400 lines without one. Use one Cleaner per
// stream (stdout and stderr apart when they are apart); the zero value
// does not cut lines.
type Cleaner struct {
	MaxChars int // as CleanLine's maxChars
	key      keyBlock
}

// Clean cleans the next line of the stream.
func (c *Cleaner) Clean(line string) string {
	if (c.key.in || strings.Contains(line, "PRIVATE KEY")) && c.key.step(line) {
		return keyLine
	}
	return CleanLine(line, c.MaxChars)
}

// CleanLines cleans consecutive lines of one log with a Cleaner.
func CleanLines(lines []string, maxChars int) []string {
	c := Cleaner{MaxChars: maxChars}
	out := make([]string, len(lines))
	for i, l := range lines {
		out[i] = c.Clean(l)
	}
	return out
}
