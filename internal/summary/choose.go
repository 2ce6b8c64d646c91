package summary

import (
	"slices"
	"unicode/utf8"
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

// chooser picks the lines of a Result within the budget. Candidates are
// cleaned only when first looked at.
type chooser struct {
	lineCap int
	seen    int
	all     []shown // the kept head then the kept tail, in stream order
	errs    []shown // error-looking lines that may be shown out of turn
	budget  int     // runes, counting one newline per line
	mk      int     // the most one omitted-lines marker costs
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
// The candidates are the kept head and tail (one run of lines with the
// omitted middle somewhere inside) and error-looking lines: those of the
// omitted middle, and those of the head and tail that the first split
// leaves out. Errors get at most a quarter of the budget, taken alternately
// from the start and the end; the newest line comes next, cut shorter if
// it must; the first lines get a third of what is left; the last lines get
// what remains, then the first lines any room left. The layout is then
// measured exactly, markers included, and grown or shrunk to use the
// budget without passing it.
func (s *Summarizer) choose(r *Result) {
	c := &chooser{
		lineCap: min(s.cfg.MaxLineChars, max(s.cfg.MaxChars/2, 1)),
		seen:    r.LinesSeen,
		all:     make([]shown, 0, len(s.head)+s.tail.n),
		budget:  s.cfg.MaxChars + 1, // n lines joined by n-1 newlines cost Σ(len+1) - 1
		mk:      markerCost(r.LinesSeen),
	}
	for i := range s.head {
		c.all = append(c.all, shown{e: &s.head[i], idx: len(c.all)})
	}
	for i := 0; i < s.tail.n; i++ {
		c.all = append(c.all, shown{e: s.tail.at(i), idx: len(c.all)})
	}
	if len(c.all) == 0 {
		c.fill(r, layoutOf{})
		return
	}
	middle := make([]shown, 0, len(s.errFirst)+s.errLast.n)
	for i := range s.errFirst {
		middle = append(middle, shown{e: &s.errFirst[i], idx: -1})
	}
	for i := 0; i < s.errLast.n; i++ {
		middle = append(middle, shown{e: s.errLast.at(i), idx: -1})
	}

	c.errs = middle
	errIdx, used := c.chooseErrors(len(middle))
	h, t := c.split(c.budget - used - 2*c.mk)
	if more := c.unshownErrors(h, t); len(more) > 0 {
		c.errs = append(middle, more...)
		errIdx, used = c.chooseErrors(len(middle))
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
	lo := c.layout(c.pick(h, t, errIdx))
	// Grow into what the reserve did not need, the end first.
	for grown := true; grown && lo.cost < c.budget && h+t < n; {
		grown = false
		if l2 := c.layout(c.pick(h, t+1, errIdx)); l2.cost <= c.budget {
			lo, t, grown = l2, t+1, true
		} else if l2 := c.layout(c.pick(h+1, t, errIdx)); l2.cost <= c.budget {
			lo, h, grown = l2, h+1, true
		}
	}
	// Shrink if the estimate was wrong: errors first, then the head, then
	// the oldest of the tail; the newest line goes last.
	for lo.cost > c.budget && h+t+len(errIdx) > 0 {
		switch {
		case len(errIdx) > 0:
			errIdx = errIdx[:len(errIdx)-1]
		case h > 0:
			h--
		default:
			t--
		}
		lo = c.layout(c.pick(h, t, errIdx))
	}
	c.fill(r, lo)
}

// chooseErrors picks error lines within a quarter of the budget: first
// those of the omitted middle (c.errs[:nMiddle]), then the others, each
// group taken alternately from its start and its end. A text already
// picked twice is skipped, so a crash loop's one message does not fill the
// space (its first and last occurrence still show). It returns the indexes
// and what they cost, a marker each included.
func (c *chooser) chooseErrors(nMiddle int) ([]int, int) {
	var idx []int
	used := 0
	seen := make(map[string]int)
	for _, g := range [][2]int{{0, nMiddle}, {nMiddle, len(c.errs)}} {
		for k, lo, hi := 0, g[0], g[1]-1; lo <= hi; k++ {
			i := lo
			if k%2 == 1 {
				i = hi
			}
			if i == lo {
				lo++
			} else {
				hi--
			}
			text := c.errs[i].e.text
			if seen[text] >= 2 {
				continue
			}
			cost := c.get(c.errs, i).cost + c.mk
			if used+cost > c.budget/4 {
				return idx, used
			}
			used += cost
			seen[text]++
			idx = append(idx, i)
		}
	}
	return idx, used
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

// unshownErrors returns the error-looking lines of all that a split of h
// and t leaves out: at most errorKeep from each end of that stretch.
func (c *chooser) unshownErrors(h, t int) []shown {
	var first, last []shown
	for i := h; i < len(c.all)-t; i++ {
		if e := c.all[i].e; e.text != keyLine && LooksLikeError(e.text) {
			sh := shown{e: e, idx: i}
			if len(first) < errorKeep {
				first = append(first, sh)
			} else {
				last = append(last, sh)
			}
		}
	}
	if len(last) > errorKeep {
		last = last[len(last)-errorKeep:]
	}
	return append(first, last...)
}

// pick returns the first h and last t candidates and the chosen errors
// that are not among them, in stream order.
func (c *chooser) pick(h, t int, errIdx []int) []*shown {
	n := len(c.all)
	items := make([]*shown, 0, h+t+len(errIdx))
	for i := 0; i < h; i++ {
		items = append(items, c.get(c.all, i))
	}
	for i := n - t; i < n; i++ {
		items = append(items, c.get(c.all, i))
	}
	for _, i := range errIdx {
		if k := c.errs[i].idx; k >= 0 && (k < h || k >= n-t) {
			continue // shown in its place already
		}
		items = append(items, c.get(c.errs, i))
	}
	slices.SortFunc(items, func(a, b *shown) int { return a.e.seq - b.e.seq })
	return items
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

// clean renders an entry as a candidate line cut at maxChars runes.
func (c *chooser) clean(e *entry, maxChars int) shown {
	text, cut := cleanCutFlag(e.text, maxChars, e.rawLen-len(e.text), e.srcCut)
	l := Line{Stream: "stdout", Text: text, Repeat: e.repeat}
	cost := utf8.RuneCountInString(text) + 1
	if e.stderr {
		l.Stream = "stderr"
		cost += utf8.RuneCountInString(stderrPrefix)
	}
	if e.repeat > 1 {
		cost += utf8.RuneCountInString(repeatSuffix(e.repeat))
	}
	return shown{e: e, line: l, cut: cut, cost: cost, ok: true}
}
