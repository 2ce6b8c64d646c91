// Package prompts serves the guided workflows as MCP prompts:
//
//	debug_service   why a service is not doing what it should: its state, the
//	                line that says why, the last stderr lines, what to call
//	                next; its state and log tail attached as resources
//	deploy_service  the calls that create a service and check it is up, read
//	                its logs, and undo it, checked against what already runs
//	                (not offered on a read-only server)
//	status_report   every service of a sprite in one line, the unhealthy
//	                ones first with the line that says why
//
// A prompt reads the backend like the tools do (the same state view of
// package present, the same cause rule over a summary of package summary)
// and attaches resources with the URIs and the contents the resources
// package serves, read through Deps.Read. Every answer keeps to the result
// budget: the characters of all its text, attached contents included.
// Arguments complete from the live lists of services and sprites.
package prompts
