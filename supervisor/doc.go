// Package supervisor is the embedded local runtime of sprites-mcp: a real
// process supervisor that serves the Sprites Services API for one
// machine-local Sprite (named "local") on a unix socket in its state
// directory.
//
// It owns each service's process group, captures its output to a rotated
// log file and to live NDJSON streams, starts services in dependency order,
// restarts crashes with capped exponential backoff, keeps explicit stops
// sticky, and persists definitions and desired state so that a later run
// (or another process taking over the state directory) brings the same
// services back. Of this repository it imports only the standard-library
// leaves internal/wire (the contract it serves, shared with the client)
// and internal/backoff (docs/ARCHITECTURE.md), so it knows nothing of MCP.
//
// It runs on Linux and macOS, one code path for both; only process start
// times, process group members and Pdeathsig differ (procinfo_*.go). Other
// systems, Windows first, get a clear refusal (other.go). A watchdog —
// this same binary started again, see watchdog.go — ends the services of a
// runtime that is killed; an init function of this package makes any
// binary that links it able to serve as that watchdog.
//
// What leaves a service's group (setsid, a daemonising double fork) is
// found and stopped with it (escape.go): through the process tree on both
// systems, and on Linux also as orphans re-parented to the runtime, a child
// subreaper (subreaper_linux.go), recognised by a run tag in their
// environment. Such orphans' zombies are reaped one by one, by pid: never
// by a wait for any child, which would steal the exit statuses that reap
// collects.
package supervisor
