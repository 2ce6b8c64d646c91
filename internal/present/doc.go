// Package present holds the rules both tools and resources use to show
// services to an agent: how a service's state reads, how its fields are
// cleaned and cut, what "stopped by request" looks like, how a missing
// sprite or service is explained and which name to suggest, and the URI of
// a service's logs. One package, so a tool result and a resource never
// disagree about the same service.
package present
