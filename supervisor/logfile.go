package supervisor

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// logFile is a service's log: appended, rotated by size, with a kept
// number of backups named <name>-<time>.log (the names newestBackup reads,
// and the ones lumberjack used before it). It replaces lumberjack, whose
// clean-up goroutine outlives Close: one goroutine left per log, for the
// life of the process, after every delete.
//
// It starts no goroutine: rotation and pruning happen inside the Write that
// crosses the size. It is not safe for concurrent use (output.mu guards it).
type logFile struct {
	path     string
	maxBytes int64
	backups  int
	f        *os.File
	size     int64
}

// backupTimeFormat names a backup after its rotation time, in UTC.
const backupTimeFormat = "2006-01-02T15-04-05.000"

func newLogFile(path string, maxMB, backups int) *logFile {
	return &logFile{path: path, maxBytes: int64(maxMB) << 20, backups: backups}
}

// Write appends b, rotating first when b would take the file past its
// size; a single write larger than the size goes whole into a fresh file.
func (l *logFile) Write(b []byte) (int, error) {
	if l.f == nil {
		if err := l.open(); err != nil {
			return 0, err
		}
	}
	if l.size > 0 && l.size+int64(len(b)) > l.maxBytes {
		if err := l.rotate(); err != nil {
			return 0, err
		}
	}
	n, err := l.f.Write(b)
	l.size += int64(n)
	return n, err
}

func (l *logFile) open() error {
	f, err := os.OpenFile(l.path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return fmt.Errorf("open log: %w", err)
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return fmt.Errorf("open log: %w", err)
	}
	l.f, l.size = f, fi.Size()
	return nil
}

// rotate moves the current file aside, opens a new one and removes the
// backups past the kept count.
func (l *logFile) rotate() error {
	l.f.Close()
	l.f = nil
	ext := filepath.Ext(l.path)
	prefix := strings.TrimSuffix(l.path, ext) + "-"
	backup := prefix + time.Now().UTC().Format(backupTimeFormat) + ext
	if err := os.Rename(l.path, backup); err != nil && !os.IsNotExist(err) {
		return fmt.Errorf("rotate log: %w", err)
	}
	if err := l.open(); err != nil {
		return err
	}
	// The time format sorts by name; it also tells our backups from the
	// log of a service whose name merely starts the same way.
	matches, _ := filepath.Glob(prefix + "*" + ext)
	var ours []string
	for _, m := range matches {
		stamp := strings.TrimSuffix(strings.TrimPrefix(m, prefix), ext)
		if _, err := time.Parse(backupTimeFormat, stamp); err == nil {
			ours = append(ours, m)
		}
	}
	slices.Sort(ours)
	for len(ours) > l.backups {
		os.Remove(ours[0])
		ours = ours[1:]
	}
	return nil
}

// Close closes the file; a later Write opens it again.
func (l *logFile) Close() error {
	if l.f == nil {
		return nil
	}
	err := l.f.Close()
	l.f = nil
	return err
}
