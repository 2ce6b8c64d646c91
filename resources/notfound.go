package resources

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/sprites-mcp/sprites-mcp/client"
)

// maxNamesShown bounds the names an error message lists.
const maxNamesShown = 20

// notFoundError is a sprite or service that does not exist. Its message says
// what does exist, so the caller can correct itself in one step.
type notFoundError struct{ msg string }

func (e *notFoundError) Error() string { return e.msg }

// isNotFound reports whether err means "no such resource": a missing sprite
// or service, or a URI that names nothing of ours.
func isNotFound(err error) bool {
	var nf *notFoundError
	var bad *malformedError
	return errors.As(err, &nf) || errors.As(err, &bad)
}

// explain turns a backend error on rf into what the caller should read: a
// notFoundError naming what exists when the sprite or service is missing,
// else the error wrapped with the operation.
func (r *Resources) explain(ctx context.Context, rf ref, err error) error {
	if !client.IsNotFound(err) || client.IsRouteNotFound(err) {
		return fmt.Errorf("read %s: %w", describe(rf), err)
	}
	if rf.kind == kindList {
		return r.missingSprite(ctx, rf.sprite)
	}
	// A 404 on one service is either the service or the whole sprite.
	svcs, lerr := r.svc.List(ctx, rf.sprite)
	if lerr != nil {
		if client.IsNotFound(lerr) && !client.IsRouteNotFound(lerr) {
			return r.missingSprite(ctx, rf.sprite)
		}
		return &notFoundError{msg: fmt.Sprintf("no service %q on %s (listing its services failed too: %v)", rf.service, rf.sprite, lerr)}
	}
	names := make([]string, 0, len(svcs))
	for _, s := range svcs {
		names = append(names, s.Name)
	}
	return &notFoundError{msg: missingServiceMessage(rf.sprite, rf.service, names)}
}

// missingServiceMessage says that service is not on sprite and what is.
func missingServiceMessage(sprite, service string, names []string) string {
	if len(names) == 0 {
		return fmt.Sprintf("no service %q on %s: it has no services yet; create one with service_create", service, sprite)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "no service %q on %s", service, sprite)
	if near := closest(service, names); near != "" {
		fmt.Fprintf(&b, "; did you mean %q?", near)
	}
	fmt.Fprintf(&b, " services on %s: %s", sprite, joinNames(names))
	return b.String()
}

// missingSprite says that sprite does not exist and which ones do.
func (r *Resources) missingSprite(ctx context.Context, sprite string) error {
	if !r.canListSprites {
		if r.defaultSprite != "" && sprite != r.defaultSprite {
			return &notFoundError{msg: fmt.Sprintf("no sprite %q here; this server serves sprite %q: read %s", sprite, r.defaultSprite, listURI(r.defaultSprite))}
		}
		return &notFoundError{msg: fmt.Sprintf("no sprite %q here", sprite)}
	}
	page, err := r.svc.ListSprites(ctx, client.ListSpritesOptions{MaxResults: 50})
	if err != nil {
		return &notFoundError{msg: fmt.Sprintf("no sprite %q (listing sprites failed too: %v)", sprite, err)}
	}
	names := make([]string, 0, len(page.Sprites))
	for _, s := range page.Sprites {
		names = append(names, s.Name)
	}
	if len(names) == 0 {
		return &notFoundError{msg: fmt.Sprintf("no sprite %q: this account has no sprites", sprite)}
	}
	var b strings.Builder
	fmt.Fprintf(&b, "no sprite %q", sprite)
	if near := closest(sprite, names); near != "" {
		fmt.Fprintf(&b, "; did you mean %q?", near)
	}
	b.WriteString(" sprites: ")
	b.WriteString(joinNames(names))
	if page.HasMore {
		b.WriteString(" (and more; complete {sprite} to search)")
	}
	return &notFoundError{msg: b.String()}
}

// joinNames lists names sorted, at most maxNamesShown of them.
func joinNames(names []string) string {
	sorted := slices.Clone(names)
	slices.Sort(sorted)
	if len(sorted) <= maxNamesShown {
		return strings.Join(sorted, ", ")
	}
	return fmt.Sprintf("%s and %d more", strings.Join(sorted[:maxNamesShown], ", "), len(sorted)-maxNamesShown)
}

// closest returns the name nearest to want by edit distance, when it is near
// enough to be a likely typo (at most a third of the longer name), else "".
func closest(want string, names []string) string {
	best, bestDist := "", -1
	lw := strings.ToLower(want)
	for _, n := range names {
		d := editDistance(lw, strings.ToLower(n))
		if bestDist < 0 || d < bestDist || (d == bestDist && n < best) {
			best, bestDist = n, d
		}
	}
	if best == "" || bestDist*3 > max(len(want), len(best)) {
		return ""
	}
	return best
}

// editDistance is the Damerau–Levenshtein distance (with adjacent
// transpositions, the commonest typo) over bytes; names are ASCII.
func editDistance(a, b string) int {
	prev2 := make([]int, len(b)+1)
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				cur[j] = min(cur[j], prev2[j-2]+1)
			}
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(b)]
}

// describe names a resource for messages: "web on local", "logs of web on local".
func describe(rf ref) string {
	switch rf.kind {
	case kindList:
		return "services of " + rf.sprite
	case kindLogs:
		return "logs of " + rf.service + " on " + rf.sprite
	default:
		return rf.service + " on " + rf.sprite
	}
}
