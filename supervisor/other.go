//go:build !linux

package supervisor

import (
	"errors"
	"log/slog"
	"os"
	"syscall"
	"time"
)

// The runtime relies on Linux: process groups swept through /proc,
// Pdeathsig, flock. Elsewhere New fails with this error and nothing else
// runs; the rest of sprites-mcp (the public API, a Sprite's socket) works.
var errUnsupported = errors.New("the embedded local runtime runs on Linux only: set SPRITES_TOKEN to use Sprites, or --api to point at a runtime")

func lockDir(string) (*os.File, error)           { return nil, errUnsupported }
func spawn(spawnSpec) (*proc, error)             { return nil, errUnsupported }
func terminate(*proc, time.Duration) error       { return errUnsupported }
func signalRun(*proc, syscall.Signal) error      { return errUnsupported }
func lookupSignal(string) (syscall.Signal, bool) { return 0, false }
func killLeftovers([]procRecord, *slog.Logger)   {}
