package textcut

// Ring keeps the newest items of a stream, oldest first, within two bounds:
// at most MaxItems items and at most MaxBytes bytes as counted by Size.
// Pushing past a bound drops the oldest items (handing each to OnDrop when
// set); the newest item always stays, even when alone it passes MaxBytes,
// so a caller never loses what just happened. Memory is bounded by the
// bounds, never by the stream.
//
// A Ring is not safe for concurrent use. The zero value is not usable:
// make one with NewRing.
type Ring[T any] struct {
	buf      []T
	start, n int
	bytes    int
	dropped  int
	maxItems int
	maxBytes int
	size     func(T) int
	onDrop   func(T)
}

// NewRing returns a Ring keeping at most maxItems items (at least 1) and
// maxBytes bytes (<= 0: no byte bound). size counts an item's bytes
// (nil: every item counts 0); onDrop, when not nil, receives each item the
// bounds push out, oldest first.
func NewRing[T any](maxItems, maxBytes int, size func(T) int, onDrop func(T)) *Ring[T] {
	if size == nil {
		size = func(T) int { return 0 }
	}
	return &Ring[T]{maxItems: max(maxItems, 1), maxBytes: maxBytes, size: size, onDrop: onDrop}
}

// Len is how many items the ring holds.
func (r *Ring[T]) Len() int { return r.n }

// Bytes is the sum of Size over the items held.
func (r *Ring[T]) Bytes() int { return r.bytes }

// Dropped is how many items the bounds have pushed out so far.
func (r *Ring[T]) Dropped() int { return r.dropped }

// Push adds v as the newest item, then drops the oldest until both bounds
// hold again (or v alone is left).
func (r *Ring[T]) Push(v T) {
	if r.n == len(r.buf) {
		r.grow()
	}
	r.buf[(r.start+r.n)%len(r.buf)] = v
	r.n++
	r.bytes += r.size(v)
	r.enforce()
}

// Fits reports whether an item of size bytes could be pushed without
// dropping anything.
func (r *Ring[T]) Fits(size int) bool {
	return r.n < r.maxItems && (r.maxBytes <= 0 || r.bytes+size <= r.maxBytes)
}

// UpdateNewest changes the newest item in place through f and counts its
// size again, dropping the oldest items if it grew past the byte bound.
// It does nothing on an empty ring.
func (r *Ring[T]) UpdateNewest(f func(*T)) {
	if r.n == 0 {
		return
	}
	p := r.At(r.n - 1)
	r.bytes -= r.size(*p)
	f(p)
	r.bytes += r.size(*p)
	r.enforce()
}

// At returns the i-th oldest item (0 is the oldest); it panics when i is
// out of range. The pointer is valid until the next Push or PopOldest.
func (r *Ring[T]) At(i int) *T {
	if i < 0 || i >= r.n {
		panic("textcut: Ring index out of range")
	}
	return &r.buf[(r.start+i)%len(r.buf)]
}

// PopOldest removes and returns the oldest item (not counted as dropped);
// ok is false on an empty ring.
func (r *Ring[T]) PopOldest() (v T, ok bool) {
	if r.n == 0 {
		return v, false
	}
	var zero T
	v = r.buf[r.start]
	r.buf[r.start] = zero // release what it references
	r.start = (r.start + 1) % len(r.buf)
	r.n--
	r.bytes -= r.size(v)
	return v, true
}

// PopNewest removes and returns the newest item (not counted as
// dropped); ok is false on an empty ring.
func (r *Ring[T]) PopNewest() (v T, ok bool) {
	if r.n == 0 {
		return v, false
	}
	var zero T
	p := r.At(r.n - 1)
	v, *p = *p, zero
	r.n--
	r.bytes -= r.size(v)
	return v, true
}

// Items returns a copy of the items, oldest first.
func (r *Ring[T]) Items() []T {
	out := make([]T, r.n)
	for i := range out {
		out[i] = *r.At(i)
	}
	return out
}

// Reset empties the ring and its Dropped count, keeping its storage.
func (r *Ring[T]) Reset() {
	var zero T
	for i := range r.buf {
		r.buf[i] = zero
	}
	r.start, r.n, r.bytes, r.dropped = 0, 0, 0, 0
}

func (r *Ring[T]) enforce() {
	for r.n > 1 && (r.n > r.maxItems || r.maxBytes > 0 && r.bytes > r.maxBytes) {
		v, _ := r.PopOldest()
		r.dropped++
		if r.onDrop != nil {
			r.onDrop(v)
		}
	}
}

// grow doubles the storage (from 16), never past maxItems+1: Push adds
// before it drops.
func (r *Ring[T]) grow() {
	size := min(max(2*len(r.buf), 16), r.maxItems+1)
	buf := make([]T, size)
	for i := 0; i < r.n; i++ {
		buf[i] = r.buf[(r.start+i)%len(r.buf)]
	}
	r.buf, r.start = buf, 0
}
