package tools

import (
	"context"
	"fmt"

	"github.com/mark3labs/mcp-go/server"

	"github.com/sprites-mcp/sprites-mcp/client"
	"github.com/sprites-mcp/sprites-mcp/schema"
)

func serviceDelete(d *deps) server.ServerTool {
	return newTool(d, toolDef[schema.ServiceDeleteArgs, schema.DeleteResult]{
		name:        "service_delete",
		title:       "Delete a service",
		description: "Remove a service's definition (its log file is kept). Deleting a missing service succeeds and names the closest existing one.",
		readOnly:    false, destructive: true, idempotent: true,
		handle: func(ctx context.Context, in schema.ServiceDeleteArgs) (reply[schema.DeleteResult], error) {
			sprite, err := d.sprite(ctx, in.Sprite)
			if err != nil {
				return reply[schema.DeleteResult]{}, err
			}
			service := string(in.ServiceName)
			out := schema.DeleteResult{ServiceRef: schema.ServiceRef{Sprite: sprite, ServiceName: service}}
			err = d.Services.Delete(ctx, sprite, service)
			switch {
			case err == nil:
				out.Deleted, out.Existed = true, true
				out.Note = "the log file is kept"
				return reply[schema.DeleteResult]{data: out,
					text: fmt.Sprintf("%s on %s: deleted (its log file is kept)", service, sprite)}, nil
			case client.IsNotFound(err) && !client.IsRouteNotFound(err):
				// Gone already is what was asked, unless the sprite itself is
				// missing: then say so as an error.
				msg := d.unknownService(ctx, sprite, service)
				if _, listErr := d.Services.List(ctx, sprite); listErr != nil && client.IsNotFound(listErr) {
					return reply[schema.DeleteResult]{}, errorf("%s", msg)
				}
				out.Note = msg
				return reply[schema.DeleteResult]{data: out,
					text: fmt.Sprintf("%s on %s: already gone, nothing to delete (%s)", service, sprite, msg)}, nil
			case client.IsConflict(err):
				return reply[schema.DeleteResult]{}, errorf("%s on %s was not deleted: %s; call service_get to see its state (service_stop it first if it runs, or delete what needs it), then retry", service, sprite, apiDetail(err))
			}
			return reply[schema.DeleteResult]{}, err
		},
	})
}
