package supervisor

import (
	"errors"
	"log/slog"
	"os"
	"sync"
	"time"

	"github.com/sprites-mcp/sprites-mcp/internal/wire"
)

// output is where a service's output goes: its rotated log file and the
// streams watching it. The log write and the publish of a chunk happen under
// one mutex, so a log reader that notes the file size and subscribes under
// that mutex sees every line exactly once.
type output struct {
	mu   sync.Mutex
	file *logFile
	path string
	hub  hub
	log  *slog.Logger
	// failing is set while writes to the log fail (a full disk): the
	// failure is reported once, and its end once.
	failing bool
}

// partialFlushAfter is how long a partial line (a prompt, a progress bar)
// may wait, after the latest output, for its newline before it is emitted
// anyway.
const partialFlushAfter = 250 * time.Millisecond

func newOutput(path string, maxMB int, log *slog.Logger) *output {
	return &output{path: path, file: newLogFile(path, maxMB, 3), log: log}
}

// close closes the log file (a later write opens it again).
func (o *output) close() {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.file.Close()
}

// write appends a batch of log lines and publishes their events.
func (o *output) write(lines []byte, evs []hubEvent) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if len(lines) > 0 {
		// A full disk must not stop the service; the stream still gets the
		// output, and the failure is reported once, not once per line.
		_, err := o.file.Write(lines)
		switch {
		case err != nil && !o.failing:
			o.failing = true
			o.log.Error("cannot write a service's log: its output goes to streams only until writes succeed again; the service keeps running",
				"log", o.path, "err", err)
		case err == nil && o.failing:
			o.failing = false
			o.log.Info("writing a service's log again", "log", o.path)
		}
	}
	for _, ev := range evs {
		o.hub.publish(ev)
	}
}

// logSize returns the current log file's size, with o.mu held by the caller.
func (o *output) logSize() int64 {
	fi, err := os.Stat(o.path)
	if err != nil {
		return 0
	}
	return fi.Size()
}

// readBufs holds read buffers between reads: an idle service (most are)
// holds none, so 200 quiet services cost no 12 MiB of buffers.
var readBufs = sync.Pool{New: func() any { b := make([]byte, 32<<10); return &b }}

// pump copies one pipe of run p into the log and the hub until the pipe
// closes, in pieces of bounded size (see splitter).
func (o *output) pump(f *os.File, stream EventType, p *proc) {
	var sp splitter
	var lines []byte
	var evs []hubEvent
	var header []byte // the log-line header of this read's lines
	var ts int64
	emit := func(piece []byte, eol bool) {
		text := piece
		if eol {
			text = piece[:len(piece)-1]
		}
		lines = append(lines, header...)
		lines = append(lines, text...)
		lines = append(lines, '\n')
		evs = append(evs, hubEvent{Event: Event{Type: stream, Data: string(piece), Timestamp: ts}, run: p})
	}
	send := func() {
		if len(lines) > 0 || len(evs) > 0 {
			o.write(lines, evs)
		}
		lines, evs = lines[:0], nil
		if cap(lines) > 256<<10 {
			lines = nil // do not keep a flood's buffer for the life of the service
		}
	}
	now := func() {
		t := time.Now()
		header, ts = wire.AppendLogHeader(header[:0], t, stream), t.UnixMilli()
	}
	rc, err := f.SyscallConn()
	if err != nil {
		return
	}
	waiting := false // a read deadline is set for a partial line
	for {
		// Take a buffer only once the pipe is readable: the callback runs
		// when the poller says so, and returning false waits again.
		eof := false
		var rerr error
		err := rc.Read(func(fd uintptr) bool {
			bp := readBufs.Get().(*[]byte)
			defer readBufs.Put(bp)
			n, again, e := readFD(fd, *bp)
			switch {
			case again:
				return false
			case e != nil:
				rerr = e
			case n == 0:
				eof = true
			default:
				now()
				sp.feed((*bp)[:n], emit)
				send()
			}
			return true
		})
		if errors.Is(err, os.ErrDeadlineExceeded) {
			now()
			sp.flush(emit)
			send()
			_ = f.SetReadDeadline(time.Time{})
			waiting = false
			continue
		}
		if err != nil || rerr != nil || eof {
			break
		}
		if sp.pending() {
			// Measured from the latest data, not from the first partial
			// read: steady output read in blocks that end mid-line must
			// not have its lines cut in two by the flush.
			_ = f.SetReadDeadline(time.Now().Add(partialFlushAfter))
			waiting = true
		} else if waiting {
			_ = f.SetReadDeadline(time.Time{})
			waiting = false
		}
	}
	now()
	sp.flush(emit)
	send()
}
