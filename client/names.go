package client

import "github.com/sprites-mcp/sprites-mcp/internal/wire"

// MaxNameLength is the longest sprite or service name accepted.
const MaxNameLength = wire.MaxNameLength

// ValidateName checks a sprite or service name before it goes into a URL,
// by the one rule of internal/wire (see wire.ValidateName for the rule
// and why): 1 to 63 letters, digits, '.', '_' or '-', starting with a
// letter or digit, no "..", and a service not called "signal". kind
// ("service", "sprite") is used in the message; errors wrap
// ErrInvalidName.
func ValidateName(kind, name string) error { return wire.ValidateName(kind, name) }

// checkSprite validates the sprite name; on the socket it is not used.
func (c *Client) checkSprite(sprite string) error {
	if c.style == PathSocket {
		return nil
	}
	return ValidateName(wire.KindSprite, sprite)
}

func (c *Client) checkNames(sprite, service string) error {
	if err := c.checkSprite(sprite); err != nil {
		return err
	}
	return ValidateName(wire.KindService, service)
}
