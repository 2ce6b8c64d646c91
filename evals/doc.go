// Package evals holds sprites-mcp's scenario evals: end-to-end runs of the
// built binary, driven over stdio by mcp-go's client the way an agent
// drives it, on the embedded runtime with real processes.
//
// Each scenario is a short sequence of tool calls and resource reads with
// checks on what an agent needs to decide (is it up, why did it die, where
// is the error line, did the secret leak). Every call is measured: the
// characters the agent received, and the bytes the Services API held for
// the same operation, which is what a server passing the API through
// (the official Sprites MCP server) would have returned. The tests print
// the figures as a table; EVALS_REPORT=1 also writes REPORT.md.
//
// The package has no exported API: everything is in its _test.go files.
package evals
