package config

import (
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/sprites-mcp/sprites-mcp/client"
)

func env(kv map[string]string) func(string) string {
	return func(k string) string { return kv[k] }
}

func TestParseConfigDefaults(t *testing.T) {
	cfg, err := Parse(nil, env(map[string]string{"HOME": "/home/u"}))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Command != "serve" || cfg.API != "" || cfg.ReadOnly || cfg.MaxResultChars != 8000 ||
		cfg.LogLevel != slog.LevelInfo || cfg.LogFormat != "text" {
		t.Errorf("defaults: %+v", cfg)
	}
	if cfg.StateDir != "/home/u/.local/state/sprites-mcp" {
		t.Errorf("state dir = %q", cfg.StateDir)
	}
}

func TestParseConfigEnvironment(t *testing.T) {
	cfg, err := Parse(nil, env(map[string]string{
		"HOME": "/home/u", "XDG_STATE_HOME": "/xdg", "SPRITE_TOKEN": "t2",
		"SPRITES_API_URL": "https://example.test", "SPRITES_MCP_SPRITE": "dev",
		"SPRITES_MCP_READ_ONLY": "true",
	}))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Token != "t2" || cfg.API != "https://example.test" || cfg.Sprite != "dev" ||
		!cfg.ReadOnly || cfg.StateDir != "/xdg/sprites-mcp" {
		t.Errorf("from env: %+v", cfg)
	}
	// SPRITES_TOKEN wins over SPRITE_TOKEN; flags win over env.
	cfg, err = Parse([]string{"--sprite", "prod", "--state-dir", "/s", "--read-only=false"},
		env(map[string]string{"SPRITES_TOKEN": "t1", "SPRITE_TOKEN": "t2", "SPRITES_MCP_SPRITE": "dev",
			"SPRITES_MCP_READ_ONLY": "1", "SPRITES_MCP_STATE_DIR": "/env"}))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Token != "t1" || cfg.Sprite != "prod" || cfg.StateDir != "/s" || cfg.ReadOnly {
		t.Errorf("precedence: %+v", cfg)
	}
}

func TestParseConfigDeadlines(t *testing.T) {
	cfg, err := Parse([]string{"--api-header-timeout", "2s", "--api-timeout", "45s", "--stream-margin", "3s"},
		env(map[string]string{"HOME": "/h"}))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.APIHeaderTimeout != 2*time.Second || cfg.APIReadTimeout != 45*time.Second || cfg.StreamMargin != 3*time.Second {
		t.Errorf("deadlines: %v %v %v", cfg.APIHeaderTimeout, cfg.APIReadTimeout, cfg.StreamMargin)
	}
	def, _ := Parse(nil, env(map[string]string{"HOME": "/h"}))
	if def.APIHeaderTimeout != client.DefaultHeaderTimeout || def.APIReadTimeout != client.DefaultReadTimeout || def.StreamMargin != client.StreamMargin {
		t.Errorf("default deadlines are not the client's: %v %v %v", def.APIHeaderTimeout, def.APIReadTimeout, def.StreamMargin)
	}
}

func TestParseConfigSupervisorCommand(t *testing.T) {
	cfg, err := Parse([]string{"supervisor", "--state-dir", "/s"}, env(nil))
	if err != nil || cfg.Command != "supervisor" || cfg.StateDir != "/s" {
		t.Fatalf("cfg=%+v err=%v", cfg, err)
	}
}

func TestParseConfigRejectsBadInput(t *testing.T) {
	home := map[string]string{"HOME": "/h"}
	for _, tc := range []struct {
		args []string
		env  map[string]string
		want string
	}{
		{[]string{"--max-result-chars", "10"}, home, "from 1000 to 100000"},
		{[]string{"--log-level", "loud"}, home, "want debug, info, warn or error"},
		{[]string{"--log-format", "xml"}, home, "want text or json"},
		{[]string{"serve"}, home, `unexpected argument "serve"`},
		{[]string{"--nope"}, home, "flag provided but not defined: -nope"},
		{nil, map[string]string{"HOME": "/h", "SPRITES_MCP_READ_ONLY": "maybe"}, "want true or false"},
		{nil, map[string]string{}, "no state directory"},
		{[]string{"--api-timeout", "0s"}, home, "--api-timeout 0s: want a duration from 100ms to 10m0s"},
		{[]string{"--stream-margin", "1h"}, home, "--stream-margin 1h0m0s: want a duration"},
		{[]string{"--api-header-timeout", "soon"}, home, `invalid value "soon"`},
	} {
		_, err := Parse(tc.args, env(tc.env))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v %v: err = %v, want it to say %q", tc.args, tc.env, err, tc.want)
		}
	}
}

func TestParseConfigHelpListsEveryFlag(t *testing.T) {
	var out strings.Builder
	_, err := Parse([]string{"--help"}, env(map[string]string{"HOME": "/h"}))
	if err != ErrHelp {
		t.Fatalf("err = %v, want ErrHelp", err)
	}
	Usage(&out)
	for _, want := range []string{"-api", "-sprite", "-state-dir", "-read-only", "-max-result-chars",
		"-log-level", "-log-format", "-version", "supervisor", "SPRITES_TOKEN"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("--help does not mention %s:\n%s", want, out.String())
		}
	}
}

// TestParseTrimsTheToken: a token pasted with its newline, or set to
// blanks, reads as the client library reads it.
func TestParseTrimsTheToken(t *testing.T) {
	for _, tc := range []struct {
		env  map[string]string
		want string
	}{
		{map[string]string{"SPRITES_TOKEN": " t1\n"}, "t1"},
		{map[string]string{"SPRITES_TOKEN": "  ", "SPRITE_TOKEN": "\tt2 "}, "t2"},
		{map[string]string{"SPRITES_TOKEN": "t1", "SPRITE_TOKEN": "t2"}, "t1"},
		{map[string]string{"SPRITE_TOKEN": " "}, ""},
	} {
		tc.env["HOME"] = "/h"
		cfg, err := Parse(nil, env(tc.env))
		if err != nil || cfg.Token != tc.want {
			t.Errorf("%q: token %q, err %v; want %q", tc.env, cfg.Token, err, tc.want)
		}
	}
}

// TestUsageShowsBuiltInDefaults: the help states the defaults, so a
// reader knows the bound a result keeps without reading the code.
func TestUsageShowsBuiltInDefaults(t *testing.T) {
	var out strings.Builder
	Usage(&out)
	if !strings.Contains(out.String(), "(default 8000)") || !strings.Contains(out.String(), `(default "info")`) {
		t.Errorf("--help does not show the defaults:\n%s", out.String())
	}
}
