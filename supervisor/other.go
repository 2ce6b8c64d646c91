//go:build !linux && !darwin

package supervisor

import (
	"errors"
	"log/slog"
	"os"
	"syscall"
	"time"
)

// The runtime runs on Linux and macOS (process groups, flock, the
// watchdog). Elsewhere — Windows first — New fails with this error and
// nothing else runs; the rest of sprites-mcp (the public API, a Sprite's
// socket, a runtime elsewhere) works. The Windows plan (job objects) is in
// docs/ARCHITECTURE.md.
var errUnsupported = errors.New("the embedded local runtime runs on Linux and macOS only: set SPRITES_TOKEN to use Sprites, or --api to point at another Services API (a URL, or unix:///path.sock)")

// maxSocketPath is never reached: New fails first.
const maxSocketPath = 107

func lockDir(string) (*os.File, error)           { return nil, errUnsupported }
func spawn(spawnSpec) (*proc, error)             { return nil, errUnsupported }
func terminate(*proc, time.Duration) error       { return errUnsupported }
func signalRun(*proc, syscall.Signal) error      { return errUnsupported }
func lookupSignal(string) (syscall.Signal, bool) { return 0, false }
func killLeftovers([]procRecord, *slog.Logger)   {}
func bootID() string                             { return "" }

// lifeline has no watchdog here: there are no services to watch.
type lifeline struct{}

func newLifeline(string, string, *slog.Logger) *lifeline { return nil }
func (*lifeline) close()                                 {}
