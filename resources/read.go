package resources

import (
	"context"
	"fmt"

	"github.com/mark3labs/mcp-go/mcp"
)

// Read serves one resource URI: parse it, ask the backend, render. A
// missing sprite or service, or a malformed URI, is an error for which
// isNotFound holds; contents are never empty.
func (r *Resources) Read(ctx context.Context, uri string) ([]mcp.ResourceContents, error) {
	rf, err := parseURI(uri)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, readTimeout)
	defer cancel()

	var text, mime string
	switch rf.kind {
	case kindList:
		svcs, err := r.svc.List(ctx, rf.sprite)
		if err != nil {
			return nil, r.explain(ctx, rf, err)
		}
		text, mime = renderList(rf.sprite, svcs, r.maxChars), mimeJSON
	case kindService:
		s, err := r.svc.Get(ctx, rf.sprite, rf.service)
		if err != nil {
			return nil, r.explain(ctx, rf, err)
		}
		text, mime = renderService(rf.sprite, s, r.maxChars), mimeJSON
	case kindLogs:
		text, err = r.readLogs(ctx, rf)
		if err != nil {
			return nil, err
		}
		mime = mimeText
	default:
		return nil, fmt.Errorf("read %s: unknown resource kind %d", uri, rf.kind)
	}
	return []mcp.ResourceContents{mcp.TextResourceContents{URI: uri, MIMEType: mime, Text: text}}, nil
}
