package summary

// ring is a FIFO of entries in a circular buffer that grows as needed.
// bytes tracks entrySize of what it holds; limit, when set, is the most it
// may hold (the caller makes room).
type ring struct {
	buf   []entry
	start int
	n     int
	bytes int
	limit int
}

func (r *ring) push(e entry) {
	if r.n == len(r.buf) {
		r.grow()
	}
	r.buf[(r.start+r.n)%len(r.buf)] = e
	r.n++
	r.bytes += entrySize(e)
}

func (r *ring) grow() {
	size := max(2*len(r.buf), 64)
	if r.limit > 0 {
		size = min(size, r.limit)
	}
	buf := make([]entry, size)
	for i := 0; i < r.n; i++ {
		buf[i] = r.buf[(r.start+i)%len(r.buf)]
	}
	r.buf, r.start = buf, 0
}

func (r *ring) popFront() entry {
	e := r.buf[r.start]
	r.buf[r.start] = entry{} // drop the reference to its text
	r.start = (r.start + 1) % len(r.buf)
	r.n--
	r.bytes -= entrySize(e)
	return e
}

func (r *ring) back() *entry { return &r.buf[(r.start+r.n-1)%len(r.buf)] }

// at returns the i-th oldest entry.
func (r *ring) at(i int) *entry { return &r.buf[(r.start+i)%len(r.buf)] }
