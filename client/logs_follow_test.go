package client

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"gopkg.in/natefinch/lumberjack.v2"
)

// Following reads the log files with polls every logPollInterval; the
// tests leave several intervals between steps and check outcomes, with
// upper bounds of seconds, so a loaded 2-core machine does not fail them.

// arrival is an event and when Next returned it.
type arrival struct {
	Event
	at time.Time
}

// readAll reads a stream to its end, noting when each event came.
func readAll(st *Stream) ([]arrival, error) {
	defer st.Close()
	var out []arrival
	for st.Next() {
		out = append(out, arrival{st.Event(), time.Now()})
	}
	return out, st.Err()
}

// texts is the data of the output events, for comparing orders.
func texts(evs []arrival) []string {
	var out []string
	for _, e := range evs {
		if e.Type.IsOutput() {
			out = append(out, string(e.Type)+":"+e.Data)
		}
	}
	return out
}

func TestLogsFollowPicksUpAppendedLines(t *testing.T) {
	_, c, dir := spriteSocket(t)
	path := filepath.Join(dir, "web.log")
	writeLog(t, path, diskLine(logStamp, EventStdout, "old 1")+diskLine(logStamp, EventStdout, "old 2"))
	const follow = 2 * time.Second
	start := time.Now()
	st, err := c.Logs(context.Background(), "", "web", LogsOptions{Lines: 1, Follow: follow})
	if err != nil {
		t.Fatal(err)
	}
	wrote := make(chan time.Time, 1)
	go func() {
		time.Sleep(400 * time.Millisecond)
		appendLog(t, path, diskLine(logStamp, EventStderr, "new 1"))
		wrote <- time.Now()
		time.Sleep(300 * time.Millisecond)
		// A line written in two goes arrives whole.
		appendLog(t, path, "2026-06-02T17:11:17.821Z [stdout] new ")
		time.Sleep(400 * time.Millisecond)
		appendLog(t, path, "2\n2026-06-02T17:11:17.821Z [stdout] unfinished")
		close(wrote)
	}()
	evs, err := readAll(st)
	elapsed := time.Since(start)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"stdout:old 2\n", "stderr:new 1\n", "stdout:new 2\n", "stdout:unfinished"}
	if got := texts(evs); strings.Join(got, "|") != strings.Join(want, "|") {
		t.Fatalf("followed lines = %q; want %q", got, want)
	}
	if last := evs[len(evs)-1]; last.Type != EventComplete || last.LogFiles.Combined != path {
		t.Errorf("last event = %+v; want complete naming %s", last.Event, path)
	}
	// The first appended line arrived within a few polls of its writing.
	if lag := evs[1].at.Sub(<-wrote); lag > 2*time.Second {
		t.Errorf("an appended line took %s to arrive", lag)
	}
	// It stops when the window ends, not before and not much after.
	if elapsed < follow || elapsed > follow+3*time.Second {
		t.Errorf("following %s took %s", follow, elapsed)
	}
}

// Rotation (rename, new file) and truncation in place during a follow:
// nothing written is lost or repeated.
func TestLogsFollowAcrossRotationAndTruncation(t *testing.T) {
	_, c, dir := spriteSocket(t)
	path := filepath.Join(dir, "web.log")
	writeLog(t, path, diskLine(logStamp, EventStdout, "a"))
	st, err := c.Logs(context.Background(), "", "web", LogsOptions{Follow: 4 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	if !st.Next() || st.Event().Data != "a\n" {
		t.Fatalf("first event = %+v, err %v", st.Event(), st.Err())
	}
	pause := func() { time.Sleep(3 * logPollInterval) }
	done := make(chan error, 1)
	go func() {
		pause()
		// The writer's last words to the old file, then the rename and
		// a new file, as a size-rotating logger does.
		appendLog(t, path, diskLine(logStamp, EventStdout, "b, last of the old file"))
		if err := os.Rename(path, path+".1"); err != nil {
			done <- err
			return
		}
		writeLog(t, path, diskLine(logStamp, EventStdout, "c, first of the new file")+diskLine(logStamp, EventStdout, "d"))
		pause()
		// Truncated in place (copytruncate), then a shorter line.
		if err := os.Truncate(path, 0); err != nil {
			done <- err
			return
		}
		appendLog(t, path, diskLine(logStamp, EventStdout, "e"))
		done <- nil
	}()
	rest, err := readAll(st)
	if werr := <-done; werr != nil {
		t.Fatal(werr)
	}
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"stdout:b, last of the old file\n", "stdout:c, first of the new file\n", "stdout:d\n", "stdout:e\n"}
	if got := texts(rest); strings.Join(got, "|") != strings.Join(want, "|") {
		t.Fatalf("lines across rotation = %q; want %q", got, want)
	}
	if !st.Complete() {
		t.Error("no complete event after the follow")
	}
}

// Close from another goroutine ends a Next that waits for lines at once,
// and leaves no goroutine and no open file behind.
func TestLogsCloseMidFollowLeavesNothing(t *testing.T) {
	_, c, dir := spriteSocket(t)
	path := filepath.Join(dir, "web.log")
	writeLog(t, path, diskLine(logStamp, EventStdout, "a"))
	st, err := c.Logs(context.Background(), "", "web", LogsOptions{Follow: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	if !openFiles(t, path) {
		t.Fatal("the log file is not open while following (the check below would prove nothing)")
	}
	if !st.Next() {
		t.Fatal(st.Err())
	}
	ended := make(chan bool)
	go func() { ended <- st.Next() }()
	time.Sleep(2 * logPollInterval) // it is waiting between polls by now
	closed := time.Now()
	st.Close()
	select {
	case more := <-ended:
		if more {
			t.Error("Next returned an event after Close")
		}
		if wait := time.Since(closed); wait > 2*time.Second {
			t.Errorf("Next returned %s after Close", wait)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Next still waits 5s after Close")
	}
	if openFiles(t, path) {
		t.Error("the log file is still open after Close")
	}
	if stacks := logGoroutines(); stacks != "" {
		t.Errorf("goroutines of the log reader remain after Close:\n%s", stacks)
	}
	if st.Next() {
		t.Error("Next after Close returned an event")
	}
}

// The caller's context ends a follow with its error, promptly.
func TestLogsFollowCallerContext(t *testing.T) {
	_, c, dir := spriteSocket(t)
	writeLog(t, filepath.Join(dir, "web.log"), diskLine(logStamp, EventStdout, "a"))
	ctx, cancel := context.WithCancel(context.Background())
	st, err := c.Logs(ctx, "", "web", LogsOptions{Follow: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	time.AfterFunc(3*logPollInterval, cancel)
	start := time.Now()
	evs, err := readAll(st)
	if !errors.Is(err, context.Canceled) || len(evs) != 1 || st.Complete() {
		t.Errorf("after cancel: %d events, err %v, complete %v; want the one line and context.Canceled", len(evs), err, st.Complete())
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Errorf("the follow ended %s after it started; the cancel came after %s", d, 3*logPollInterval)
	}
}

// A service with no log file yet: following finds the file when it
// appears.
func TestLogsFollowFileAppears(t *testing.T) {
	_, c, dir := spriteSocket(t)
	path := filepath.Join(dir, "web.log")
	st, err := c.Logs(context.Background(), "", "web", LogsOptions{Lines: 5, Follow: 2 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	time.AfterFunc(3*logPollInterval, func() { writeLog(t, path, diskLine(logStamp, EventStderr, "hello")) })
	evs, err := readAll(st)
	if err != nil {
		t.Fatal(err)
	}
	if got := texts(evs); len(got) != 1 || got[0] != "stderr:hello\n" {
		t.Errorf("lines = %q; want the line of the new file", got)
	}
}

// The old layout is followed too: lines appended to either file arrive.
func TestLogsFollowOldFiles(t *testing.T) {
	_, c, dir := spriteSocket(t)
	outPath, errPath := filepath.Join(dir, "web.stdout.log"), filepath.Join(dir, "web.stderr.log")
	writeLog(t, outPath, "o1\n")
	st, err := c.Logs(context.Background(), "", "web", LogsOptions{Follow: 2 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	time.AfterFunc(3*logPollInterval, func() {
		appendLog(t, errPath, "e1\n") // created while following
		appendLog(t, outPath, "o2\n")
	})
	evs, err := readAll(st)
	if err != nil {
		t.Fatal(err)
	}
	got := texts(evs)
	if len(got) != 3 || got[0] != "stdout:o1\n" || !contains(got, "stderr:e1\n") || !contains(got, "stdout:o2\n") {
		t.Errorf("lines = %q; want o1 then o2 and e1", got)
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// openFiles reports whether this process holds path open, from
// /proc/self/fd (the client's tests run on Linux, as the project does).
func openFiles(t *testing.T, path string) bool {
	t.Helper()
	fds, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Fatalf("list open files: %v", err)
	}
	for _, fd := range fds {
		if target, err := os.Readlink(filepath.Join("/proc/self/fd", fd.Name())); err == nil && target == path {
			return true
		}
	}
	return false
}

// logGoroutines returns the stacks of goroutines inside the log file
// reader, waiting up to two seconds for them to go.
func logGoroutines() string {
	deadline := time.Now().Add(2 * time.Second)
	for {
		buf := make([]byte, 1<<20)
		buf = buf[:runtime.Stack(buf, true)]
		var found []string
		for _, g := range strings.Split(string(buf), "\n\n") {
			if strings.Contains(g, "client.(*fileLogSource)") || strings.Contains(g, "client.(*logFile)") {
				found = append(found, g)
			}
		}
		if len(found) == 0 || time.Now().After(deadline) {
			return strings.Join(found, "\n\n")
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// Close while another goroutine is busy reading a long file (not waiting)
// stops it too; the race detector checks the hand-over.
func TestLogsCloseWhileReading(t *testing.T) {
	_, c, dir := spriteSocket(t)
	path := filepath.Join(dir, "web.log")
	const lines = 300_000 // about 20 MB: far more than is read before Close
	writeBenchLog(t, path, lines)
	st, err := c.Logs(context.Background(), "", "web", LogsOptions{})
	if err != nil {
		t.Fatal(err)
	}
	first := make(chan struct{})
	counted := make(chan int)
	go func() {
		n := 0
		for st.Next() {
			if n++; n == 1 {
				close(first)
			}
		}
		counted <- n
	}()
	<-first
	st.Close()
	select {
	case n := <-counted:
		if n > lines || st.Complete() {
			t.Errorf("read %d events after Close; want the reading to stop", n)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the reader still runs 5s after Close")
	}
	if openFiles(t, path) {
		t.Error("the log file is still open after Close")
	}
}

// A real size-rotating logger, the one the runtime uses, rotates the file
// several times while it is followed: every line arrives once, in order.
func TestLogsFollowLumberjackRotation(t *testing.T) {
	_, c, dir := spriteSocket(t)
	path := filepath.Join(dir, "web.log")
	logger := &lumberjack.Logger{Filename: path, MaxSize: 1, MaxBackups: 10} // rotates every MiB
	defer logger.Close()
	const total = 50_000 // about 3.5 MB: three rotations
	if _, err := logger.Write([]byte(diskLine(logStamp, EventStdout, "line 0"))); err != nil {
		t.Fatal(err)
	}
	st, err := c.Logs(context.Background(), "", "web", LogsOptions{Follow: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	wrote := make(chan error, 1)
	go func() {
		var batch strings.Builder
		for i := 1; i < total; i++ {
			batch.WriteString(diskLine(logStamp, EventStdout, "line "+strconv.Itoa(i)))
			if i%2500 == 0 || i == total-1 {
				if _, err := logger.Write([]byte(batch.String())); err != nil {
					wrote <- err
					return
				}
				batch.Reset()
				time.Sleep(50 * time.Millisecond)
			}
		}
		wrote <- nil
	}()
	evs, err := readAll(st)
	if werr := <-wrote; werr != nil {
		t.Fatal(werr)
	}
	if err != nil {
		t.Fatal(err)
	}
	backups, _ := filepath.Glob(filepath.Join(dir, "web-*.log"))
	if len(backups) < 2 {
		t.Fatalf("the logger rotated %d times; the test needs at least 2", len(backups))
	}
	lines := texts(evs)
	if len(lines) != total {
		t.Fatalf("got %d lines across %d rotations; want %d", len(lines), len(backups), total)
	}
	for i, l := range lines {
		if want := "stdout:line " + strconv.Itoa(i) + "\n"; l != want {
			t.Fatalf("line %d = %q; want %q", i, l, want)
		}
	}
}
