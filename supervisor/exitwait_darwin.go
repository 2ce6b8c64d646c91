//go:build darwin

package supervisor

// awaitExit returns at once: on macOS, os.Process.Wait blocks a thread in
// wait4 until the process exits.
func awaitExit(int) {}
