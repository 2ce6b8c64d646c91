//go:build !darwin && !windows

package supervisor

func platformStateDir(getenv func(string) string) string { return xdgStateDir(getenv) }
