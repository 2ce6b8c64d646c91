package present

import (
	"strings"
)

// Closest returns the candidate most like name, or "" when none is close
// enough to be a plausible slip: a typo (a few edits, a transposition
// counts as one), a different case, or one name inside the other ("name"
// for "service_name"). Ties go to the alphabetically first candidate, so
// the suggestion does not depend on the order the runtime listed names in.
//
// This is the rule tools had; resources had a plain "a third of the longer
// name" threshold. This one is kept because it is stricter where that one
// guessed wildly (any two 3-letter names are one edit apart, so short
// names may differ by one edit only) and it also catches containment,
// which edit distance alone cannot ("name" is 8 edits from
// "service_name").
func Closest(name string, candidates []string) string {
	if name == "" {
		return ""
	}
	lname := strings.ToLower(name)
	n := len([]rune(name))
	limit := max(2, n/3)
	if n <= 4 {
		limit = 1
	}
	best, bestScore := "", limit+1
	for _, c := range candidates {
		lc := strings.ToLower(c)
		score := editDistance(lname, lc)
		if score > limit && min(len(lname), len(lc)) >= 3 && (strings.Contains(lc, lname) || strings.Contains(lname, lc)) {
			score = limit // containment is as good as the worst typo we accept
		}
		if score < bestScore || (score == bestScore && best != "" && c < best) {
			best, bestScore = c, score
		}
	}
	return best
}

// editDistance is the optimal-string-alignment distance over runes:
// insertions, deletions, substitutions and adjacent transpositions each
// cost one. Names are short (at most 63 bytes), so the table is cheap.
//
// Why hand-written: github.com/agnivade/levenshtein (v1.2.2) is about ten
// times faster (0.2 µs against 2 µs a name, no allocations) but computes
// plain Levenshtein distance, where swapping two neighbours costs two, so
// "wbe" would no longer suggest "web" (short names allow one edit).
// github.com/hbollon/go-edlib (v1.7.0) has this very algorithm, no faster
// and with more allocations. This runs once per not-found error, where
// 2 µs a name does not matter; a dependency for 25 lines would.
func editDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev2 := make([]int, len(rb)+1)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && ra[i-1] == rb[j-2] && ra[i-2] == rb[j-1] {
				cur[j] = min(cur[j], prev2[j-2]+1)
			}
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(rb)]
}
