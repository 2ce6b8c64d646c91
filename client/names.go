package client

import (
	"fmt"
	"unicode"
)

// MaxNameLength is the longest sprite or service name accepted.
const MaxNameLength = 63

// ValidateName checks a sprite or service name before it goes into a URL:
// non-empty, at most MaxNameLength bytes, no '/', no "..", no control
// characters, and not "signal" (which collides with the signal route).
// kind ("service", "sprite") is used in the message.
func ValidateName(kind, name string) error {
	switch {
	case name == "":
		return fmt.Errorf("%w: %s name is empty", ErrInvalidName, kind)
	case len(name) > MaxNameLength:
		return fmt.Errorf("%w: %s name %q is %d characters long; at most %d are allowed",
			ErrInvalidName, kind, name[:MaxNameLength]+"…", len(name), MaxNameLength)
	case name == "." || name == "..":
		return fmt.Errorf("%w: %s name %q is not allowed", ErrInvalidName, kind, name)
	case kind == "service" && name == "signal":
		return fmt.Errorf("%w: service name %q collides with the signal route; choose another", ErrInvalidName, name)
	}
	for i, r := range name {
		switch {
		case r == '/':
			return fmt.Errorf("%w: %s name %q contains '/'", ErrInvalidName, kind, name)
		case r == '.' && i+1 < len(name) && name[i+1] == '.':
			return fmt.Errorf("%w: %s name %q contains \"..\"", ErrInvalidName, kind, name)
		case unicode.IsControl(r) || r == unicode.ReplacementChar:
			return fmt.Errorf("%w: %s name %q contains a control or invalid character", ErrInvalidName, kind, name)
		}
	}
	return nil
}

// checkSprite validates the sprite name; on the socket it is not used.
func (c *Client) checkSprite(sprite string) error {
	if c.style == PathSocket {
		return nil
	}
	return ValidateName("sprite", sprite)
}

func (c *Client) checkNames(sprite, service string) error {
	if err := c.checkSprite(sprite); err != nil {
		return err
	}
	return ValidateName("service", service)
}
