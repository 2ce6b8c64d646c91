package supervisor

import (
	"bufio"
	"context"
	"errors"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/sprites-mcp/sprites-mcp/internal/wire"
)

// handleLogs streams a service's log file (all of it, or its last `lines`
// lines) as output events, then, for `duration`, its new output.
func (r *Runtime) handleLogs(w http.ResponseWriter, req *http.Request) {
	name := req.PathValue("svc")
	if err := validateName(name); err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	lines := 0
	if v := req.URL.Query().Get("lines"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			writeError(w, http.StatusBadRequest, "lines "+strconv.Quote(v)+" is not a non-negative integer")
			return
		}
		lines = n
	}
	follow, err := window(req, "duration", 0)
	if err != nil {
		writeErr(w, err)
		return
	}
	s := r.lookup(name)
	path := filepath.Join(r.logDir, name+".log")
	var size int64
	var sub *subscription
	if s != nil {
		// Note the size and subscribe in one step: what is in the file up to
		// size came before the subscription, the rest comes through it.
		s.out.mu.Lock()
		size = s.out.logSize()
		if follow > 0 {
			sub = s.out.hub.subscribe()
		}
		s.out.mu.Unlock()
		if sub != nil {
			defer sub.close()
		}
	} else {
		// A deleted service's log stays readable; an unknown one is 404.
		fi, err := os.Stat(path)
		if err != nil {
			writeError(w, http.StatusNotFound, "service "+strconv.Quote(name)+" not found; list services to see the defined ones")
			return
		}
		size = fi.Size()
	}
	st := newNDJSON(w)
	st.begin()
	if err := streamLogFile(req.Context(), st, path, size, lines); err != nil && !errors.Is(err, os.ErrNotExist) {
		st.send(Event{Type: evError, Data: "read log file: " + err.Error(), Timestamp: nowMs()})
	}
	if sub != nil {
		watch(req.Context(), st, sub, nil, follow)
	}
	st.complete(&LogFiles{Combined: path})
}

// streamLogFile sends the lines of path up to size, only the last n when
// n > 0. Memory is bounded whatever the file holds: lines are read in
// pieces of at most maxPieceBytes.
func streamLogFile(ctx context.Context, st *ndjson, path string, size int64, n int) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	if fi, err := f.Stat(); err == nil && fi.Size() < size {
		size = fi.Size() // rotated meanwhile
	}
	from := int64(0)
	if n > 0 {
		var found int
		if from, found, err = wire.TailOffset(f, size, n); err != nil {
			return err
		}
		// Just after a rotation the current file is short: take the rest of
		// the tail from the newest backup.
		if found < n {
			if bak := newestBackup(path); bak != "" {
				if err := streamBackupTail(ctx, st, bak, n-found); err != nil {
					return err
				}
			}
		}
	}
	return streamLines(ctx, st, io.NewSectionReader(f, from, size-from))
}

// streamBackupTail sends the last n lines of a rotated log file.
func streamBackupTail(ctx context.Context, st *ndjson, path string, n int) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return err
	}
	from, _, err := wire.TailOffset(f, fi.Size(), n)
	if err != nil {
		return err
	}
	return streamLines(ctx, st, io.NewSectionReader(f, from, fi.Size()-from))
}

// newestBackup is the most recent rotated file of the log at path
// (logFile names them <name>-<time>.log), or "".
func newestBackup(path string) string {
	ext := filepath.Ext(path)
	prefix := strings.TrimSuffix(path, ext) + "-"
	matches, _ := filepath.Glob(prefix + "*" + ext)
	var best string
	var bestT time.Time
	for _, m := range matches {
		stamp := strings.TrimSuffix(strings.TrimPrefix(m, prefix), ext)
		// The time format proves the file is a backup of this log, not the
		// log of a service whose name merely starts the same way.
		t, err := time.Parse("2006-01-02T15-04-05.000", stamp)
		if err == nil && t.After(bestT) {
			best, bestT = m, t
		}
	}
	return best
}

// streamLines sends each line of r as an event; memory stays bounded
// whatever the line lengths.
func streamLines(ctx context.Context, st *ndjson, r io.Reader) error {
	br := bufio.NewReaderSize(r, maxPieceBytes+256)
	for {
		line, err := br.ReadSlice('\n')
		if len(line) > 0 {
			st.send(parseLogLine(line))
			if st.err != nil || ctx.Err() != nil {
				return nil
			}
		}
		if err == bufio.ErrBufferFull {
			continue
		}
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
	}
}

// parseLogLine turns a line of the log file, with its newline, back into
// an output event. A line without a stream tag (written by something else)
// is stdout.
func parseLogLine(line []byte) Event {
	l := wire.ParseLogLine(line)
	ev := Event{Type: l.Stream, Data: string(l.Text)}
	if ev.Type == "" {
		ev.Type = evStdout
	}
	if !l.Time.IsZero() {
		ev.Timestamp = l.Time.UnixMilli()
	}
	return ev
}
