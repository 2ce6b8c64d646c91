package client

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"time"
)

// SpriteLogDir is where a Sprite's runtime writes service logs: one
// combined <svc>.log per service (<svc>.stdout.log and <svc>.stderr.log on
// older runtimes). A client of a unix:// base in the socket path style
// reads logs from here when the socket has no logs route.
const SpriteLogDir = "/.sprite/logs/services"

// WithLogDir sets the directory of service log files that Logs reads when
// the API has no logs route (it answers "404 page not found"), as the
// socket inside a Sprite does. The stream then carries the same events as
// the route's, and its Note says they were read from the files. An empty
// dir turns the fallback off. Without this option, a unix:// base in the
// socket path style uses SpriteLogDir and other bases have no fallback.
func WithLogDir(dir string) Option {
	return func(c *Client) { c.logDir, c.logDirSet = dir, true }
}

// LogDir returns the directory Logs falls back to, "" when it has none.
func (c *Client) LogDir() string { return c.logDir }

// logsFromFiles is Logs for a runtime without the logs route: it reads the
// service's log files in the log directory.
func (c *Client) logsFromFiles(ctx context.Context, sprite, service string, o LogsOptions) (*Stream, error) {
	dir := c.logDir
	combined := newLogFile(filepath.Join(dir, service+".log"), EventStdout, c.maxData)
	stdout := newLogFile(filepath.Join(dir, service+".stdout.log"), EventStdout, c.maxData)
	stderr := newLogFile(filepath.Join(dir, service+".stderr.log"), EventStderr, c.maxData)
	src := &fileLogSource{poll: logPollInterval, tailing: true, follow: o.Follow > 0}
	note := "the API has no logs route: read from " + combined.path
	fail := func(err error) (*Stream, error) {
		for _, f := range []*logFile{combined, stdout, stderr} {
			f.close()
		}
		return nil, fmt.Errorf("read logs of service %q from %s: %w (check that this process may read it)", service, dir, err)
	}

	if err := combined.open(); err != nil {
		return fail(err)
	}
	switch {
	case combined.exists():
		// The current layout wins: old files beside it are stale.
		src.files, src.paths = []*logFile{combined}, LogFiles{Combined: combined.path}
	default:
		for _, f := range []*logFile{stdout, stderr} {
			if err := f.open(); err != nil {
				return fail(err)
			}
		}
		if stdout.exists() || stderr.exists() {
			// The old layout; a file missing now is still watched when
			// following, in case it appears.
			src.files = []*logFile{stdout, stderr}
			var read []string
			if stdout.exists() {
				src.paths.Stdout = stdout.path
				read = append(read, stdout.path)
			}
			if stderr.exists() {
				src.paths.Stderr = stderr.path
				read = append(read, stderr.path)
			}
			note = "the API has no logs route: read from " + strings.Join(read, " and ")
			break
		}
		// No file at all: a service with no output yet, or no service.
		// Only the API can tell; a log file outlives its service, so this
		// is asked only when there is none.
		if err := c.serviceExists(ctx, sprite, service, dir); err != nil {
			return nil, err // no file was opened
		}
		src.files, src.paths = []*logFile{combined}, LogFiles{Combined: combined.path}
		note = "the API has no logs route and the service has no log file yet at " + combined.path
	}

	if o.Lines > 0 {
		total := 0
		for _, f := range src.files {
			n, err := f.tail(o.Lines)
			if err != nil {
				return fail(err)
			}
			total += n
		}
		// Each file's last n lines hold the merged last n; the merge
		// drops the surplus from the front.
		src.skip = max(total-o.Lines, 0)
	}
	src.heads = make([]*Event, len(src.files))
	src.drained = make([]bool, len(src.files))

	follow := max(o.Follow, 0)
	cause := &StreamDeadlineError{Op: "read logs", Window: follow, Margin: c.margin}
	sctx, cancel := context.WithTimeoutCause(ctx, follow+c.margin, cause)
	src.ctx = sctx
	src.until = time.Now().Add(follow)
	return &Stream{src: src, body: src, cancel: cancel, ctx: sctx, maxData: c.maxData, Note: note}, nil
}

// serviceExists asks the API about a service that has no log file: nil
// when it is defined, the API's not-found (as a "read logs" error) when it
// is not, and a wrapped error when the API could not say.
func (c *Client) serviceExists(ctx context.Context, sprite, service, dir string) error {
	_, err := c.Get(ctx, sprite, service)
	if err == nil {
		return nil
	}
	var ae *APIError
	if errors.As(err, &ae) && IsNotFound(err) && !IsRouteNotFound(err) {
		nf := *ae
		nf.Op = "read logs"
		return &nf
	}
	return fmt.Errorf("read logs of service %q: no log file in %s, and looking the service up failed: %w", service, dir, err)
}
