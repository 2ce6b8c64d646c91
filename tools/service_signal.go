package tools

import (
	"context"
	"fmt"

	"github.com/mark3labs/mcp-go/server"

	"github.com/sprites-mcp/sprites-mcp/client"
	"github.com/sprites-mcp/sprites-mcp/schema"
)

func serviceSignal(d *deps) server.ServerTool {
	return newTool(d, toolDef[schema.ServiceSignalArgs, schema.SignalResult]{
		name:  "service_signal",
		title: "Signal a service",
		description: "Send a signal to a running service's process group, e.g. HUP to reload its config. " +
			"A service that dies of it counts as crashed and is restarted; service_stop stops it.",
		readOnly: false, destructive: true, idempotent: false,
		handle: func(ctx context.Context, in schema.ServiceSignalArgs) (reply[schema.SignalResult], error) {
			sprite, err := d.sprite(ctx, in.Sprite)
			if err != nil {
				return reply[schema.SignalResult]{}, err
			}
			service, signal := string(in.ServiceName), string(in.Signal)
			err = d.Services.Signal(ctx, sprite, service, signal)
			if client.IsConflict(err) {
				// 409: not running. Say what it is instead, and what to do.
				if svc, getErr := d.Services.Get(ctx, sprite, service); getErr == nil {
					i := stateOf(*svc, d.now())
					return reply[schema.SignalResult]{}, errorf("%s on %s is %s, so no %s was sent: a signal needs a running service (start it with service_start)",
						service, sprite, i.Status, signal)
				}
			}
			if err != nil {
				return reply[schema.SignalResult]{}, err
			}
			out := schema.SignalResult{ServiceRef: schema.ServiceRef{Sprite: sprite, ServiceName: service}, Signal: signal}
			text := fmt.Sprintf("%s on %s: sent %s to its process group", service, sprite, signal)
			if svc, getErr := d.Services.Get(ctx, sprite, service); getErr == nil {
				i := stateOf(*svc, d.now())
				out.Service = &i
				text += "\nnow: " + serviceLine(i, d.now())
			}
			if signal == "TERM" || signal == "KILL" || signal == "INT" || signal == "QUIT" {
				text += "\nif it dies of it, the runtime restarts it as after a crash; use service_stop to stop it for good"
			}
			return reply[schema.SignalResult]{data: out, text: text}, nil
		},
	})
}
