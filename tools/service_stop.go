package tools

import (
	"context"

	"github.com/mark3labs/mcp-go/server"

	"github.com/sprites-mcp/sprites-mcp/client"
	"github.com/sprites-mcp/sprites-mcp/schema"
)

func serviceStop(d *deps) server.ServerTool {
	return newTool(d, toolDef[schema.ServiceStopArgs, schema.ActionResult]{
		name:  "service_stop",
		title: "Stop a service",
		description: "Stop a service: SIGTERM to its process group, SIGKILL after timeout (default 10s). " +
			"The stop is sticky, across runtime restarts too, until service_start. Stopping a stopped service succeeds and says so.",
		readOnly: false, destructive: true, idempotent: true,
		fit: fitAction,
		handle: func(ctx context.Context, in schema.ServiceStopArgs) (reply[schema.ActionResult], error) {
			sprite, err := d.sprite(ctx, in.Sprite)
			if err != nil {
				return reply[schema.ActionResult]{}, err
			}
			service := string(in.ServiceName)
			return d.run(ctx, action{verb: "stop", sprite: sprite, service: service, window: in.Timeout.D(),
				open: func(ctx context.Context) (*client.Stream, error) {
					return d.Services.Stop(ctx, sprite, service, in.Timeout.D())
				}})
		},
	})
}
