//go:build linux

package config

import "testing"

// Every platform's rule is tested here; the per-OS files only pick one.
func TestStateDirDefaults(t *testing.T) {
	env := func(kv ...string) func(string) string {
		return func(k string) string {
			for i := 0; i+1 < len(kv); i += 2 {
				if kv[i] == k {
					return kv[i+1]
				}
			}
			return ""
		}
	}
	for _, tc := range []struct {
		name string
		rule func(func(string) string) string
		env  func(string) string
		want string
	}{
		{"linux xdg", xdgStateDir, env("XDG_STATE_HOME", "/x", "HOME", "/h"), "/x/sprites-mcp"},
		{"linux home", xdgStateDir, env("HOME", "/home/a"), "/home/a/.local/state/sprites-mcp"},
		{"linux none", xdgStateDir, env(), ""},
		{"mac home", macStateDir, env("HOME", "/Users/a"), "/Users/a/Library/Application Support/sprites-mcp"},
		{"mac xdg", macStateDir, env("XDG_STATE_HOME", "/x", "HOME", "/Users/a"), "/x/sprites-mcp"},
		{"mac none", macStateDir, env(), ""},
		{"windows", windowsStateDir, env("LOCALAPPDATA", `C:\Users\a\AppData\Local`), `C:\Users\a\AppData\Local\sprites-mcp`},
		{"windows profile", windowsStateDir, env("USERPROFILE", `C:\Users\a`), `C:\Users\a\AppData\Local\sprites-mcp`},
		{"windows none", windowsStateDir, env(), ""},
		{"this platform", DefaultStateDir, env("HOME", "/home/a"), "/home/a/.local/state/sprites-mcp"},
	} {
		if got := tc.rule(tc.env); got != tc.want {
			t.Errorf("%s: %q, want %q", tc.name, got, tc.want)
		}
	}
}

// The macOS default, with a user name of ordinary length, leaves room for
// the socket within macOS's 103 bytes.
func TestMacDefaultSocketFits(t *testing.T) {
	dir := macStateDir(func(k string) string {
		if k == "HOME" {
			return "/Users/" + "abcdefghijklmnopqrstuvwxyz0123" // 30 characters
		}
		return ""
	})
	if n := len(dir + "/api.sock"); n > 103 {
		t.Fatalf("%d bytes", n)
	}
}
