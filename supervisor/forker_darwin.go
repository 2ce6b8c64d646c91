//go:build darwin

package supervisor

// threadFiles is the descriptor table a fork runs with (forker_linux.go).
// On macOS no fork thread is used (there is no Pdeathsig) and a thread
// cannot have a table of its own: always the process's.
type threadFiles struct{ private bool }

func ownFiles() threadFiles { return threadFiles{} }

func (threadFiles) fetch(fds []uintptr) ([]uintptr, func(), error) { return fds, func() {}, nil }
