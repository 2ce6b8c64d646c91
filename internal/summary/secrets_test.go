package summary

import (
	"maps"
	"strings"
	"testing"
)

// Test values are built at run time so no file holds anything that looks
// like a real credential to a scanner.
func fake(prefix string, n int) string {
	const alphabet = "aB3dE5gH7jK9mN1pQ2sT4vW6yZ8"
	var b strings.Builder
	b.WriteString(prefix)
	for i := 0; i < n; i++ {
		b.WriteByte(alphabet[(i*7+3)%len(alphabet)])
	}
	return b.String()
}

func TestMaskSecretsEachKind(t *testing.T) {
	jwt := "eyJhbGciOiJIUzI1NiJ9." + fake("", 24) + "." + fake("", 30)
	pem := "-----BEGIN RSA PRIVATE KEY-----\n" + fake("MII", 60) + "\n" + fake("", 64) + "\n-----END RSA PRIVATE KEY-----"
	cases := []struct {
		name, in, want string
	}{
		{"bearer header", "Authorization: Bearer " + fake("", 32), "Authorization: Bearer ***"},
		{"bearer any case", "authorization: bearer " + fake("", 32) + " ok", "authorization: bearer *** ok"},
		{"basic credentials", "Authorization: Basic " + fake("", 16) + "==", "Authorization: Basic ***"},
		{"_TOKEN env style", "GITHUB_TOKEN=" + fake("", 20), "GITHUB_TOKEN=***"},
		{"_KEY env style", "STRIPE_API_KEY=" + fake("", 20) + " started", "STRIPE_API_KEY=*** started"},
		{"_SECRET env style", "CLIENT_SECRET=" + fake("", 12), "CLIENT_SECRET=***"},
		{"PASSWORD", "PASSWORD=hunter2", "PASSWORD=***"},
		{"lower-case word under a strong name", "password: hunter", "password: ***"},
		{"generated value under a weak name", "token: " + fake("", 20), "token: ***"},
		{"password in json", `{"user":"bob","password":"hunter2"}`, `{"user":"bob","password":"***"}`},
		{"password with spaces around colon", "db password : hunter2", "db password : ***"},
		{"camel case key", "clientSecret: " + fake("", 10), "clientSecret: ***"},
		{"flag style", "--api-key=" + fake("", 20) + " --port=8080", "--api-key=*** --port=8080"},
		{"query string", "GET /cb?code=1&access_token=" + fake("", 20) + "&x=1", "GET /cb?code=1&access_token=***&x=1"},
		{"single quoted", "secret='a b c'", "secret='***'"},
		{"url password", "postgres://app:" + fake("", 12) + "@db:5432/app", "postgres://app:***@db:5432/app"},
		{"url password without user", "redis://:" + fake("", 12) + "@cache:6379", "redis://:***@cache:6379"},
		{"github token by shape", "cloning with " + fake("ghp_", 36), "cloning with ghp_***"},
		{"github fine-grained token", "x " + fake("github_pat_", 40), "x github_pat_***"},
		{"gitlab token", fake("glpat-", 20), "glpat-***"},
		{"slack token", "hook " + fake("xoxb-", 30), "hook xoxb-***"},
		{"aws access key id", "key id AKIA" + strings.ToUpper(fake("", 16)), "key id AKIA***"},
		{"openai style key", "using " + fake("sk-", 40), "using sk-***"},
		{"jwt", "token is " + jwt + ".", "token is ***."},
		{"sprites token", "auth with my-org/1234/5678/" + fake("", 40), "auth with my-org/1234/5678/***"},
		{"token in a url path", "GET /hooks/" + fake("ghp_", 36) + "/run", "GET /hooks/ghp_***/run"},
		{"private key block", "key:\n" + pem + "\nafter", "key:\n-----BEGIN RSA PRIVATE KEY-----\n***\n-----END RSA PRIVATE KEY-----\nafter"},
		{"private key without end", "-----BEGIN OPENSSH PRIVATE KEY-----\n" + fake("b3Bl", 50), "-----BEGIN OPENSSH PRIVATE KEY-----\n***"},
		{"escaped key under another name", `{"blob":"-----BEGIN EC PRIVATE KEY-----\n` + fake("MHc", 40) + `\n-----END EC PRIVATE KEY-----"}`, `{"blob":"-----BEGIN EC PRIVATE KEY-----***-----END EC PRIVATE KEY-----"}`},
		{"escaped key in json", `{"private_key":"-----BEGIN PRIVATE KEY-----\n` + fake("MII", 40) + `\n-----END PRIVATE KEY-----\n"}`, `{"private_key":"***"}`},
	}
	for _, c := range cases {
		if got := MaskSecrets(c.in); got != c.want {
			t.Errorf("%s:\n  MaskSecrets(%q)\n  = %q\n want %q", c.name, c.in, got, c.want)
		}
	}
}

func TestMaskSecretsLeavesOrdinaryLinesAlone(t *testing.T) {
	lines := []string{
		"listening on http://127.0.0.1:8080",
		"12:30:45 INFO request took 12ms",
		"tests: passed: 31 failed: 0",
		"token_count=512 max_tokens=4096",
		"cache key=user:42 hit",
		"author=alice keyboard=us bypass=true",
		"auth: ok",
		"public key loaded from /etc/ssh/ssh_host_ed25519_key.pub",
		"-----BEGIN CERTIFICATE-----",
		"ERROR 1045 (28000): Access denied for user 'root'@'localhost' (using password: NO)",
		"token_type=bearer expires_in=3600 auth=oauth2",
		"open /usr/local/lib/python3.12/site-packages/app/server.py",
		"GET /v1/sprites/dev/services/web/logs?lines=100",
		"if a == b and c != d",
		"sha256:" + strings.Repeat("ab12", 16),
		"token=[]",
		"auth: user logged in",
		"token: expired, asking for a new one",
		"refresh token: missing",
	}
	for _, l := range lines {
		if got := MaskSecrets(l); got != l {
			t.Errorf("MaskSecrets(%q) = %q, want it unchanged", l, got)
		}
	}
}

func TestMaskSecretsIsIdempotent(t *testing.T) {
	in := "GITHUB_TOKEN=" + fake("ghp_", 36) + " Authorization: Bearer " + fake("", 30)
	once := MaskSecrets(in)
	if twice := MaskSecrets(once); twice != once {
		t.Fatalf("masking twice changed the text: %q then %q", once, twice)
	}
	if strings.Contains(once, fake("", 30)) {
		t.Fatalf("bearer value still visible in %q", once)
	}
}

func TestMaskEnv(t *testing.T) {
	env := map[string]string{
		"GITHUB_TOKEN":          fake("ghp_", 36),
		"AWS_SECRET_ACCESS_KEY": fake("", 40),
		"DB_PASS":               "hunter2",
		"PGPASSWORD":            "hunter2",
		"SMTP_PASSWORD":         "hunter2",
		"GOOGLE_CREDENTIALS":    `{"type":"service_account"}`,
		"BASIC_AUTH":            "user:pw",
		"apiKey":                "abc",
		"SIGNING_KEY":           fake("", 20),
		"DATABASE_URL":          "postgres://app:" + fake("", 12) + "@db/app",
		"UPSTREAM":              "Bearer " + fake("", 30),
		"NOTE":                  "uses " + fake("sk-", 40),
		"PORT":                  "8080",
		"HOME":                  "/home/sprite",
		"KEYBOARD":              "us",
		"EMPTY_TOKEN":           "",
	}
	want := map[string]string{
		"GITHUB_TOKEN":          "***",
		"AWS_SECRET_ACCESS_KEY": "***",
		"DB_PASS":               "***",
		"PGPASSWORD":            "***",
		"SMTP_PASSWORD":         "***",
		"GOOGLE_CREDENTIALS":    "***",
		"BASIC_AUTH":            "***",
		"apiKey":                "***",
		"SIGNING_KEY":           "***",
		"DATABASE_URL":          "postgres://app:***@db/app",
		"UPSTREAM":              "Bearer ***",
		"NOTE":                  "uses sk-***",
		"PORT":                  "8080",
		"HOME":                  "/home/sprite",
		"KEYBOARD":              "us",
		"EMPTY_TOKEN":           "",
	}
	before := maps.Clone(env)
	got := MaskEnv(env)
	if !maps.Equal(got, want) {
		for k := range want {
			if got[k] != want[k] {
				t.Errorf("MaskEnv[%s] = %q, want %q", k, got[k], want[k])
			}
		}
	}
	if !maps.Equal(env, before) {
		t.Error("MaskEnv changed its argument; it must return a copy")
	}
	if MaskEnv(nil) != nil {
		t.Error("MaskEnv(nil) should be nil")
	}
}
