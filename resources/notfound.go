package resources

import (
	"context"
	"errors"
	"fmt"

	"github.com/sprites-mcp/sprites-mcp/client"
	"github.com/sprites-mcp/sprites-mcp/internal/present"
)

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
	return &notFoundError{msg: present.MissingService(rf.sprite, rf.service, names)}
}

// missingSprite says that sprite does not exist and which ones do.
func (r *Resources) missingSprite(ctx context.Context, sprite string) error {
	if !r.canListSprites {
		if r.defaultSprite != "" && sprite != r.defaultSprite {
			return &notFoundError{msg: fmt.Sprintf("no sprite %q here; this server serves sprite %q: read %s", sprite, r.defaultSprite, present.ListURI(r.defaultSprite))}
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
	msg := present.MissingSprite(sprite, names, page.HasMore)
	if page.HasMore {
		msg += "; complete {sprite} to search"
	}
	return &notFoundError{msg: msg}
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
