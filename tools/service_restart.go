package tools

import (
	"context"

	"github.com/mark3labs/mcp-go/server"

	"github.com/sprites-mcp/sprites-mcp/client"
	"github.com/sprites-mcp/sprites-mcp/schema"
)

func serviceRestart(d *deps) server.ServerTool {
	return newTool(d, toolDef[schema.ServiceRestartArgs, schema.ActionResult]{
		name:  "service_restart",
		title: "Restart a service",
		description: "Stop a service and start it again (a stopped one is just started), watched as service_start does (duration, ready); " +
			"the result gives the new pid, or why it died.",
		readOnly: false, destructive: true, idempotent: false,
		fit: fitAction,
		handle: func(ctx context.Context, in schema.ServiceRestartArgs) (reply[schema.ActionResult], error) {
			sprite, err := d.sprite(ctx, in.Sprite)
			if err != nil {
				return reply[schema.ActionResult]{}, err
			}
			service := string(in.ServiceName)
			window, err := watchWindow(in.Duration, in.Ready)
			if err != nil {
				return reply[schema.ActionResult]{}, err
			}
			return d.run(ctx, action{verb: "restart", sprite: sprite, service: service, window: window, ready: in.Ready.Regexp(),
				open: func(ctx context.Context) (*client.Stream, error) {
					return d.Services.Restart(ctx, sprite, service, window)
				}})
		},
	})
}
