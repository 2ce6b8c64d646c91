package wire

import (
	"errors"
	"math/rand/v2"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

// ruleRE is the rule as the documentation states it; ValidateName must
// agree with it (plus the two extra refusals) on every input.
var ruleRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$`)

func ruleAccepts(kind, name string) bool {
	return ruleRE.MatchString(name) && !strings.Contains(name, "..") && !(kind == KindService && name == "signal")
}

func TestValidateNameAccepts(t *testing.T) {
	for _, name := range []string{"a", "web", "Web-2", "9lives", "api.v2", "db_primary", "a-", "x.y.z",
		"mcp-dev", strings.Repeat("x", MaxNameLength)} {
		for _, kind := range []string{KindService, KindSprite} {
			if err := ValidateName(kind, name); err != nil {
				t.Errorf("%s name %q: %v", kind, name, err)
			}
		}
	}
	if err := ValidateName(KindSprite, "signal"); err != nil {
		t.Errorf("a sprite may be called signal (only the service route collides): %v", err)
	}
}

func TestValidateNameRefuses(t *testing.T) {
	cases := []struct{ kind, name, says string }{
		{KindService, "", `service name "" is empty`},
		{KindService, strings.Repeat("x", 64), "64 characters long; at most 63"},
		{KindService, "signal", `"signal" collides with the signal route`},
		{KindService, "a/b", `"a/b" contains '/'`},
		{KindSprite, "bad name/", `sprite name "bad name/" contains '/'`},
		{KindService, "..", `".." starts with '.'`},
		{KindService, "a..b", `"a..b" contains ".."`},
		{KindService, "-x", `"-x" starts with '-'`},
		{KindService, "_x", `"_x" starts with '_'`},
		{KindService, "my service", `"my service" contains a space`},
		{KindService, "tab\there", "contains a control character"},
		{KindService, "nul\x00", "contains a control character"},
		{KindService, "café", "contains a character outside ASCII"},
		{KindService, "bad\xffutf8", "contains a character outside ASCII"},
		{KindService, "q?", `contains '?'`},
		{KindService, "web%2F", `contains '%'`},
	}
	for _, c := range cases {
		err := ValidateName(c.kind, c.name)
		switch {
		case err == nil:
			t.Errorf("%s name %q was accepted", c.kind, c.name)
		case !errors.Is(err, ErrInvalidName):
			t.Errorf("%s name %q: %v does not wrap ErrInvalidName", c.kind, c.name, err)
		case !strings.Contains(err.Error(), c.says) || !strings.HasSuffix(err.Error(), "; "+NameRule):
			t.Errorf("%s name %q: %q; want it to say %q and end with the rule", c.kind, c.name, err, c.says)
		}
	}
}

// On random names built from the interesting characters, ValidateName
// agrees with the rule as documented.
func TestValidateNameMatchesTheRule(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	const alphabet = "aZ09._-/ \x00é"
	for range 20000 {
		var b strings.Builder
		for range rng.IntN(8) {
			b.WriteByte(alphabet[rng.IntN(len(alphabet))])
		}
		name := b.String()
		if rng.IntN(50) == 0 {
			name = strings.Repeat("a", 60+rng.IntN(6))
		}
		checkAgainstRule(t, name)
	}
}

// checkAgainstRule fails t when ValidateName and the documented rule
// disagree on name, or an accepted name is unsafe where names travel.
func checkAgainstRule(t *testing.T, name string) {
	t.Helper()
	for _, kind := range []string{KindService, KindSprite} {
		err := ValidateName(kind, name)
		if want := ruleAccepts(kind, name); (err == nil) != want {
			t.Fatalf("%s name %q: ValidateName says %v; the rule says accepted=%v", kind, name, err, want)
		}
		if err != nil && (!errors.Is(err, ErrInvalidName) || !strings.HasSuffix(err.Error(), NameRule)) {
			t.Fatalf("%s name %q: %q lacks the sentinel or the rule", kind, name, err)
		}
		if err == nil && (url.PathEscape(name) != name || strings.HasPrefix(name, "-")) {
			t.Fatalf("%s name %q was accepted but is not safe as a path segment or file name", kind, name)
		}
	}
}
