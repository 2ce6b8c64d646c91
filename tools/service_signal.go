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
		description: "Send a signal (TERM, HUP, INT, KILL, QUIT, USR1, USR2) to a running service's process group, such as HUP to make it reload its configuration. " +
			"A service that dies of the signal counts as crashed and is restarted; to stop it use service_stop.",
		readOnly: false, destructive: true, idempotent: false,
		handle: func(ctx context.Context, in schema.ServiceSignalArgs) (reply[schema.SignalResult], error) {
			sprite, err := d.sprite(in.Sprite)
			if err != nil {
				return reply[schema.SignalResult]{}, err
			}
			err = d.Services.Signal(ctx, sprite, in.ServiceName, in.Signal)
			if client.IsConflict(err) {
				// 409: not running. Say what it is instead, and what to do.
				if svc, getErr := d.Services.Get(ctx, sprite, in.ServiceName); getErr == nil {
					i := info(*svc, d.now(), false)
					return reply[schema.SignalResult]{}, errorf("%s on %s is %s, so no %s was sent: a signal needs a running service (start it with service_start)",
						in.ServiceName, sprite, i.Status, in.Signal)
				}
			}
			if err != nil {
				return reply[schema.SignalResult]{}, err
			}
			out := schema.SignalResult{ServiceRef: schema.ServiceRef{Sprite: sprite, ServiceName: in.ServiceName}, Signal: in.Signal}
			text := fmt.Sprintf("%s on %s: sent %s to its process group", in.ServiceName, sprite, in.Signal)
			if svc, getErr := d.Services.Get(ctx, sprite, in.ServiceName); getErr == nil {
				i := info(*svc, d.now(), false)
				out.Service = &i
				text += "\nnow: " + serviceLine(i, d.now())
			}
			if in.Signal == "TERM" || in.Signal == "KILL" || in.Signal == "INT" || in.Signal == "QUIT" {
				text += "\nif it dies of it, the runtime restarts it as after a crash; use service_stop to stop it for good"
			}
			return reply[schema.SignalResult]{data: out, text: text}, nil
		},
	})
}
