package present

import (
	"fmt"
	"slices"
	"strings"
)

// MaxNamesShown bounds the names a not-found message lists, so an account
// with a thousand sprites does not flood the answer.
const MaxNamesShown = 20

// MissingService says that service is not on sprite, suggests the closest
// name when one is a plausible slip, and lists what does exist, so the
// agent can correct itself in one step. names are the sprite's services.
func MissingService(sprite, service string, names []string) string {
	if len(names) == 0 {
		return fmt.Sprintf("no service %q on %s: it has no services yet; create one with service_create", service, sprite)
	}
	return missing(fmt.Sprintf("no service %q on %s", service, sprite), service, names, " it has ")
}

// MissingSprite says that sprite does not exist among names (the sprites
// this caller may see; hasMore when that list was only a first page),
// suggesting the closest one.
func MissingSprite(sprite string, names []string, hasMore bool) string {
	if len(names) == 0 {
		return fmt.Sprintf("no sprite %q: no sprites are visible to this client", sprite)
	}
	msg := missing(fmt.Sprintf("no sprite %q", sprite), sprite, names, " sprites: ")
	if hasMore {
		msg += " (and more)"
	}
	return msg
}

// missing is head, then "; did you mean …?" when a name of names is a
// plausible slip for name, then label and the names.
func missing(head, name string, names []string, label string) string {
	var b strings.Builder
	b.WriteString(head)
	if near := Closest(name, names); near != "" {
		fmt.Fprintf(&b, "; did you mean %q?", near)
	} else {
		b.WriteByte(';')
	}
	b.WriteString(label)
	b.WriteString(JoinNames(names))
	return b.String()
}

// JoinNames lists names sorted, at most MaxNamesShown of them, and counts
// the rest.
func JoinNames(names []string) string {
	sorted := slices.Clone(names)
	slices.Sort(sorted)
	if len(sorted) <= MaxNamesShown {
		return strings.Join(sorted, ", ")
	}
	return fmt.Sprintf("%s and %d more", strings.Join(sorted[:MaxNamesShown], ", "), len(sorted)-MaxNamesShown)
}
