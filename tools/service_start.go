package tools

import (
	"context"

	"github.com/mark3labs/mcp-go/server"

	"github.com/sprites-mcp/sprites-mcp/client"
	"github.com/sprites-mcp/sprites-mcp/schema"
)

func serviceStart(d *deps) server.ServerTool {
	return newTool(d, toolDef[schema.ServiceStartArgs, schema.ActionResult]{
		name:  "service_start",
		title: "Start a service",
		description: "Start a stopped service and its needs and watch it for duration (default 5s) or, with ready, until an output line matches; " +
			"the result says running or ready with the pid, or why it died. Starting a running service succeeds and says so.",
		readOnly: false, destructive: false, idempotent: true,
		fit: fitAction,
		handle: func(ctx context.Context, in schema.ServiceStartArgs) (reply[schema.ActionResult], error) {
			sprite, err := d.sprite(ctx, in.Sprite)
			if err != nil {
				return reply[schema.ActionResult]{}, err
			}
			service := string(in.ServiceName)
			window, err := watchWindow(in.Duration, in.Ready)
			if err != nil {
				return reply[schema.ActionResult]{}, err
			}
			return d.run(ctx, action{verb: "start", sprite: sprite, service: service, window: window, ready: in.Ready.Regexp(),
				open: func(ctx context.Context) (*client.Stream, error) {
					return d.Services.Start(ctx, sprite, service, window)
				}})
		},
	})
}
