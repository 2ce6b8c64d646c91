package dashboard

import (
	"context"
	"testing"
	"time"

	mcpclient "github.com/mark3labs/mcp-go/client"
	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"
)

// TestAppListedOnlyForHostsWithTheExtension: a host that declared
// io.modelcontextprotocol/ui finds the app in resources/list; one that did
// not sees the list it saw before. Both may read it (it holds no data).
func TestAppListedOnlyForHostsWithTheExtension(t *testing.T) {
	for _, proto := range []string{mcp.ProtocolVersion20251125, mcp.ProtocolVersion20260728} {
		for _, withExt := range []bool{false, true} {
			srv := server.NewMCPServer("test", "0", server.WithHooks(&server.Hooks{}), server.WithResourceCapabilities(false, false))
			srv.AddResources(AppResource())
			HideFromPlainHosts(srv.GetHooks())

			var caps mcp.ClientCapabilities
			if withExt {
				caps.Extensions = map[string]any{AppExtension: map[string]any{"mimeTypes": []string{AppMIMEType}}}
			}
			c, err := mcpclient.NewInProcessClientWithOptions(srv, mcpclient.WithProtocolVersion(proto), mcpclient.WithClientCapabilities(caps))
			if err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			if err := c.Start(ctx); err != nil {
				t.Fatal(err)
			}
			var init mcp.InitializeRequest
			init.Params.ProtocolVersion = proto
			init.Params.Capabilities = caps
			init.Params.ClientInfo = mcp.Implementation{Name: "host", Version: "1"}
			if _, err := c.Initialize(ctx, init); err != nil {
				t.Fatalf("%s: initialize: %v", proto, err)
			}
			list, err := c.ListResources(ctx, mcp.ListResourcesRequest{})
			if err != nil {
				t.Fatalf("%s: list: %v", proto, err)
			}
			listed := false
			for _, r := range list.Resources {
				listed = listed || r.URI == AppURI
			}
			if listed != withExt {
				t.Errorf("%s, extension declared %v: app listed %v", proto, withExt, listed)
			}
			var read mcp.ReadResourceRequest
			read.Params.URI = AppURI
			res, err := c.ReadResource(ctx, read)
			if err != nil || len(res.Contents) != 1 || res.Contents[0].(mcp.TextResourceContents).MIMEType != AppMIMEType {
				t.Errorf("%s: read the app: %v %+v", proto, err, res)
			}
			cancel()
			c.Close()
		}
	}
}
