package summary

import (
	"slices"
	"strconv"
	"unicode/utf8"

	"github.com/sprites-mcp/sprites-mcp/internal/textcut"
)

// shown is a candidate line, cleaned, with what it costs in the output.
type shown struct {
	e    *entry
	idx  int // index in chooser.all, or -1 for a line of the omitted middle
	line Line
	cut  bool // the text was cut (or its source was)
	cost int  // runes, with its newline
	ok   bool // cleaned already
}

// blockLines is an error block that may be shown out of turn, bounded.
type blockLines struct {
	id    int32
	lines []shown // in stream order
}

// chooser picks the lines of a Result within the budget. Candidates are
// cleaned only when first looked at.
type chooser struct {
	lineCap  int
	seen     int
	all      []shown      // the kept head then the kept tail, in stream order
	blocks   []blockLines // error blocks that may be shown out of turn
	causeBlk int32        // the block of the cause, shown first
	budget   int          // runes, counting one newline per line
	mk       int          // the most one omitted-lines marker costs
}

// layoutOf is a rendering of chosen lines: its exact cost, and whether
// any line in it was cut.
type layoutOf struct {
	lines []Line
	cost  int
	cut   bool
}

// choose fills r.Lines.
//
// The candidates are the kept head and tail (one run of entries with the
// omitted middle somewhere inside, runs of one shape folded), in which the
// lines of each error block beyond its bounds are dropped, and error
// blocks: those of the omitted middle, and those of the head and tail that
// the first split leaves out. Blocks get at most two thirds of the budget:
// the block of the cause first, then the others from the newest back,
// each whole if it fits, else its first, key and last two lines; the
// newest line comes next, cut shorter if it must; the first lines get a
// third of what is left; the last lines get what remains, then the first
// lines any room left. The layout is then measured exactly, markers
// included, and grown or shrunk to use the budget without passing it.
func (s *Summarizer) choose(r *Result) {
	c := &chooser{
		lineCap:  min(s.cfg.MaxLineChars, max(s.cfg.MaxChars/2, 1)),
		seen:     r.LinesSeen,
		budget:   s.cfg.MaxChars + 1, // n lines joined by n-1 newlines cost Σ(len+1) - 1
		mk:       markerCost(r.LinesSeen),
		causeBlk: s.causeBlk,
	}
	kept := make([]*entry, 0, len(s.head)+s.tail.Len())
	for i := range s.head {
		kept = append(kept, &s.head[i])
	}
	var mid []*entry
	for _, b := range s.mid.blocks() {
		b.each(func(k *cand) { mid = append(mid, &k.e) })
	}
	for i := 0; i < s.tail.Len(); i++ {
		kept = append(kept, s.tail.At(i))
	}
	// One block may run from the head through the middle into the tail:
	// it is bounded as a whole, in stream order.
	keep := boundBlocks(slices.Concat(kept[:len(s.head)], mid, kept[len(s.head):]))
	inAll := func(i int) int {
		if i < len(s.head) {
			return i
		}
		return i + len(mid)
	}
	for i, e := range kept {
		if e.blk == 0 || keep[inAll(i)] {
			c.all = append(c.all, shown{e: e, idx: len(c.all)})
		}
	}
	if len(c.all) == 0 {
		c.fill(r, layoutOf{})
		return
	}
	var middle []blockLines
	for i, e := range mid {
		if !keep[len(s.head)+i] {
			continue
		}
		if n := len(middle); n == 0 || middle[n-1].id != e.blk {
			middle = append(middle, blockLines{id: e.blk})
		}
		middle[len(middle)-1].lines = append(middle[len(middle)-1].lines, shown{e: e, idx: -1})
	}

	c.blocks = middle
	chosen, used := c.chooseBlocks()
	h, t := c.split(c.budget - used - 2*c.mk)
	if more := c.unshownBlocks(h, t); len(more) > 0 {
		c.blocks = append(middle, more...)
		chosen, used = c.chooseBlocks()
		h, t = c.split(c.budget - used - 2*c.mk)
	}

	n := len(c.all)
	if h+t == 0 {
		// Not even one line fits as it is: show the newest, cut to fit.
		if only, ok := c.squeeze(n-1, c.budget-2*c.mk); ok {
			c.fill(r, c.layout([]*shown{&only}))
			return
		}
	}
	lo := c.layout(c.pick(h, t, chosen))
	// Grow into what the reserve did not need, the end first.
	for grown := true; grown && lo.cost < c.budget && h+t < n; {
		grown = false
		if l2 := c.layout(c.pick(h, t+1, chosen)); l2.cost <= c.budget {
			lo, t, grown = l2, t+1, true
		} else if l2 := c.layout(c.pick(h+1, t, chosen)); l2.cost <= c.budget {
			lo, h, grown = l2, h+1, true
		}
	}
	// Shrink if the estimate was wrong: block lines first (the least
	// wanted first), then the head, then the oldest of the tail; the
	// newest line goes last.
	for lo.cost > c.budget && h+t+len(chosen) > 0 {
		switch {
		case len(chosen) > 0:
			chosen = chosen[:len(chosen)-1]
		case h > 0:
			h--
		default:
			t--
		}
		lo = c.layout(c.pick(h, t, chosen))
	}
	c.fill(r, lo)
}

// boundBlocks says which of the entries, in stream order, to keep as
// candidates: every line in no block, and of each error block what
// keptBlock keeps of it, so that a deep stack shows its first and last
// frames with a marker between them.
func boundBlocks(list []*entry) []bool {
	k := blockKeeper{}
	for i, e := range list {
		if e.blk != 0 {
			k.add(cand{e: entry{blk: e.blk, key: e.key}, idx: i})
		}
	}
	keep := make([]bool, len(list))
	for _, b := range k.blocks() {
		b.each(func(c *cand) { keep[c.idx] = true })
	}
	for i, e := range list {
		keep[i] = keep[i] || e.blk == 0
	}
	return keep
}

// chooseBlocks picks block lines within two thirds of the budget: the
// cause's block first, then the others from the newest back. A block is
// taken whole, or else as its first, key and last two lines. A block whose
// first line was already picked twice is skipped, so a crash loop's one
// report does not fill the space. It returns the picked lines, the most
// wanted first, and what they cost, a marker each included.
func (c *chooser) chooseBlocks() ([]*shown, int) {
	order := make([]int, 0, len(c.blocks))
	for i := range c.blocks {
		if c.blocks[i].id == c.causeBlk && c.causeBlk != 0 {
			order = append(order, i)
		}
	}
	for i := len(c.blocks) - 1; i >= 0; i-- {
		if c.blocks[i].id != c.causeBlk || c.causeBlk == 0 {
			order = append(order, i)
		}
	}
	var picked []*shown
	used, limit := 0, c.budget*2/3
	seen := make(map[string]int)
	for _, bi := range order {
		b := &c.blocks[bi]
		if len(b.lines) == 0 {
			continue
		}
		first := b.lines[0].e.text
		if seen[first] >= 2 {
			continue
		}
		for _, compact := range []bool{false, true} {
			var lines []*shown
			cost := 0
			for i := range b.lines {
				if compact && !(i < 2 || i >= len(b.lines)-2 || b.lines[i].e.key) {
					continue
				}
				sh := c.get(b.lines, i)
				lines = append(lines, sh)
				cost += sh.cost + c.mk
			}
			if used+cost <= limit {
				picked = append(picked, lines...)
				used += cost
				seen[first]++
				break
			}
		}
	}
	return picked, used
}

// split returns how many lines to show from the start (h) and the end (t)
// of all within room.
func (c *chooser) split(room int) (h, t int) {
	n := len(c.all)
	spent := 0
	take := func(i, limit int) bool {
		if cost := c.get(c.all, i).cost; spent+cost <= limit {
			spent += cost
			return true
		}
		return false
	}
	// The newest line comes first, cut shorter if it must: it is what the
	// service did last.
	if take(n-1, room) {
		t = 1
	} else if sq, ok := c.squeeze(n-1, room); ok {
		c.all[n-1] = sq
		spent += sq.cost
		t = 1
	}
	for headLimit := spent + (room-spent)/3; h+t < n && take(h, headLimit); {
		h++
	}
	for h+t < n && take(n-1-t, room) {
		t++
	}
	for h+t < n && take(h, room) {
		h++
	}
	return h, t
}

// unshownBlocks returns the block lines of all that a split of h and t
// leaves out, grouped by block in stream order.
func (c *chooser) unshownBlocks(h, t int) []blockLines {
	var out []blockLines
	for i := h; i < len(c.all)-t; i++ {
		e := c.all[i].e
		if e.blk == 0 {
			continue
		}
		j := len(out) - 1
		for j >= 0 && out[j].id != e.blk {
			j--
		}
		if j < 0 {
			out = append(out, blockLines{id: e.blk})
			j = len(out) - 1
		}
		out[j].lines = append(out[j].lines, shown{e: e, idx: i})
	}
	return out
}

// pick returns the first h and last t candidates and the chosen block
// lines that are not among them, in stream order.
func (c *chooser) pick(h, t int, chosen []*shown) []*shown {
	n := len(c.all)
	items := make([]*shown, 0, h+t+len(chosen))
	for i := 0; i < h; i++ {
		items = append(items, c.get(c.all, i))
	}
	for i := n - t; i < n; i++ {
		items = append(items, c.get(c.all, i))
	}
	for _, sh := range chosen {
		if k := sh.idx; k >= 0 && (k < h || k >= n-t) {
			continue // shown in its place already
		}
		items = append(items, sh)
	}
	slices.SortFunc(items, func(a, b *shown) int { return a.e.seq - b.e.seq })
	return slices.CompactFunc(items, func(a, b *shown) bool { return a.e.seq == b.e.seq })
}

// get returns candidate i of list, cleaning it on first use.
func (c *chooser) get(list []shown, i int) *shown {
	if !list[i].ok {
		idx := list[i].idx
		list[i] = c.clean(list[i].e, c.lineCap)
		list[i].idx = idx
	}
	return &list[i]
}

// squeeze cleans candidate i of all with a cut short enough for its cost
// to be within room, if there is such a cut.
func (c *chooser) squeeze(i, room int) (shown, bool) {
	e := c.all[i].e
	for limit := c.lineCap; limit > 0; {
		sh := c.clean(e, limit)
		if sh.cost <= room {
			sh.idx = i
			return sh, true
		}
		limit -= sh.cost - room
	}
	return shown{}, false
}

// layout renders the chosen items (in stream order) as Lines with their
// omitted-lines counts, and returns their exact cost in runes, each line
// and marker counted with one newline.
func (c *chooser) layout(items []*shown) layoutOf {
	lines := make([]Line, 0, len(items))
	cost, next, cut := 0, 0, false
	for _, it := range items {
		cut = cut || it.cut
		l := it.line
		l.OmittedBefore = it.e.seq - next
		if l.OmittedBefore > 0 {
			cost += utf8.RuneCountInString(omittedMarker(l.OmittedBefore)) + 1
		}
		cost += it.cost
		next = it.e.seq + it.e.repeat
		lines = append(lines, l)
	}
	if end := c.seen - next; end > 0 {
		cost += utf8.RuneCountInString(omittedMarker(end)) + 1
	}
	return layoutOf{lines, cost, cut}
}

// fill records the chosen lines and the counts that follow from them.
func (c *chooser) fill(r *Result, lo layoutOf) {
	r.Lines = lo.lines
	r.LinesShown = 0
	next := 0
	for _, l := range lo.lines {
		r.LinesShown += l.Repeat
		next += l.OmittedBefore + l.Repeat
	}
	r.OmittedAtEnd = r.LinesSeen - next
	r.Omitted = r.LinesSeen - r.LinesShown
	r.Truncated = lo.cut || r.Omitted > 0
}

// markerCost bounds the runes of one omitted-lines marker with its newline.
func markerCost(seen int) int {
	return utf8.RuneCountInString(omittedMarker(max(seen, 2))) + 1
}

// clean renders an entry as a candidate line cut at maxChars runes. A run
// whose lines vary is shown as its template with the range of what varied.
func (c *chooser) clean(e *entry, maxChars int) shown {
	text, cut := cleanCutFlag(e.text, maxChars, e.rawLen-len(e.text), e.srcCut)
	l := Line{Stream: "stdout", Text: text, Repeat: e.repeat}
	if e.varied {
		first, _ := cleanCutFlag(e.text, 0, 0, false)
		last, _ := cleanCutFlag(string(e.last), 0, 0, false)
		l.Range = foldRange(first, last)
		text, cut = cleanCutFlag(Template(first), maxChars, e.rawLen-len(e.text), e.srcCut)
		l.Text = text
	}
	for _, m := range e.minor {
		if m.count == 0 {
			continue
		}
		text := CleanLine(m.text, 0)
		if m.varied {
			text = Template(text)
		}
		if l.Also != "" {
			l.Also += ", "
		}
		l.Also += "×" + strconv.Itoa(m.count) + " \"" + textcut.Cut(text, 80, "…") + "\""
	}
	cost := utf8.RuneCountInString(l.Text) + 1
	if e.stderr {
		l.Stream = "stderr"
		cost += utf8.RuneCountInString(stderrPrefix)
	}
	if e.repeat > 1 {
		cost += utf8.RuneCountInString(repeatSuffix(e.repeat, l.Range, l.Also))
	}
	return shown{e: e, line: l, cut: cut, cost: cost, ok: true}
}
