//go:build darwin

package supervisor

// awaitExit returns false at once: on macOS, waitExit blocks a thread
// until the process exits.
func awaitExit(int) bool { return false }
