//go:build !unix

package supervisor

// readFD is never reached off Unix: New fails first (see other.go).
func readFD(uintptr, []byte) (int, bool, error) { return 0, false, errUnsupported }
