package present

import (
	"regexp"

	"github.com/sprites-mcp/sprites-mcp/client"
	"github.com/sprites-mcp/sprites-mcp/internal/summary"
)

// stopSignature is how runtimes word a process ended by SIGTERM ("exited
// with code 143" per SPRITES_SERVICES_API.md, "exit status 143" from Go's
// os/exec, "signal: terminated"): 143 is 128+15. It is matched as
// a whole phrase, never a bare "143", which would misfire on a port or a
// path that contains it.
var stopSignature = regexp.MustCompile(`(?i)\bexit(?:ed with)? (?:code|status) 143\b|\bsignal: terminated\b`)

// StoppedByRequest reports the runtime's way of saying "stopped as asked"
// that some runtimes use: failed, ended by SIGTERM, no restart pending. A
// crash would have a restart scheduled; a requested stop never does,
// because stops are sticky.
func StoppedByRequest(st client.State) bool {
	if st.Status != client.StatusFailed || !st.NextRestartAt.IsZero() {
		return false
	}
	return stopSignature.MatchString(summary.StripANSI(st.Error))
}
