//go:build darwin

package supervisor

import "os"

// outputPipe makes the pipe of one output stream (pipe_linux.go says why
// Linux makes its own); macOS has no pipe2, and os.Pipe sets close-on-exec
// under the fork lock.
func outputPipe() (r, w *os.File, err error) { return os.Pipe() }
