//go:build linux || darwin

package supervisor

// The watchdog ends the services of a runtime that was killed (SIGKILL, a
// crash, the OOM killer), on every unix: macOS has no Pdeathsig, and on
// Linux Pdeathsig reaches only the leader of a group, not what it forked.
//
// It is this same binary, started again by the runtime (lifeline.go) with
// watchdogEnv set. Its stdin is the read end of a pipe whose write end only
// the runtime holds (close-on-exec keeps it out of every service), so
// end-of-file there means the runtime is gone, however it went. Over that
// pipe the runtime tells it each process group as it starts ("+ pgid pid
// start") and as it ends ("- pgid"); at end-of-file it ends the groups it
// still knows, with the same care as the next runtime's boot
// (killLeftovers): only members of the recorded group that started no
// earlier than the recorded leader, TERM, then KILL after a grace.

import (
	"bufio"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
)

const (
	// watchdogEnv, set to watchdogProtocol, makes a binary that links this
	// package run as a watchdog instead of doing what it does (see init).
	watchdogEnv = "SPRITES_MCP_WATCHDOG"
	// watchdogOwnerEnv names the runtime's pid, which names the run tags
	// of its services (escape.go). It is passed, not read as our parent's
	// pid: a runtime killed while its watchdog is still starting has
	// already handed it to another parent.
	watchdogOwnerEnv = "SPRITES_MCP_WATCHDOG_OWNER"
	watchdogProtocol = "1"
	// maxWatched bounds the groups a watchdog keeps; a runtime has far
	// fewer services.
	maxWatched = 1 << 16
)

// init turns the process into a watchdog when the runtime started it as
// one. It is an init function, not a call in main, so that every binary
// linking the runtime — sprites-mcp and its test binaries alike — can serve
// as its own watchdog, and no main can forget the call and start a second
// MCP server reading the lifeline as JSON-RPC.
//
// Any other value of watchdogEnv (a runtime of another version, speaking
// another protocol, started this binary) ends the process at once, rather
// than letting it run as an MCP server on the lifeline.
func init() {
	v, ok := os.LookupEnv(watchdogEnv)
	if !ok {
		return
	}
	if v != watchdogProtocol {
		fmt.Fprintf(os.Stderr, "sprites-mcp watchdog: protocol %q asked, this binary speaks %q\n", v, watchdogProtocol)
		os.Exit(2)
	}
	owner, err := strconv.Atoi(os.Getenv(watchdogOwnerEnv))
	if err != nil || owner <= 1 {
		owner = os.Getppid() // a runtime that did not say: its parent, if still alive
	}
	// Its only way out is the end of the lifeline: the signals a terminal,
	// a closed pipe or a `kill` of every sprites-mcp sends are ignored, so
	// that it outlives the runtime it watches. Here, not in watchdogMain:
	// an ignored signal stays ignored in every process forked and exec'd
	// after, and the tests run watchdogMain in a process that then starts
	// services (a TERM to them went unheard).
	signal.Ignore(syscall.SIGINT, syscall.SIGHUP, syscall.SIGTERM, syscall.SIGQUIT, syscall.SIGPIPE)
	os.Exit(watchdogMain(os.Stdin, os.Stderr, owner))
}

// watchdogMain reads the lifeline until it breaks, then ends the groups it
// still knows.
func watchdogMain(lifeline io.Reader, logTo io.Writer, owner int) int {
	log := slog.New(slog.NewTextHandler(logTo, nil)).With("watchdog", os.Getpid())
	groups := map[int]procRecord{}
	sc := bufio.NewScanner(lifeline)
	for sc.Scan() {
		if err := applyLifelineLine(groups, sc.Text()); err != nil {
			log.Error("ignoring a lifeline message", "err", err)
		}
	}
	if err := sc.Err(); err != nil {
		log.Error("read the lifeline", "err", err)
	}
	if len(groups) == 0 {
		return 0
	}
	recs := make([]procRecord, 0, len(groups))
	for _, rec := range groups {
		recs = append(recs, rec)
	}
	log.Warn("the runtime is gone: ending the services it left", "groups", len(recs))
	killLeftovers(recs, log)
	// Then what left the groups since the runtime's last scan.
	killTagged(owner, log)
	return 0
}

// lifelineAdd and lifelineRemove are the two messages, one per line.
func lifelineAdd(rec procRecord) string {
	return fmt.Sprintf("+ %d %d %d\n", rec.PGID, rec.PID, rec.StartTime)
}

func lifelineRemove(pgid int) string { return fmt.Sprintf("- %d\n", pgid) }

// applyLifelineLine applies one message to groups; a bad one changes
// nothing.
func applyLifelineLine(groups map[int]procRecord, line string) error {
	f := strings.Fields(line)
	num := func(s string) (uint64, error) { return strconv.ParseUint(s, 10, 63) }
	switch {
	case len(f) == 4 && f[0] == "+":
		pgid, err1 := num(f[1])
		pid, err2 := num(f[2])
		start, err3 := num(f[3])
		if err1 != nil || err2 != nil || err3 != nil || pgid <= 1 || pid <= 1 || pgid > 1<<31 || pid > 1<<31 {
			return fmt.Errorf("bad group %q", line)
		}
		if _, known := groups[int(pgid)]; !known && len(groups) >= maxWatched {
			return fmt.Errorf("more than %d groups: %q not watched", maxWatched, line)
		}
		groups[int(pgid)] = procRecord{PID: int(pid), PGID: int(pgid), StartTime: start}
	case len(f) == 2 && f[0] == "-":
		pgid, err := num(f[1])
		if err != nil || pgid > 1<<31 {
			return fmt.Errorf("bad group %q", line)
		}
		delete(groups, int(pgid))
	default:
		return fmt.Errorf("unknown message %q", line)
	}
	return nil
}
