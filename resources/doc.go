// Package resources serves the state and log tails of services as MCP
// resources (docs/ARCHITECTURE.md, "Resources"):
//
//	sprites://{sprite}/services                              every service with its state (JSON)
//	sprites://{sprite}/services/{service_name}               definition and state (JSON, env masked)
//	sprites://{sprite}/services/{service_name}/logs{?lines}  the last lines of the log (text, bounded)
//
// The three are resource templates; the default sprite's services are also
// listed as concrete resources, kept current while anyone listens.
// {service_name} (and {sprite} where the backend can list Sprites) complete
// from the live lists.
//
// Subscriptions: mcp-go only acknowledges resources/subscribe, and on the
// 2026-07-28 revision subscriptions arrive through subscriptions/listen,
// which no mcp-go session records either. So this package records both
// itself, per session, through server hooks. One watcher goroutine per
// sprite that has subscribers polls the backend (never faster than once a
// second) and sends notifications/resources/updated to each subscriber whose
// service changed status, pid or restart count, and keeps the default
// sprite's concrete resources current (mcp-go then sends
// notifications/resources/list_changed). Nobody listening means no
// goroutine and no polling.
//
// Missing things are resource-not-found errors whose message says what
// exists, never empty contents. mcp-go turns every error a resource handler
// returns into -32603, so the check runs in a before-read hook that makes
// mcp-go answer with its own not-found code instead (see read_hook.go).
package resources
