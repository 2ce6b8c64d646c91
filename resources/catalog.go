package resources

import (
	"context"
	"maps"
	"slices"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"

	"github.com/sprites-mcp/sprites-mcp/internal/present"
)

const (
	mimeJSON = "application/json"
	mimeText = "text/plain"
)

// templates are the three resource templates. Every one has the same
// handler: it parses the URI itself, so which template mcp-go matched does
// not matter.
func (r *Resources) templates() []server.ServerResourceTemplate {
	handler := func(ctx context.Context, req mcp.ReadResourceRequest) ([]mcp.ResourceContents, error) {
		return r.handleRead(ctx, req)
	}
	return []server.ServerResourceTemplate{
		{
			Template: mcp.NewResourceTemplate(templateList, "services",
				mcp.WithTemplateTitle("Services of a Sprite"),
				mcp.WithTemplateDescription("Every service of the Sprite with its state (status, pid, restart count, last error) as JSON. "+
					"Subscribe to be told when any of them changes."),
				mcp.WithTemplateMIMEType(mimeJSON)),
			Handler: handler,
		},
		{
			Template: mcp.NewResourceTemplate(templateService, "service",
				mcp.WithTemplateTitle("One service"),
				mcp.WithTemplateDescription("A service's definition (cmd, args, env with secret-looking values masked, dir, needs, http_port) "+
					"and state as JSON. Subscribe to be told when its status, pid or restart count changes."),
				mcp.WithTemplateMIMEType(mimeJSON)),
			Handler: handler,
		},
		{
			Template: mcp.NewResourceTemplate(templateLogs, "service_logs",
				mcp.WithTemplateTitle("Log tail of a service"),
				mcp.WithTemplateDescription("The last lines of a service's log (lines: default 100, at most 2000), as text, "+
					"bounded in size and cleaned: ANSI stripped, long lines cut, secrets masked; stderr lines start with [stderr]. "+
					"Subscribers are told when the service's status, pid or restart count changes, not on every new line."),
				mcp.WithTemplateMIMEType(mimeText)),
			Handler: handler,
		},
	}
}

// concreteFor returns the concrete resources of one service of the default
// sprite: its state and its log tail.
func (r *Resources) concreteFor(service string) []server.ServerResource {
	sprite := r.defaultSprite
	return []server.ServerResource{
		{
			Resource: mcp.NewResource(present.ServiceURI(sprite, service), service,
				mcp.WithResourceTitle(service+" on "+sprite),
				mcp.WithResourceDescription("Definition and state of "+service+" on "+sprite+" (JSON)."),
				mcp.WithMIMEType(mimeJSON)),
			Handler: r.handleRead,
		},
		{
			Resource: mcp.NewResource(present.LogsURI(sprite, service), service+" logs",
				mcp.WithResourceTitle("Logs of "+service+" on "+sprite),
				mcp.WithResourceDescription("The last 100 log lines of "+service+" on "+sprite+" (add ?lines=N for up to 2000)."),
				mcp.WithMIMEType(mimeText)),
			Handler: r.handleRead,
		},
	}
}

// refreshConcrete reads the default sprite's services and lists them as
// concrete resources.
func (r *Resources) refreshConcrete(ctx context.Context) {
	if r.defaultSprite == "" || r.srv.Load() == nil {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, quickTimeout)
	defer cancel()
	svcs, err := r.svc.List(ctx, r.defaultSprite)
	if err != nil {
		// Debug, not Warn: resources/list calls this each time, and the
		// tools report an unreachable backend where it matters.
		r.log.Debug("cannot list the default sprite's services for its concrete resources", logSprite, r.defaultSprite, logErr, err)
		r.syncConcrete(nil, false)
		return
	}
	names := make([]string, 0, len(svcs))
	for _, s := range svcs {
		names = append(names, s.Name)
	}
	r.syncConcrete(names, true)
}

// syncConcrete makes the concrete resources of the default sprite match
// names (known=false keeps the services listed as they are). mcp-go sends
// notifications/resources/list_changed for each add and each delete that
// changes the list.
func (r *Resources) syncConcrete(names []string, known bool) {
	s := r.srv.Load()
	if s == nil || r.defaultSprite == "" {
		return
	}
	r.concreteMu.Lock()
	defer r.concreteMu.Unlock()

	var add []server.ServerResource
	if !r.listListed {
		r.listListed = true
		add = append(add, server.ServerResource{
			Resource: mcp.NewResource(present.ListURI(r.defaultSprite), r.defaultSprite+" services",
				mcp.WithResourceTitle("Services of "+r.defaultSprite),
				mcp.WithResourceDescription("Every service of "+r.defaultSprite+" with its state (JSON)."),
				mcp.WithMIMEType(mimeJSON)),
			Handler: r.handleRead,
		})
	}
	if !known {
		if len(add) > 0 {
			s.AddResources(add...)
		}
		return
	}
	want := make(map[string]bool, len(names))
	for _, n := range names {
		if !validService(n) {
			continue // a URI with this name could not be read back
		}
		want[n] = true
		if !r.concrete[n] {
			add = append(add, r.concreteFor(n)...)
		}
	}
	var gone []string
	for _, n := range slices.Sorted(maps.Keys(r.concrete)) {
		if !want[n] {
			gone = append(gone, present.ServiceURI(r.defaultSprite, n), present.LogsURI(r.defaultSprite, n))
		}
	}
	r.concrete = want
	if len(add) > 0 {
		s.AddResources(add...)
	}
	if len(gone) > 0 {
		s.DeleteResources(gone...)
	}
}

// listChangingTools are the tools after which the default sprite's
// services may have appeared or gone.
var listChangingTools = map[string]bool{"service_create": true, "service_delete": true}

// afterCallTool refreshes the concrete list after a tool that adds or
// removes a service, so a client that reads resources without subscribing
// still gets resources/list_changed (docs/ARCHITECTURE.md); without it the
// list would change only on resources/list or under a watcher. It runs
// whether or not the call reported an error: a create whose process
// crashed during its wait is an error, yet the service now exists. The
// refresh is one List of the default sprite, bounded by quickTimeout.
func (r *Resources) afterCallTool(ctx context.Context, _ any, req *mcp.CallToolRequest, _ any) {
	if req == nil || !listChangingTools[req.Params.Name] {
		return
	}
	r.refreshConcrete(ctx)
}
