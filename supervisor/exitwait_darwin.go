//go:build darwin

package supervisor

import "syscall"

// requestPidfd does nothing: macOS has no pidfds.
func requestPidfd(*syscall.SysProcAttr, *int) {}

// pidfdOf returns -1: macOS has no pidfds.
func pidfdOf(int) int { return -1 }

// awaitExit returns false at once: on macOS, waitExit blocks a thread
// until the process exits.
func awaitExit(int) bool { return false }
