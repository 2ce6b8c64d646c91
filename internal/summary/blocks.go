package summary

// Bounds of what is kept of error blocks (a crash report, a run of error
// lines) that are not shown in the head or tail.
const (
	// blockHead, blockKeys and blockTail bound one block: its first lines
	// (the error and the innermost frames of Go, Java, Node and Rust), its
	// latest key lines from in between (a cause such as Java's innermost
	// "Caused by:" with the frames after it), and its last lines (Python's
	// frames nearest the error and its exception line).
	blockHead = 8
	blockKeys = 6
	blockTail = 8
	// firstBlocks and lastBlocks bound how many blocks of the omitted
	// middle are kept: the first ones, and the most recent ones.
	firstBlocks = 3
	lastBlocks  = 6
)

// cand is a line that may be shown: a kept entry and its index among the
// head and tail candidates (-1 for a line of the omitted middle).
type cand struct {
	e   entry
	idx int
}

// keptBlock is one block, bounded to its first, key and last lines.
type keptBlock struct {
	id    int32
	head  []cand
	keys  []cand // the most recent key lines pushed out of tail
	tail  []cand // the most recent lines
	lines int    // lines of the block seen (runs count once)
}

func (b *keptBlock) add(c cand) {
	b.lines++
	if len(b.head) < blockHead {
		b.head = append(b.head, c)
		return
	}
	b.tail = append(b.tail, c)
	if len(b.tail) <= blockTail {
		return
	}
	out := b.tail[0]
	copy(b.tail, b.tail[1:])
	b.tail = b.tail[:blockTail]
	if out.e.key {
		if len(b.keys) == blockKeys {
			copy(b.keys, b.keys[1:])
			b.keys = b.keys[:blockKeys-1]
		}
		b.keys = append(b.keys, out)
	}
}

// each calls f on the kept lines in stream order.
func (b *keptBlock) each(f func(*cand)) {
	for _, part := range [3][]cand{b.head, b.keys, b.tail} {
		for i := range part {
			f(&part[i])
		}
	}
}

// blockKeeper keeps, of the block lines it is given in stream order, the
// first blocks and the last ones (maxFirst and maxLast; 0 means no bound),
// each bounded by keptBlock. Lines in no block are not kept.
type blockKeeper struct {
	maxFirst, maxLast int
	first             []keptBlock
	last              []keptBlock
}

func (k *blockKeeper) add(c cand) {
	if c.e.blk == 0 {
		return
	}
	k.block(c.e.blk).add(c)
}

// block returns the kept block with id, starting it if it is new. Blocks
// arrive one after the other; a block of the other stream may interleave,
// so the two newest are looked at.
func (k *blockKeeper) block(id int32) *keptBlock {
	list := &k.last
	if len(k.last) == 0 {
		list = &k.first
	}
	for i := len(*list) - 1; i >= max(0, len(*list)-2); i-- {
		if (*list)[i].id == id {
			return &(*list)[i]
		}
	}
	if len(k.last) == 0 && (k.maxFirst == 0 || len(k.first) < k.maxFirst) {
		k.first = append(k.first, keptBlock{id: id})
		return &k.first[len(k.first)-1]
	}
	if k.maxLast > 0 && len(k.last) == k.maxLast {
		copy(k.last, k.last[1:])
		k.last = k.last[:k.maxLast-1]
	}
	k.last = append(k.last, keptBlock{id: id})
	return &k.last[len(k.last)-1]
}

// blocks returns the kept blocks in stream order.
func (k *blockKeeper) blocks() []*keptBlock {
	out := make([]*keptBlock, 0, len(k.first)+len(k.last))
	for i := range k.first {
		out = append(out, &k.first[i])
	}
	for i := range k.last {
		out = append(out, &k.last[i])
	}
	return out
}

// lineCount is how many lines the keeper holds.
func (k *blockKeeper) lineCount() int {
	n := 0
	for _, b := range k.blocks() {
		n += len(b.head) + len(b.keys) + len(b.tail)
	}
	return n
}
