package summary

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/sprites-mcp/sprites-mcp/client"
)

func stdout(s string) client.Event { return client.Event{Type: client.EventStdout, Data: s} }
func stderr(s string) client.Event { return client.Event{Type: client.EventStderr, Data: s} }
func intp(n int) *int              { return &n }

func feed(s *Summarizer, evs ...client.Event) {
	for _, ev := range evs {
		s.Add(ev)
	}
}

// checkInvariants asserts what must hold of every Result, whatever the
// stream: counts add up, lines are in order with consistent omitted
// counts, and the output keeps to the budget.
func checkInvariants(t *testing.T, r Result, maxChars int) {
	t.Helper()
	if r.LinesShown+r.Omitted != r.LinesSeen {
		t.Fatalf("LinesShown %d + Omitted %d != LinesSeen %d", r.LinesShown, r.Omitted, r.LinesSeen)
	}
	if r.StdoutLines+r.StderrLines != r.LinesSeen {
		t.Fatalf("StdoutLines %d + StderrLines %d != LinesSeen %d", r.StdoutLines, r.StderrLines, r.LinesSeen)
	}
	if r.StdoutBytes+r.StderrBytes != r.BytesSeen {
		t.Fatalf("byte counts do not add up: %d + %d != %d", r.StdoutBytes, r.StderrBytes, r.BytesSeen)
	}
	shown, covered := 0, 0
	for i, l := range r.Lines {
		if l.Repeat < 1 || l.OmittedBefore < 0 {
			t.Fatalf("line %d has Repeat %d, OmittedBefore %d", i, l.Repeat, l.OmittedBefore)
		}
		if l.Stream != "stdout" && l.Stream != "stderr" {
			t.Fatalf("line %d has stream %q", i, l.Stream)
		}
		if strings.Contains(l.Text, "\n") || !utf8.ValidString(l.Text) {
			t.Fatalf("line %d text is not one clean line: %q", i, l.Text)
		}
		shown += l.Repeat
		covered += l.OmittedBefore + l.Repeat
	}
	if shown != r.LinesShown {
		t.Fatalf("Lines stand for %d lines, LinesShown says %d", shown, r.LinesShown)
	}
	if covered+r.OmittedAtEnd != r.LinesSeen {
		t.Fatalf("shown and omitted lines cover %d+%d, want LinesSeen %d", covered, r.OmittedAtEnd, r.LinesSeen)
	}
	if r.Omitted > 0 && !r.Truncated {
		t.Fatal("lines were omitted but Truncated is false")
	}
	out := r.Output()
	if n := utf8.RuneCountInString(out); n > maxChars {
		t.Fatalf("Output has %d runes, budget %d", n, maxChars)
	}
	if !utf8.ValidString(out) {
		t.Fatal("Output is not valid UTF-8")
	}
}

// texts returns the Text of each line.
func texts(r Result) []string {
	var out []string
	for _, l := range r.Lines {
		out = append(out, l.Text)
	}
	return out
}

// findLine returns the index of the first line whose text contains sub.
func findLine(r Result, sub string) int {
	for i, l := range r.Lines {
		if strings.Contains(l.Text, sub) {
			return i
		}
	}
	return -1
}
