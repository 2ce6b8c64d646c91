package client

import "strings"

// The environment variables the API's own tools read.
const (
	EnvToken    = "SPRITES_TOKEN"   // the bearer token
	EnvTokenAlt = "SPRITE_TOKEN"    // also seen in the wild; EnvToken wins
	EnvAPIURL   = "SPRITES_API_URL" // overrides DefaultBaseURL
)

// TokenFromEnv returns the bearer token from SPRITES_TOKEN, else
// SPRITE_TOKEN, else "". getenv is usually os.Getenv; taking it as an
// argument keeps configuration testable.
func TokenFromEnv(getenv func(string) string) string {
	if t := strings.TrimSpace(getenv(EnvToken)); t != "" {
		return t
	}
	return strings.TrimSpace(getenv(EnvTokenAlt))
}

// BaseURLFromEnv returns SPRITES_API_URL, else DefaultBaseURL.
func BaseURLFromEnv(getenv func(string) string) string {
	if u := strings.TrimSpace(getenv(EnvAPIURL)); u != "" {
		return u
	}
	return DefaultBaseURL
}
