package tools

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/mark3labs/mcp-go/mcp"

	"github.com/sprites-mcp/sprites-mcp/client"
	"github.com/sprites-mcp/sprites-mcp/internal/present"
)

// toolError is a failure already phrased for the agent: its text goes out
// as is.
type toolError struct{ msg string }

func (e *toolError) Error() string { return e.msg }

func errorf(format string, args ...any) error {
	return &toolError{msg: fmt.Sprintf(format, args...)}
}

// failure turns a handler's error into the call's answer. Everything the
// agent can act on is a tool error (isError) that says what was wrong and
// what to do; only a refused token is a protocol error, because no retry
// by the agent can fix it.
func (d *deps) failure(ctx context.Context, spec *argsSpec, err error) (*mcp.CallToolResult, error) {
	var (
		ae   *client.APIError
		te   *toolError
		arge *argError
	)
	switch {
	case errors.As(err, &arge):
		var b strings.Builder
		fmt.Fprintf(&b, "invalid arguments for %s:\n", spec.tool)
		for _, p := range arge.problems {
			fmt.Fprintf(&b, "- %s\n", p)
		}
		fmt.Fprintf(&b, "accepted arguments: %s", spec.accepted())
		return mcp.NewToolResultError(cutText(b.String(), d.MaxResultChars)), nil
	case errors.As(err, &te):
		return mcp.NewToolResultError(cutText(te.msg, d.MaxResultChars)), nil
	case client.IsUnauthorized(err):
		d.log.Warn("backend refused the token", "tool", spec.tool, "err", err)
		return nil, fmt.Errorf("%s: %w", spec.tool, err)
	case errors.Is(err, client.ErrInvalidName):
		return mcp.NewToolResultError(fmt.Sprintf("invalid arguments for %s: %v", spec.tool, err)), nil
	case errors.As(err, &ae):
		return mcp.NewToolResultError(cutText(d.explainAPIError(ctx, ae), d.MaxResultChars)), nil
	case errors.Is(err, context.DeadlineExceeded):
		return mcp.NewToolResultError(cutText(fmt.Sprintf("%s timed out waiting for the runtime: %v; the operation may still be under way (a start waits for its needs), so call service_get or service_list to see where it stands before retrying", spec.tool, err), d.MaxResultChars)), nil
	case errors.Is(err, context.Canceled):
		return mcp.NewToolResultError(fmt.Sprintf("%s was cancelled before it finished: %v", spec.tool, err)), nil
	default:
		d.log.Debug("tool failed", "tool", spec.tool, "err", err)
		// A reset connection, an answer cut short or too large to read: the
		// call may or may not have taken effect.
		return mcp.NewToolResultError(cutText(fmt.Sprintf("%s failed: %v; the API's answer was cut short or could not be read, so retry once, and for a change (create, start, stop, restart, delete, signal) call service_get first to see whether it took effect", spec.tool, err), d.MaxResultChars)), nil
	}
}

// explainAPIError phrases an API error with the next step to take.
func (d *deps) explainAPIError(ctx context.Context, ae *client.APIError) string {
	switch {
	case client.IsRouteNotFound(ae):
		return fmt.Sprintf("this backend does not support %s (it has no such route): %v", ae.Op, ae)
	case client.IsNotFound(ae):
		if ae.Service != "" {
			return d.unknownService(ctx, ae.Sprite, ae.Service)
		}
		return d.unknownSprite(ctx, ae.Sprite)
	case client.IsRateLimited(ae):
		if ae.RetryAfter > 0 {
			return fmt.Sprintf("%v: wait %s and retry", ae, ae.RetryAfter.Round(1e9))
		}
		return fmt.Sprintf("%v: wait a little and retry", ae)
	case client.IsConflict(ae) && strings.Contains(ae.Detail(), "http_port"):
		return fmt.Sprintf("%v: choose another http_port, or stop or change the service that holds it (service_list shows ports)", ae)
	case client.IsConflict(ae):
		return fmt.Sprintf("%v: the runtime refused this in the current state; call service_get or service_list to see it", ae)
	case errors.Is(ae, client.ErrBadRequest):
		return fmt.Sprintf("%v: the runtime refused the request; fix the arguments it names", ae)
	case errors.Is(ae, client.ErrServer):
		return fmt.Sprintf("%v: the sprite may be waking up or busy; retry in a few seconds", ae)
	}
	return ae.Error()
}

// unknownService says a service does not exist, names the closest one and
// what exists, so the agent can correct a slip in one step.
func (d *deps) unknownService(ctx context.Context, sprite, service string) string {
	list, err := d.Services.List(ctx, sprite)
	if err != nil {
		if client.IsNotFound(err) {
			return d.unknownSprite(ctx, sprite)
		}
		return fmt.Sprintf("no service %q on %s (listing the services to suggest one failed: %v)", service, sprite, err)
	}
	names := make([]string, 0, len(list))
	for _, s := range list {
		names = append(names, s.Name)
	}
	return present.MissingService(sprite, service, names)
}

// unknownSprite says a sprite does not exist and what to use instead.
func (d *deps) unknownSprite(ctx context.Context, sprite string) string {
	page, err := d.Services.ListSprites(ctx, client.ListSpritesOptions{MaxResults: 50})
	if err == nil {
		names := make([]string, 0, len(page.Sprites))
		for _, s := range page.Sprites {
			names = append(names, s.Name)
		}
		return present.MissingSprite(sprite, names, page.HasMore)
	}
	msg := fmt.Sprintf("no sprite %q", sprite)
	if d.DefaultSprite != "" {
		return fmt.Sprintf("%s: this server's sprite is %q (leave sprite out to use it)", msg, d.DefaultSprite)
	}
	return msg + "; call list_sprites to see yours"
}

// apiDetail is the runtime's own words for an API error (its message),
// else the whole error text.
func apiDetail(err error) string {
	var ae *client.APIError
	if errors.As(err, &ae) {
		if ae.Message != "" {
			return ae.Message
		}
		if d := ae.Detail(); d != "" {
			return d
		}
	}
	return err.Error()
}
