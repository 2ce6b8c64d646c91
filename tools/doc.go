// Package tools is the MCP tool surface of sprites-mcp: one tool per Services
// API operation, each declared with its schema (from package schema) and all
// four hints, and each answering with a short, bounded summary the agent can
// act on plus structured content matching the declared output schema.
//
// One generic adapter (adapter.go, args.go) turns a typed handler into an
// mcp-go tool: it refuses unknown arguments by name, demands the required
// ones, lets each argument's type (package schema) decode and validate it,
// asks Deps.Authorize about the sprite a call resolves, and turns failures
// into tool errors that say what to do.
// All returns the tools in a fixed order; main registers them.
//
// The README's tool table is generated from All: after changing a tool's
// name, description, arguments or hints, run go generate ./tools.
package tools

//go:generate go run ../internal/cmd/gendocs -readme ../README.md
