package wire

import (
	"bytes"
	"time"
)

// A service log file holds one line per line of output:
//
//	2026-06-02T17:11:17.821123456Z [stderr] text
//
// the time in RFC 3339 with nanoseconds (UTC when written by the runtime),
// the stream in brackets, one space, the text. Older runtimes and other
// writers leave out the tag or the whole header; the parser accepts that.

// MaxLogHeader bounds the "<time> [stream] " prefix of a line on disk, so a
// reader that keeps a bounded prefix of a long line can keep its header too.
const MaxLogHeader = 64

// maxStampLen bounds the timestamp the parser tries: RFC3339Nano with a
// few digits of slack (a zone offset instead of Z, a five-digit year). A
// space further in is text, and is not handed to time.Parse.
const maxStampLen = len(time.RFC3339Nano) + 6

// AppendLogLine appends one log-file line to dst: t in UTC, the stream's
// tag, text and a newline. text must not hold a newline of its own.
func AppendLogLine(dst []byte, t time.Time, stream EventType, text []byte) []byte {
	dst = AppendLogHeader(dst, t, stream)
	dst = append(dst, text...)
	return append(dst, '\n')
}

// AppendLogHeader appends the start of a log-file line, "<t> [stream] ",
// to dst; the text and a newline complete it. A writer of many lines at
// the same time formats the header once and copies it.
func AppendLogHeader(dst []byte, t time.Time, stream EventType) []byte {
	dst = t.UTC().AppendFormat(dst, time.RFC3339Nano)
	dst = append(dst, " ["...)
	dst = append(dst, stream...)
	return append(dst, "] "...)
}

// LogLine is a log-file line split into its parts.
type LogLine struct {
	// Time is zero when the line has no timestamp (or, harmlessly, when
	// its timestamp is the zero time).
	Time time.Time
	// Stream is EventStdout or EventStderr, or "" when the line has no
	// tag; the reader decides what such a line is (its file's stream, or
	// stdout).
	Stream EventType
	// Text is the rest of the line, sharing the input's memory; a newline
	// at the end of the input stays at the end of Text.
	Text []byte
}

// ParseLogLine splits a line written by AppendLogLine, or by an older
// runtime. A line without a leading timestamp is all text; one with a
// timestamp but no known tag keeps the timestamp and the rest is text.
// It never fails, and looks for the header in the first MaxLogHeader
// bytes only, however long the line.
func ParseLogLine(line []byte) LogLine {
	sp := bytes.IndexByte(line[:min(len(line), maxStampLen+1)], ' ')
	if sp <= 0 {
		return LogLine{Text: line}
	}
	t, err := time.Parse(time.RFC3339Nano, string(line[:sp]))
	if err != nil {
		return LogLine{Text: line}
	}
	rest := line[sp+1:]
	if text, ok := bytes.CutPrefix(rest, tagStdout); ok {
		return LogLine{Time: t, Stream: EventStdout, Text: text}
	}
	if text, ok := bytes.CutPrefix(rest, tagStderr); ok {
		return LogLine{Time: t, Stream: EventStderr, Text: text}
	}
	return LogLine{Time: t, Text: rest}
}

// The stream tags as they follow the timestamp.
var (
	tagStdout = []byte("[" + EventStdout + "] ")
	tagStderr = []byte("[" + EventStderr + "] ")
)
