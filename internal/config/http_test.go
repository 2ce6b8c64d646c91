package config

import (
	"slices"
	"strings"
	"testing"
)

func TestConfigHTTP(t *testing.T) {
	home := map[string]string{"HOME": "/h"}
	for _, tc := range []struct {
		args []string
		env  map[string]string
		addr string
	}{
		{nil, home, ""},
		{[]string{"--http", ":8080"}, home, "127.0.0.1:8080"},
		{[]string{"--http", "8080"}, home, "127.0.0.1:8080"},
		{[]string{"--http", "localhost:9"}, home, "localhost:9"},
		{[]string{"--http", "[::1]:9"}, home, "[::1]:9"},
		{nil, map[string]string{"HOME": "/h", "SPRITES_MCP_HTTP": ":7000"}, "127.0.0.1:7000"},
		{[]string{"--http", "0.0.0.0:8080"}, map[string]string{"HOME": "/h", "SPRITES_MCP_AUTH_TOKEN": "t"}, "0.0.0.0:8080"},
		{[]string{"--http", "0.0.0.0:8080", "--auth-file", "/a.json"}, home, "0.0.0.0:8080"},
	} {
		cfg, err := Parse(tc.args, env(tc.env))
		if err != nil || cfg.HTTP != tc.addr {
			t.Errorf("%v %v: HTTP = %q, err %v; want %q", tc.args, tc.env, cfg.HTTP, err, tc.addr)
		}
	}

	cfg, err := Parse([]string{"--http", ":1", "--stateless", "--allowed-origins", "https://A.example.com/, http://x.test:80 ,https://y.test:8443"},
		env(map[string]string{"HOME": "/h", "SPRITES_MCP_AUTH_TOKEN": " tok \n"}))
	if err != nil {
		t.Fatal(err)
	}
	if !cfg.Stateless || cfg.AuthToken != "tok" ||
		!slices.Equal(cfg.AllowedOrigins, []string{"https://a.example.com", "http://x.test", "https://y.test:8443"}) {
		t.Errorf("cfg = %+v", cfg)
	}
}

func TestConfigHTTPRejectsBadInput(t *testing.T) {
	home := map[string]string{"HOME": "/h"}
	withToken := map[string]string{"HOME": "/h", "SPRITES_MCP_AUTH_TOKEN": "t"}
	for _, tc := range []struct {
		args []string
		env  map[string]string
		want string
	}{
		{[]string{"--http", "0.0.0.0:8080"}, home, "no authentication is set"},
		{[]string{"--http", "example.com:8080"}, home, "no authentication is set"},
		{[]string{"--http", "[::]:8080"}, home, "set SPRITES_MCP_AUTH_TOKEN or --auth-file"},
		{[]string{"--http", "nonsense"}, home, "want host:port"},
		{[]string{"--http", ":99999"}, home, "from 0 to 65535"},
		{[]string{"--http", ":1", "--auth-file", "/a"}, withToken, "use one"},
		{[]string{"--auth-file", "/a"}, home, "applies to HTTP only"},
		{[]string{"--stateless"}, home, "applies to HTTP only"},
		{[]string{"--allowed-origins", "https://a.test"}, home, "applies to HTTP only"},
		{[]string{"--http", ":1", "--allowed-origins", "a.test"}, home, "want scheme://host"},
		{[]string{"--http", ":1", "--allowed-origins", "https://a.test/app"}, home, "no path"},
	} {
		_, err := Parse(tc.args, env(tc.env))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: err = %v, want it to say %q", tc.args, err, tc.want)
		}
	}
}

func TestConfigHelpListsHTTPFlags(t *testing.T) {
	var out strings.Builder
	Usage(&out)
	for _, want := range []string{"-http", "-auth-file", "-allowed-origins", "-stateless", "SPRITES_MCP_AUTH_TOKEN", "SPRITES_MCP_HTTP"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("--help does not mention %s", want)
		}
	}
}
