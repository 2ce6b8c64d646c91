package tools

import (
	"context"
	"encoding/json"
	"unicode/utf8"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"

	"github.com/sprites-mcp/sprites-mcp/internal/textcut"
	"github.com/sprites-mcp/sprites-mcp/schema"
)

// reply is what a typed handler returns: the structured content, the text
// summary, and whether the requested outcome was missed.
type reply[Out any] struct {
	data Out
	text string
	// failed marks a call whose requested outcome was not reached (a start
	// that died): the result keeps its full summary and is flagged isError.
	failed bool
	// links follow the text, e.g. to the log tail resource.
	links []mcp.Content
}

// toolDef declares one tool: its surface and its typed handler.
type toolDef[In, Out any] struct {
	name        string
	title       string
	description string
	readOnly    bool
	destructive bool
	idempotent  bool
	handle      func(ctx context.Context, in In) (reply[Out], error)
	// fit shrinks the structured content until its JSON is at most
	// maxChars characters (dropping list entries or middle lines and saying
	// so); tools whose content is small by construction leave it nil.
	fit func(out *Out, maxChars int)
}

// newTool is the one adapter from a typed handler to an mcp-go tool. The
// schemas are reflected once here, at start-up; a broken schema panics, and
// the tests build every tool.
func newTool[In, Out any](d *deps, def toolDef[In, Out]) server.ServerTool {
	inSchema := schema.Reflect[In]()
	outSchema := schema.ReflectOutput[Out]()
	spec := newArgsSpec[In](def.name, inSchema)
	tool := mcp.Tool{
		Name:            def.name,
		Title:           def.title,
		Description:     def.description,
		RawInputSchema:  inSchema,
		RawOutputSchema: outSchema,
		Annotations: mcp.ToolAnnotation{
			Title:           def.title,
			ReadOnlyHint:    mcp.ToBoolPtr(def.readOnly),
			DestructiveHint: mcp.ToBoolPtr(def.destructive),
			IdempotentHint:  mcp.ToBoolPtr(def.idempotent),
			OpenWorldHint:   mcp.ToBoolPtr(d.OpenWorld),
		},
	}
	handler := func(ctx context.Context, req mcp.CallToolRequest) (*mcp.CallToolResult, error) {
		in, err := decode[In](spec, req.GetRawArguments())
		if err != nil {
			return d.failure(ctx, spec, err)
		}
		r, err := def.handle(withProgress(ctx, req, d), in)
		if err != nil {
			return d.failure(ctx, spec, err)
		}
		return encodeReply(d, def, r), nil
	}
	return server.ServerTool{Tool: tool, Handler: handler}
}

// encodeReply turns a reply into the call result within the bound: the
// text and the structured content are each at most MaxResultChars
// characters (runes of the JSON encoding, for the structured content).
// The structured content is encoded once: the encoding that is measured
// is the one sent (RawStructuredContent), and the typed value stays for
// whoever reads the result in process (output validation, tests).
func encodeReply[In, Out any](d *deps, def toolDef[In, Out], r reply[Out]) *mcp.CallToolResult {
	limit := d.MaxResultChars
	raw := encodeJSON(r.data)
	if def.fit != nil && utf8.RuneCount(raw) > limit {
		def.fit(&r.data, limit)
		raw = encodeJSON(r.data)
	}
	if n := utf8.RuneCount(raw); n > limit {
		// A fit that cannot meet the bound is a bug; the result still goes
		// out, because a slightly long answer beats none.
		d.log.Error("structured content over the result bound", "tool", def.name, "chars", n, "limit", limit)
	}
	res := mcp.NewToolResultStructured(r.data, cutText(r.text, limit))
	res.RawStructuredContent = raw
	res.Content = append(res.Content, r.links...)
	res.IsError = r.failed
	return res
}

// encodeJSON is v's JSON encoding, or nil if it has none (mcp-go then
// encodes v itself), which the output types rule out.
func encodeJSON(v any) json.RawMessage {
	b, err := json.Marshal(v)
	if err != nil {
		return nil
	}
	return b
}

// jsonChars is the size of v's JSON encoding in characters.
func jsonChars(v any) int { return utf8.RuneCount(encodeJSON(v)) }

// cutText bounds s to limit characters, saying so at the end.
func cutText(s string, limit int) string {
	return textcut.Cut(s, limit, "\n…[result cut at the size limit]")
}
