package resources

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"

	"github.com/sprites-mcp/sprites-mcp/internal/config"
	"github.com/sprites-mcp/sprites-mcp/internal/wire"
)

// The URI surface of the resources (docs/ARCHITECTURE.md). These strings
// are a contract.
const (
	scheme = "sprites://"

	templateList    = "sprites://{sprite}/services"
	templateService = "sprites://{sprite}/services/{service_name}"
	templateLogs    = "sprites://{sprite}/services/{service_name}/logs{?lines}"
)

// expectedShapes is said in every malformed-URI error, so a caller learns
// the accepted forms from the mistake itself.
const expectedShapes = "expected sprites://{sprite}/services, sprites://{sprite}/services/{service_name} " +
	"or sprites://{sprite}/services/{service_name}/logs?lines=N (N from 1 to 2000)"

type kind int

const (
	kindList kind = iota + 1
	kindService
	kindLogs
)

// ref is one of our resources, parsed from its URI.
type ref struct {
	kind    kind
	sprite  string
	service string // empty for kindList
	lines   int    // kindLogs only: config.DefaultLogLines unless the URI says
}

// validSprite and validService report whether a name passes the one name
// rule (wire.ValidateName): only such names can be in our URIs.
func validSprite(name string) bool  { return wire.ValidateName(wire.KindSprite, name) == nil }
func validService(name string) bool { return wire.ValidateName(wire.KindService, name) == nil }

// malformedError is a URI that names none of our resources. It counts as
// "not found" for the protocol: there is no such resource.
type malformedError struct {
	uri    string
	reason string
}

func (e *malformedError) Error() string {
	return fmt.Sprintf("malformed resource URI %q: %s; %s", e.uri, e.reason, expectedShapes)
}

// parseURI parses one of our resource URIs strictly: everything it accepts
// is matched by one of the registered templates, so a URI that passes here
// is served, and one that fails gets an error that says why.
func parseURI(raw string) (ref, error) {
	bad := func(format string, args ...any) (ref, error) {
		return ref{}, &malformedError{uri: raw, reason: fmt.Sprintf(format, args...)}
	}
	rest, ok := strings.CutPrefix(raw, scheme)
	if !ok {
		return bad("the scheme must be sprites://")
	}
	path, query, hasQuery := strings.Cut(rest, "?")
	if strings.Contains(path, "#") {
		return bad("fragments are not part of these URIs")
	}
	segs := strings.Split(path, "/")
	if len(segs) < 2 || segs[1] != "services" {
		return bad("the path must start with {sprite}/services")
	}
	r := ref{sprite: segs[0]}
	// Names are held to the one rule of the client and the runtime
	// (wire.ValidateName); it is also what the URI templates can match
	// (RFC 6570 simple expansion admits only unreserved characters).
	if err := wire.ValidateName(wire.KindSprite, r.sprite); err != nil {
		return bad("%v", err)
	}
	switch {
	case len(segs) == 2:
		r.kind = kindList
	case len(segs) == 3:
		r.kind = kindService
		r.service = segs[2]
	case len(segs) == 4 && segs[3] == "logs":
		r.kind = kindLogs
		r.service = segs[2]
		r.lines = config.DefaultLogLines
	default:
		return bad("unexpected path after {sprite}/services")
	}
	if r.kind != kindList {
		if err := wire.ValidateName(wire.KindService, r.service); err != nil {
			return bad("%v", err)
		}
	}
	if !hasQuery {
		return r, nil
	}
	if r.kind != kindLogs {
		return bad("only the logs resource takes a query (?lines=N)")
	}
	lines, err := parseLines(query)
	if err != nil {
		return bad("%v", err)
	}
	r.lines = lines
	return r, nil
}

// parseLines reads the query of a logs URI: exactly "lines=N".
func parseLines(query string) (int, error) {
	vals, err := url.ParseQuery(query)
	if err != nil {
		return 0, fmt.Errorf("query %q does not parse: %w", query, err)
	}
	for k := range vals {
		if k != "lines" {
			return 0, fmt.Errorf("unknown query parameter %q (the only one is lines)", k)
		}
	}
	v := vals["lines"]
	if len(v) != 1 {
		return 0, fmt.Errorf("give lines once, as lines=N")
	}
	n, err := strconv.Atoi(v[0])
	if err != nil || n < 1 || n > config.MaxLogLines {
		return 0, fmt.Errorf("lines must be a whole number from 1 to %d (default %d); got %q", config.MaxLogLines, config.DefaultLogLines, v[0])
	}
	return n, nil
}

// SpriteOf names the sprite a resource URI is about, for access checks
// outside this package. It is built on parseURI so the check and the
// server agree on what a URI means: ok is false for anything parseURI
// refuses, including every malformed sprites:// URI, and a caller doing
// a security check should refuse those.
func SpriteOf(uri string) (sprite string, ok bool) {
	r, err := parseURI(uri)
	if err != nil {
		return "", false
	}
	return r.sprite, true
}
