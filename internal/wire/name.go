package wire

import (
	"errors"
	"fmt"
	"strings"
)

// MaxNameLength is the longest sprite or service name accepted.
const MaxNameLength = 63

// NameRule says in words what ValidateName accepts; every refusal ends
// with it, so a caller learns the rule from the mistake.
const NameRule = "a name is 1 to 63 letters, digits, '.', '_' or '-', starting with a letter or digit, without \"..\""

// ErrInvalidName matches every error of ValidateName (errors.Is). Their
// text does not repeat it: it reads as a sentence an agent can act on
// wherever it is shown, with no prefix for callers to trim.
var ErrInvalidName = errors.New("invalid name")

// nameError is a refusal of the name rule.
type nameError struct{ msg string }

func (e *nameError) Error() string        { return e.msg }
func (e *nameError) Is(target error) bool { return target == ErrInvalidName }

// The kinds of name ValidateName checks; the kind is said in its errors.
const (
	KindService = "service"
	KindSprite  = "sprite"
)

// ValidateName checks a sprite or service name: the rule of the runtime,
// ^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$ with no "..", and a service may not be
// called "signal".
//
// The Services API publishes no character set for names; the only
// refusal it documents is "signal", which collides with the
// /services/signal route. This stricter rule is the one that holds on
// every path a name travels: it is a URL path segment on the API, a file
// name on the Sprite (/.sprite/logs/services/<svc>.log, where '/' and
// ".." would leave the directory and a leading '-' reads as an option to
// shell tools), and a segment of the MCP resource URIs, whose templates
// (RFC 6570 simple expansion) match only unreserved characters. A name
// outside it could be created on one backend and not be addressable on
// another, so the client, the resources and the runtime all refuse it the
// same way, before anything is sent.
//
// kind is KindService or KindSprite.
func ValidateName(kind, name string) error {
	problem := nameProblem(kind, name)
	if problem == "" {
		return nil
	}
	return &nameError{msg: fmt.Sprintf("%s name %s; %s", kind, problem, NameRule)}
}

// nameProblem says what is wrong with name, or "" when nothing is.
func nameProblem(kind, name string) string {
	switch {
	case name == "":
		return `"" is empty`
	case len(name) > MaxNameLength:
		return fmt.Sprintf("%q is %d characters long; at most %d are allowed",
			name[:MaxNameLength]+"…", len(name), MaxNameLength)
	case kind == KindService && name == "signal":
		return `"signal" collides with the signal route; choose another`
	case strings.IndexByte(name, '/') >= 0:
		// Said first, whatever else is wrong: it would change the route.
		return fmt.Sprintf("%q contains '/'", name)
	case !isAlnum(name[0]):
		return fmt.Sprintf("%q starts with %s", name, describe(name, 0))
	}
	for i := 1; i < len(name); i++ {
		c := name[i]
		switch {
		case c == '.' && name[i-1] == '.':
			return fmt.Sprintf("%q contains \"..\"", name)
		case !isAlnum(c) && c != '.' && c != '_' && c != '-':
			return fmt.Sprintf("%q contains %s", name, describe(name, i))
		}
	}
	return ""
}

func isAlnum(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9'
}

// describe names the character at byte i of name for an error message.
func describe(name string, i int) string {
	c := name[i]
	switch {
	case c >= 0x80:
		return "a character outside ASCII"
	case c < 0x20 || c == 0x7f:
		return "a control character"
	case c == ' ':
		return "a space"
	default:
		return fmt.Sprintf("'%c'", c)
	}
}
