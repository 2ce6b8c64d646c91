package summary

import (
	"sort"
	"strings"
)

// mask replaces every secret value.
const mask = "***"

// MaskSecrets replaces values that look like secrets with "***":
//   - the body of a private key block (-----BEGIN … PRIVATE KEY----- … END),
//     to the end of s when the END line is not in s;
//   - Bearer and Basic credentials;
//   - values assigned to secret-looking names, with = or : (GITHUB_TOKEN=…,
//     "password": "…", --api-key=…, clientSecret: …);
//   - the password in a URL (scheme://user:***@host);
//   - tokens recognisable by shape (ghp_…, github_pat_…, glpat-…, xoxb-…,
//     sk-…, AKIA…, JWTs) and Sprites tokens org/org-id/token-id/value, whose
//     value part is masked.
//
// It is heuristic: it prefers masking a harmless value to showing a secret,
// but leaves values that say there is none ("using password: NO", true,
// none) and, for weakly named keys (token, key, pass, auth), counts and
// scheme names (max_token=512, auth=oauth2). s is returned as is when
// nothing matched.
func MaskSecrets(s string) string {
	if len(s) < 4 {
		return s
	}
	m := masker{s: s}
	m.privateKeys()
	m.schemes()
	m.assignments()
	m.urlPasswords()
	m.shapes()
	return m.apply()
}

type span struct{ start, end int }

type masker struct {
	s     string
	spans []span
}

func (m *masker) add(start, end int) {
	if start < end && m.s[start:end] != mask {
		m.spans = append(m.spans, span{start, end})
	}
}

// apply replaces the collected spans, merging overlaps.
func (m *masker) apply() string {
	if len(m.spans) == 0 {
		return m.s
	}
	sort.Slice(m.spans, func(i, j int) bool { return m.spans[i].start < m.spans[j].start })
	var b strings.Builder
	b.Grow(len(m.s))
	at := 0
	for _, sp := range m.spans {
		if sp.end <= at {
			continue // inside a span already masked
		}
		if sp.start < at {
			sp.start = at
		} else {
			b.WriteString(m.s[at:sp.start])
			b.WriteString(mask)
		}
		at = sp.end
	}
	b.WriteString(m.s[at:])
	return b.String()
}

// privateKeys masks the bodies of PEM-style private key blocks.
func (m *masker) privateKeys() {
	s := m.s
	from := 0
	for {
		i := strings.Index(s[from:], "-----BEGIN ")
		if i < 0 {
			return
		}
		i += from + len("-----BEGIN ")
		h := strings.Index(s[i:], "-----")
		if h < 0 {
			return
		}
		header := s[i : i+h]
		bodyStart := i + h + len("-----")
		from = bodyStart
		if !strings.Contains(header, "PRIVATE KEY") {
			continue
		}
		bodyEnd := len(s)
		if j := strings.Index(s[bodyStart:], "-----END "); j >= 0 {
			bodyEnd = bodyStart + j
		}
		// Keep the whitespace around the body so the block keeps its shape.
		for bodyStart < bodyEnd && isSpace(s[bodyStart]) {
			bodyStart++
		}
		for bodyEnd > bodyStart && isSpace(s[bodyEnd-1]) {
			bodyEnd--
		}
		m.add(bodyStart, bodyEnd)
		from = bodyEnd
	}
}

// schemes masks the credential after "Bearer " or "Basic " (any case).
func (m *masker) schemes() {
	s := m.s
	for i := 0; i+6 < len(s); i++ {
		c := s[i] | 0x20
		if c != 'b' || (i > 0 && isWordByte(s[i-1])) {
			continue
		}
		var n int
		switch {
		case strings.EqualFold(s[i:i+6], "bearer"):
			n = 6
		case strings.EqualFold(s[i:i+5], "basic"):
			n = 5
		default:
			continue
		}
		j := i + n
		if j >= len(s) || s[j] != ' ' && s[j] != '\t' {
			continue
		}
		for j < len(s) && (s[j] == ' ' || s[j] == '\t') {
			j++
		}
		// token68: letters, digits and -._~+/ then only = padding.
		k := j
		for k < len(s) && isToken68(s[k]) {
			k++
		}
		for k < len(s) && s[k] == '=' {
			k++
		}
		if k-j >= 8 && (k == len(s) || !isToken68(s[k])) {
			m.add(j, k)
		}
		i = k
	}
}

// assignments masks values given to secret-looking names with = or :.
func (m *masker) assignments() {
	s := m.s
	for k := 0; k < len(s); k++ {
		c := s[k]
		if c != '=' && c != ':' {
			continue
		}
		if c == ':' && strings.HasPrefix(s[k+1:], "//") {
			continue // a URL scheme; urlPasswords handles userinfo
		}
		if c == '=' && (k+1 < len(s) && s[k+1] == '=' || k > 0 && strings.IndexByte("=!<>", s[k-1]) >= 0) {
			continue // a comparison, not an assignment
		}
		name := keyBefore(s, k)
		if name == "" {
			continue
		}
		strong, weak := secretName(name, false)
		if !strong && !weak {
			continue
		}
		vs, ve := valueAfter(s, k+1)
		if vs == ve {
			continue
		}
		if v := s[vs:ve]; noValue(v) || !strong && harmlessValue(v, c) {
			continue
		}
		m.add(vs, ve)
		k = ve - 1
	}
}

// keyBefore returns the name just before an = or : at k: optional blanks,
// an optional closing quote, then name characters.
func keyBefore(s string, k int) string {
	j := k
	for j > 0 && (s[j-1] == ' ' || s[j-1] == '\t') {
		j--
	}
	if j > 0 && (s[j-1] == '"' || s[j-1] == '\'') {
		j--
	}
	end := j
	for j > 0 && isNameByte(s[j-1]) {
		j--
	}
	return s[j:end]
}

// valueAfter returns the bounds of the value that starts after blanks at
// i: a quoted string's inside, else up to a delimiter.
func valueAfter(s string, i int) (int, int) {
	for i < len(s) && (s[i] == ' ' || s[i] == '\t') {
		i++
	}
	if i < len(s) && (s[i] == '"' || s[i] == '\'') {
		q := s[i]
		i++
		j := i
		for j < len(s) && s[j] != q {
			if s[j] == '\\' && j+1 < len(s) {
				j++
			}
			j++
		}
		if j > len(s) {
			j = len(s)
		}
		return i, j
	}
	j := i
	for j < len(s) && !isValueEnd(s[j]) {
		j++
	}
	return i, j
}

// noValue is a value that says there is no secret: "(using password: NO)"
// in a MySQL error must stay readable.
func noValue(v string) bool {
	switch strings.ToLower(v) {
	case "true", "false", "yes", "no", "null", "nil", "none", "unset", "empty", "redacted",
		"<redacted>", "[redacted]", "(redacted)", "********":
		return true
	}
	return false
}

// harmlessValue is a value that a weakly named key (token, key, pass, auth)
// often has in logs without being a secret: counts, switches, scheme names,
// and after a colon (prose, "token: expired") a plain lower-case word.
func harmlessValue(v string, sep byte) bool {
	switch strings.ToLower(v) {
	case "on", "off", "ok", "[]", "{}", "basic", "bearer", "digest", "oauth", "oauth2", "oidc",
		"jwt", "saml", "ldap", "hmac", "mtls", "tls", "token", "password", "apikey", "api_key":
		return true
	}
	return allBytes(v, 6, isDigit) || allBytes(v, len(v), isPunct) ||
		sep == ':' && allBytes(v, 16, isLowerWordByte)
}

// allBytes reports whether v is at most n bytes, all satisfying ok. A
// short count, bare punctuation ("token=[]" cut at "]") and a plain
// lower-case word in prose ("auth: user logged in") are what weak names
// carry without a secret; generated credentials mix cases and digits.
func allBytes(v string, n int, ok func(byte) bool) bool {
	if len(v) > n {
		return false
	}
	for i := 0; i < len(v); i++ {
		if !ok(v[i]) {
			return false
		}
	}
	return true
}

func isDigit(c byte) bool         { return c >= '0' && c <= '9' }
func isLowerWordByte(c byte) bool { return c >= 'a' && c <= 'z' || c == '-' }
func isPunct(c byte) bool         { return c > ' ' && c < 0x7f && !isWordByte(c) }

// urlPasswords masks the password of scheme://user:password@host.
func (m *masker) urlPasswords() {
	s := m.s
	from := 0
	for {
		i := strings.Index(s[from:], "://")
		if i < 0 {
			return
		}
		i += from + 3
		from = i
		colon := -1
		for j := i; j < len(s); j++ {
			c := s[j]
			if c == '@' {
				if colon >= 0 {
					m.add(colon+1, j)
				}
				from = j + 1
				break
			}
			if c == ':' && colon < 0 {
				colon = j
			}
			if c == '/' || c == '?' || c == '#' || isSpace(c) || c == '"' || c == '\'' || c == '<' || c == '>' {
				break
			}
		}
	}
}

// tokenPrefixes are the fixed prefixes of well-known credential formats and
// how many characters must follow for it to be one.
var tokenPrefixes = []struct {
	prefix string
	min    int
}{
	{"github_pat_", 20}, {"ghp_", 20}, {"gho_", 20}, {"ghu_", 20}, {"ghs_", 20}, {"ghr_", 20},
	{"glpat-", 16}, {"xoxb-", 16}, {"xoxp-", 16}, {"xoxa-", 16}, {"xoxr-", 16}, {"xoxs-", 16},
	{"sk_live_", 16}, {"sk_test_", 16}, {"rk_live_", 16}, {"rk_test_", 16}, {"sk-", 20},
	{"AKIA", 16}, {"ASIA", 16}, {"AIza", 30}, {"npm_", 30}, {"pypi-", 30}, {"hf_", 30},
}

// shapes masks tokens recognisable by their shape wherever they stand.
func (m *masker) shapes() {
	s := m.s
	for i := 0; i < len(s); {
		if !isShapeByte(s[i]) {
			i++
			continue
		}
		j := i
		for j < len(s) && isShapeByte(s[j]) {
			j++
		}
		m.shape(i, j)
		i = j
	}
}

func (m *masker) shape(i, j int) {
	for j > i && m.s[j-1] == '.' {
		j-- // the full stop of a sentence
	}
	w := m.s[i:j]
	for _, p := range tokenPrefixes {
		if len(w) >= len(p.prefix)+p.min && strings.HasPrefix(w, p.prefix) {
			m.add(i+len(p.prefix), j)
			return
		}
	}
	if strings.HasPrefix(w, "eyJ") && len(w) >= 30 && strings.Count(w, ".") == 2 && !strings.Contains(w, "/") {
		m.add(i, j) // a JWT
		return
	}
	if n := strings.Count(w, "/"); n == 3 {
		if k := spriteTokenValue(w); k >= 0 {
			m.add(i+k, j)
			return
		}
	}
	if strings.IndexByte(w, '/') >= 0 {
		// A token inside a path or URL: look at each segment.
		at := i
		for _, seg := range strings.Split(w, "/") {
			if seg != "" {
				m.shape(at, at+len(seg))
			}
			at += len(seg) + 1
		}
	}
}

// spriteTokenValue returns where the value starts when w has the shape of a
// Sprites token, org-slug/org-id/token-id/value, else -1. The value must
// look random (long, letters and digits) so that paths are left alone.
func spriteTokenValue(w string) int {
	last := strings.LastIndexByte(w, '/')
	for _, seg := range strings.Split(w, "/") {
		if seg == "" {
			return -1
		}
		for k := 0; k < len(seg); k++ {
			if c := seg[k]; !(isAlnum(c) || c == '-' || c == '_') {
				return -1
			}
		}
	}
	v := w[last+1:]
	if len(v) < 20 {
		return -1
	}
	var digit, upper, lower bool
	for k := 0; k < len(v); k++ {
		c := v[k]
		digit = digit || c >= '0' && c <= '9'
		upper = upper || c >= 'A' && c <= 'Z'
		lower = lower || c >= 'a' && c <= 'z'
	}
	if !digit || !(upper || lower) || !(upper || len(v) >= 32) {
		return -1
	}
	return last + 1
}

// MaskEnv returns a copy of env in which secret-looking values are "***":
// by the name (a part TOKEN, KEY, SECRET, PASSWORD, PASSWD, PASS, PWD,
// PASSPHRASE, CREDENTIAL(S), AUTH, APIKEY), and by the value's shape
// (MaskSecrets: tokens, Bearer credentials, URL passwords, keys). Empty
// values stay empty so a reader can tell set from unset. nil stays nil.
func MaskEnv(env map[string]string) map[string]string {
	if env == nil {
		return nil
	}
	out := make(map[string]string, len(env))
	for k, v := range env {
		strong, weak := secretName(k, true)
		switch {
		case v == "":
			out[k] = v
		case strong || weak:
			out[k] = mask
		default:
			out[k] = MaskSecrets(v)
		}
	}
	return out
}

// secretName classifies a variable or key name. strong: a part says secret
// (secret, password, credential…), so every value is masked. weak: the last
// part is token, key, pass, auth… (in env mode any part), so values are
// masked unless they are plainly harmless.
func secretName(name string, env bool) (strong, weak bool) {
	parts := nameParts(name)
	if len(parts) == 0 {
		return false, false
	}
	for i, p := range parts {
		switch p {
		case "secret", "secrets", "password", "passwd", "passphrase", "credential", "credentials",
			"apikey", "privatekey", "secretkey", "accesstoken", "refreshtoken", "authtoken":
			return true, false
		}
		if strings.HasSuffix(p, "secret") || strings.HasSuffix(p, "password") || strings.HasSuffix(p, "passwd") {
			return true, false
		}
		if !env && i != len(parts)-1 {
			continue
		}
		switch p {
		case "key":
			// A bare "key" in a log is mostly a map or cache key; api_key,
			// SIGNING_KEY and the like are not.
			weak = weak || env || len(parts) > 1
		case "token", "pass", "pwd", "pw", "auth", "accesskey", "signingkey", "masterkey", "encryptionkey":
			weak = true
		}
		if strings.HasSuffix(p, "token") {
			weak = true
		}
	}
	return false, weak
}

// nameParts splits a name into lower-case parts at _, -, ., blanks and
// camelCase humps, dropping digits at the ends of parts: "GITHUB_TOKEN2"
// is github, token; "clientSecret" is client, secret.
func nameParts(name string) []string {
	var parts []string
	start := -1
	flush := func(end int) {
		if start >= 0 {
			p := strings.TrimRight(strings.ToLower(name[start:end]), "0123456789")
			if p != "" {
				parts = append(parts, p)
			}
			start = -1
		}
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if !isAlnum(c) {
			flush(i)
			continue
		}
		if start >= 0 && c >= 'A' && c <= 'Z' && name[i-1] >= 'a' && name[i-1] <= 'z' {
			flush(i)
		}
		if start < 0 {
			start = i
		}
	}
	flush(len(name))
	return parts
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

func isAlnum(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

func isWordByte(c byte) bool { return isAlnum(c) || c == '_' }

func isNameByte(c byte) bool { return isAlnum(c) || c == '_' || c == '-' || c == '.' }

// isToken68 is the character set of HTTP auth credentials (RFC 7235),
// without the = that may only pad their end.
func isToken68(c byte) bool {
	return isAlnum(c) || strings.IndexByte("-._~+/", c) >= 0
}

func isShapeByte(c byte) bool {
	return isAlnum(c) || c == '_' || c == '-' || c == '.' || c == '/' || c == '+'
}

func isValueEnd(c byte) bool {
	return isSpace(c) || strings.IndexByte(",;&)]}\"'<>", c) >= 0
}
