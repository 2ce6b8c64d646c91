package wire

import (
	"bytes"
	"errors"
	"math/rand/v2"
	"strings"
	"testing"
)

func TestTailOffset(t *testing.T) {
	cases := []struct {
		content string
		n       int
		want    string
		found   int
	}{
		{"a\nb\nc\n", 2, "b\nc\n", 2},
		{"a\nb\nc\n", 3, "a\nb\nc\n", 3},
		{"a\nb\nc\n", 9, "a\nb\nc\n", 3},
		{"a\nb\nc", 1, "c", 1},
		{"a\nb\nc", 0, "", 0},
		{"", 4, "", 0},
		{"\n", 4, "\n", 1}, // one empty line
		{"\n\n", 1, "\n", 1},
		{strings.Repeat("x\n", 100000), 1, "x\n", 1},
		{"head\n" + strings.Repeat("y", 200<<10), 1, strings.Repeat("y", 200<<10), 1}, // a line over the block
	}
	for _, tc := range cases {
		off, found, err := TailOffset(strings.NewReader(tc.content), int64(len(tc.content)), tc.n)
		if err != nil || tc.content[off:] != tc.want || found != tc.found {
			t.Errorf("%.12q last %d: got %.12q found %d (%v); want %.12q found %d",
				tc.content, tc.n, tc.content[off:], found, err, tc.want, tc.found)
		}
	}
}

// Only the first size bytes count: what was appended after is not there.
func TestTailOffsetStopsAtSize(t *testing.T) {
	content := "a\nb\nc\nlater\n"
	off, found, err := TailOffset(strings.NewReader(content), 6, 2)
	if err != nil || content[off:6] != "b\nc\n" || found != 2 {
		t.Errorf("got %q found %d (%v); want b and c", content[off:6], found, err)
	}
}

type failingReader struct{}

func (failingReader) ReadAt([]byte, int64) (int, error) { return 0, errors.New("disk on fire") }

func TestTailOffsetReportsReadErrors(t *testing.T) {
	if _, _, err := TailOffset(failingReader{}, 10, 1); err == nil || !strings.Contains(err.Error(), "disk on fire") {
		t.Errorf("err = %v; want the read error", err)
	}
}

// tailOffset agrees with a plain split on random files of every shape:
// blank lines, no final newline, lines longer than its block (small
// blocks here, so edges are crossed often; the real size below).
func TestTailOffsetMatchesSplit(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for round := range 400 {
		block := []int64{1, 2, 5, 16, 64 << 10}[round%5]
		var b bytes.Buffer
		nLines := rng.IntN(40)
		for i := range nLines {
			size := rng.IntN(20)
			if block > 1<<10 && rng.IntN(40) == 0 {
				size = 64<<10 + rng.IntN(100<<10) // crosses the real block
			}
			b.Write(bytes.Repeat([]byte{byte('a' + i%26)}, size))
			if i < nLines-1 || rng.IntN(2) == 0 {
				b.WriteByte('\n')
			}
		}
		data := b.Bytes()
		lines := splitLines(data)
		for _, n := range []int{1, 2, 3, 7, len(lines), len(lines) + 5} {
			off, count, err := tailOffsetBlock(bytes.NewReader(data), int64(len(data)), n, block)
			if err != nil {
				t.Fatal(err)
			}
			wantCount := min(n, len(lines))
			wantOff := 0
			for _, l := range lines[:len(lines)-wantCount] {
				wantOff += len(l)
			}
			if count != wantCount || off != int64(wantOff) {
				t.Fatalf("round %d (block %d), %d lines, tail %d: got offset %d count %d; want %d and %d",
					round, block, len(lines), n, off, count, wantOff, wantCount)
			}
		}
	}
}

// splitLines splits after each newline; a last piece without one is a line.
func splitLines(data []byte) [][]byte {
	var out [][]byte
	for len(data) > 0 {
		i := bytes.IndexByte(data, '\n')
		if i < 0 {
			out = append(out, data)
			break
		}
		out = append(out, data[:i+1])
		data = data[i+1:]
	}
	return out
}
