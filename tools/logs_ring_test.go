package tools

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/sprites-mcp/sprites-mcp/client"
)

// TestRingExtendKeepsRunesWhole: a ~40 KiB line of multibyte characters
// arriving as several events (pieces cut at arbitrary bytes, as a runtime
// splits a long line) is kept as valid UTF-8, cut before a whole rune,
// whatever the piece sizes.
func TestRingExtendKeepsRunesWhole(t *testing.T) {
	for _, ch := range []string{"é", "€", "😀"} {
		line := "a" + strings.Repeat(ch, 40<<10/len(ch)) + "\n"
		for _, size := range []int{1001, 1024, 2047, 2048, 4096, 8191} {
			r := newEventRing(4)
			for off := 0; off < len(line); off += size {
				piece := client.Event{Type: client.EventStdout, Data: line[off:min(off+size, len(line))]}
				if off == 0 {
					r.push(keepBounded(piece))
				} else {
					r.extend(piece)
				}
			}
			evs := r.events()
			if len(evs) != 1 {
				t.Fatalf("%s/%d: %d events, want the line as one", ch, size, len(evs))
			}
			got := evs[0]
			if !utf8.ValidString(got.Data) || !got.Truncated || len(got.Data) > keptLineBytes+1 || !strings.HasSuffix(got.Data, ch+"\n") {
				t.Errorf("%s/%d: kept %d bytes, valid %v, truncated %v, ends %q", ch, size, len(got.Data),
					utf8.ValidString(got.Data), got.Truncated, got.Data[max(0, len(got.Data)-8):])
			}
		}
	}
}
