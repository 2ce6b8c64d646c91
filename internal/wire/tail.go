package wire

import "io"

// tailBlock is how much of a file TailOffset reads at a time.
const tailBlock = 64 << 10

// TailOffset finds where the last n lines of the first size bytes of f
// begin, and how many lines there are from there (at most n; fewer when
// the file is shorter). A final newline ends the last line and does not
// start another; a last line without one still counts. It reads backwards
// in fixed blocks, so memory does not grow with the file or its lines.
func TailOffset(f io.ReaderAt, size int64, n int) (offset int64, lines int, err error) {
	return tailOffsetBlock(f, size, n, tailBlock)
}

// tailOffsetBlock is TailOffset with the block size as a parameter, so
// tests can cross block edges with small files.
func tailOffsetBlock(f io.ReaderAt, size int64, n int, block int64) (int64, int, error) {
	if size <= 0 || n <= 0 {
		return size, 0, nil
	}
	buf := make([]byte, min(block, size))
	end := size
	if _, err := f.ReadAt(buf[:1], end-1); err != nil {
		return 0, 0, err
	}
	if buf[0] == '\n' {
		end--
	}
	count := 0
	for pos := end; pos > 0; {
		start := max(pos-int64(len(buf)), 0)
		chunk := buf[:pos-start]
		if _, err := f.ReadAt(chunk, start); err != nil && err != io.EOF {
			return 0, 0, err
		}
		for i := len(chunk) - 1; i >= 0; i-- {
			if chunk[i] == '\n' {
				if count++; count == n {
					return start + int64(i) + 1, n, nil
				}
			}
		}
		pos = start
	}
	// The first line has no newline before it.
	return 0, count + 1, nil
}
