package config

import "path/filepath"

// DefaultStateDir is where the runtime keeps its state, logs and socket
// when no directory is given, following each platform's convention; ""
// when the environment names no home. getenv is os.Getenv, or a stand-in
// in tests.
//
//   - Linux and other unixes: $XDG_STATE_HOME/sprites-mcp, else
//     ~/.local/state/sprites-mcp (the XDG base directory rules).
//   - macOS: ~/Library/Application Support/sprites-mcp, where Mac apps
//     (Claude Desktop among them) keep their data and where Finder and
//     backups expect it; $XDG_STATE_HOME when the user set it, since
//     nothing on a Mac sets it but a user who wants it honoured.
//   - Windows: %LocalAppData%\sprites-mcp. The runtime does not run there,
//     but the directory is still named, so configuration never fails for
//     want of it.
func DefaultStateDir(getenv func(string) string) string {
	return platformStateDir(getenv)
}

func xdgStateDir(getenv func(string) string) string {
	if x := getenv("XDG_STATE_HOME"); x != "" {
		return filepath.Join(x, "sprites-mcp")
	}
	if h := getenv("HOME"); h != "" {
		return filepath.Join(h, ".local", "state", "sprites-mcp")
	}
	return ""
}

func macStateDir(getenv func(string) string) string {
	if x := getenv("XDG_STATE_HOME"); x != "" {
		return filepath.Join(x, "sprites-mcp")
	}
	if h := getenv("HOME"); h != "" {
		return filepath.Join(h, "Library", "Application Support", "sprites-mcp")
	}
	return ""
}

// windowsStateDir joins with a backslash whatever the building OS, so that
// it is tested here as it runs there.
func windowsStateDir(getenv func(string) string) string {
	if d := getenv("LOCALAPPDATA"); d != "" {
		return d + `\sprites-mcp`
	}
	if h := getenv("USERPROFILE"); h != "" {
		return h + `\AppData\Local\sprites-mcp`
	}
	return ""
}
