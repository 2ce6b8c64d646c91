package schema

import (
	"fmt"
	"unicode/utf8"

	"github.com/invopop/jsonschema"

	"github.com/sprites-mcp/sprites-mcp/client"
)

// nameProblem is the name rule's refusal, which says what is accepted.
func nameProblem(kind, name string) error { return client.ValidateName(kind, name) }

// SpriteName is a sprite argument: a string (a number is taken as its
// text), trimmed. Empty means the server's default sprite and is never
// validated, because the adapter treats an absent or null sprite as
// absent; an explicit "" is refused by the name rule.
type SpriteName string

func (n *SpriteName) UnmarshalJSON(b []byte) error {
	if isNull(b) {
		return nil
	}
	s, err := readText(b)
	*n = SpriteName(s)
	return err
}

// Validate applies the name rule.
func (n SpriteName) Validate(string) error { return nameProblem("sprite", string(n)) }

// ServiceName is a service_name argument: a string (a number is taken as
// its text), trimmed, that must pass the name rule.
type ServiceName string

func (n *ServiceName) UnmarshalJSON(b []byte) error {
	if isNull(b) {
		return nil
	}
	s, err := readText(b)
	*n = ServiceName(s)
	return err
}

// Validate applies the name rule.
func (n ServiceName) Validate(string) error { return nameProblem("service", string(n)) }

func (ServiceName) jsonSchema() *jsonschema.Schema {
	return &jsonschema.Schema{Type: "string", MinLength: uintPtr(1), MaxLength: uintPtr(client.MaxNameLength)}
}

// ServiceNames is a list of service names (needs). A lone string is a
// one-element list.
type ServiceNames []string

func (l *ServiceNames) UnmarshalJSON(b []byte) error {
	if isNull(b) {
		return nil
	}
	list, err := readList(b)
	*l = list
	return err
}

// Validate applies the name rule to each entry.
func (l ServiceNames) Validate(arg string) error {
	for _, n := range l {
		if err := nameProblem("service", n); err != nil {
			return fmt.Errorf("%s: %w", arg, err)
		}
	}
	return nil
}

// NamePrefix is the start of a sprite name (list_sprites' prefix): any
// text up to the longest name.
type NamePrefix string

func (p *NamePrefix) UnmarshalJSON(b []byte) error {
	if isNull(b) {
		return nil
	}
	s, err := readText(b)
	*p = NamePrefix(s)
	return err
}

// Validate bounds the length.
func (p NamePrefix) Validate(arg string) error {
	return maxChars(arg, string(p), client.MaxNameLength)
}

func (NamePrefix) jsonSchema() *jsonschema.Schema {
	return &jsonschema.Schema{Type: "string", MaxLength: uintPtr(client.MaxNameLength)}
}

// maxChars refuses a text longer than limit characters.
func maxChars(arg, s string, limit int) error {
	if n := utf8.RuneCountInString(s); n > limit {
		return fmt.Errorf("%s is %d characters long; at most %d are accepted", arg, n, limit)
	}
	return nil
}

func uintPtr(n uint64) *uint64 { return &n }
