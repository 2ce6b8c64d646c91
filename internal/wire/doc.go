// Package wire is the Services API contract, written once: the JSON types
// a runtime sends and a client reads, the statuses and event types, the
// rule for sprite and service names, the log-file line format, and how to
// find the last lines of a log file.
//
// Both sides import it: the client (and through it the MCP server) and
// the supervisor, the runtime this repository ships. It uses the standard
// library only, so the supervisor can share the contract without reaching
// anything of the MCP side.
package wire
