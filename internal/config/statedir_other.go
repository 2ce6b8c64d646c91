//go:build !darwin && !windows

package config

func platformStateDir(getenv func(string) string) string { return xdgStateDir(getenv) }
