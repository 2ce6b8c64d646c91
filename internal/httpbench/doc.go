// Package httpbench holds the benchmark of the HTTP path (its code is in
// the test files): sprites-mcp on the embedded runtime against a bare
// mcp-go server whose one tool returns a fixed string, both over
// streamable HTTP on loopback, measured in the same run. `make bench-http`
// runs it; BENCHMARKS.md records it.
package httpbench
