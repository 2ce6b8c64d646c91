package supervisor

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// secretEnv are our own credentials: a service an agent starts must never
// read them.
var secretEnv = []string{"SPRITES_TOKEN", "SPRITE_TOKEN", "SPRITES_MCP_AUTH_TOKEN"}

// proc is one run of a service: a process group led by the process we
// started. Its fields are set before spawn returns and never change, except
// the exit fields, which are written before done is closed.
type proc struct {
	pid       int // also the process group id (Setpgid)
	startTime uint64
	started   time.Time
	// done is closed once the leader is reaped, the group is empty and the
	// output is drained (or cut off): nothing of this run is left.
	done chan struct{}
	// installed is closed once the service records this run as its current
	// one; the exit is reported only after that, so a process that dies at
	// once is never missed.
	installed chan struct{}
	// stopRequested marks an exit we asked for: it is a stop, not a crash.
	stopRequested atomic.Bool
	// exited says the leader's exit was seen (awaitExit, waitExit) and it
	// is not reaped yet: its entry in a table is known, a zombie.
	exited atomic.Bool
	// sigMu and reaped close the window in which a signal meant for this
	// run could reach a later process group with the same id: the leader
	// is kept unreaped (a zombie, whose pid — and so whose group id — no
	// process can take) until its group is empty, and every signal to the
	// group is sent under sigMu read-locked, checking reaped, which the
	// reaper sets, write-locked, just before it reaps the leader.
	sigMu  sync.RWMutex
	reaped bool
	// tag marks every process of the run (runTagEnv; escape.go).
	tag string
	// escMu guards escaped (pid → start time: processes of the run found
	// outside its group) and escGroups (their groups, told the watchdog).
	escMu     sync.Mutex
	escaped   map[int]uint64
	escGroups map[int]bool
	escEnded  bool // the run is over: no more groups for the watchdog
	exitCode  int
	exitDesc  string
}

// record is what state.json keeps of the run, to end it after a crash of
// the runtime.
func (p *proc) record() procRecord {
	return procRecord{PID: p.pid, PGID: p.pid, StartTime: p.startTime, Boot: thisBoot()}
}

// thisBoot names the machine's current boot (bootID), read once.
var thisBoot = sync.OnceValue(bootID)

// spawnSpec is everything needed to start a run.
type spawnSpec struct {
	def        definition
	target     *execTarget // resolved already by a preflight, or nil
	home       string
	out        *output
	crashGrace time.Duration // how long members of a crashed group get between TERM and KILL
	// parentDeath asks for Pdeathsig where the OS has it (Linux): tests
	// switch it off to run the path macOS takes.
	parentDeath bool
	watch       *lifeline // the watchdog to tell of each group; nil for none
	onExit      func(*proc)
}

// serviceEnv is the inherited environment without our secrets, with the
// service's env laid over it.
func serviceEnv(extra map[string]string) []string {
	base := os.Environ()
	env := make([]string, 0, len(base)+len(extra))
	for _, kv := range base {
		k, _, _ := strings.Cut(kv, "=")
		if _, over := extra[k]; over {
			continue
		}
		secret := false
		for _, s := range secretEnv {
			secret = secret || k == s
		}
		if !secret {
			env = append(env, kv)
		}
	}
	for k, v := range extra {
		env = append(env, k+"="+v)
	}
	return env
}

// execTarget is where and what a run execs: its working directory and the
// command's path, resolved once (preflight).
type execTarget struct {
	dir, path string
}

// preflight checks what an exec would refuse up front, with the words
// spawn uses: the working directory (def.Dir, else home) and the command
// (found on PATH, or, with a slash, an executable file, relative to the
// working directory). spawn execs what it resolved, so the command is
// looked up once per run; a start that answers before its exec (duration
// 0) calls it to report these at once, and its exec uses that answer
// (startRun.target), even when it comes later, after the needs.
func preflight(def definition, home string) (execTarget, error) {
	dir := def.Dir
	if dir == "" {
		dir = home
	}
	if fi, err := os.Stat(dir); err != nil {
		return execTarget{}, fmt.Errorf("working directory %q: %w", dir, err)
	} else if !fi.IsDir() {
		return execTarget{}, fmt.Errorf("working directory %q is not a directory", dir)
	}
	path := def.Cmd
	if strings.ContainsRune(path, '/') && !filepath.IsAbs(path) {
		path = filepath.Join(dir, path)
	}
	path, err := commands.lookPath(path, time.Now())
	if err != nil {
		return execTarget{}, fmt.Errorf("exec %q: %w", def.Cmd, unwrapExec(err))
	}
	return execTarget{dir: dir, path: path}, nil
}

// commands remembers where commands were found on PATH.
var commands = &pathMemo{found: map[pathKey]pathFound{}}

// pathMemo is exec.LookPath with a memory of pathMemoFor. Creating many
// services of one command in a row looked it up in every directory of
// PATH for each (thirteen directories on this machine, a stat and an
// access check each); a command found a moment ago is checked again where
// it was found instead (one stat and one access check), and looked up
// afresh once pathMemoFor has passed, so that a command installed meanwhile
// in an earlier directory of PATH is found within that time. A name with
// a slash is not looked up on PATH and is not remembered.
type pathMemo struct {
	mu    sync.Mutex
	found map[pathKey]pathFound
}

type pathKey struct{ name, pathEnv string }

type pathFound struct {
	path string
	at   time.Time
}

const (
	pathMemoFor  = time.Second
	maxPathMemos = 64
)

func (m *pathMemo) lookPath(name string, now time.Time) (string, error) {
	if strings.ContainsRune(name, '/') {
		return exec.LookPath(name)
	}
	key := pathKey{name, os.Getenv("PATH")}
	m.mu.Lock()
	f, ok := m.found[key]
	m.mu.Unlock()
	if ok && now.Sub(f.at) < pathMemoFor {
		if _, err := exec.LookPath(f.path); err == nil {
			return f.path, nil
		}
	}
	path, err := exec.LookPath(name)
	if err != nil || !filepath.IsAbs(path) {
		return path, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if len(m.found) >= maxPathMemos {
		clear(m.found)
	}
	m.found[key] = pathFound{path: path, at: now}
	return path, nil
}

// unwrapExec drops the "exec: ", "fork/exec path: " and "stat path: "
// prefixes that we replace with our own.
func unwrapExec(err error) error {
	for {
		switch e := err.(type) {
		case *os.PathError:
			err = e.Err
		case *exec.Error:
			err = e.Err
		default:
			return err
		}
	}
}
