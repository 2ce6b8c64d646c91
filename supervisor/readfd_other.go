//go:build !unix

package supervisor

// readFD is never reached off Unix: New fails first (see other.go). It
// exists so the portable output code compiles everywhere.
//
//lint:ignore U1000 output.go refers to it on every platform; off Unix no caller runs
func readFD(uintptr, []byte) (int, bool, error) { return 0, false, errUnsupported }
