//go:build linux

package supervisor

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// The Linux twin of the per-OS process calls (procinfo_darwin.go is
// cross-compiled and vetted).

func TestProcessStartTime(t *testing.T) {
	mine, err := processStartTime(os.Getpid())
	if err != nil || mine == 0 {
		t.Fatalf("own start time %d %v", mine, err)
	}
	rec := startGroup(t, newMark(), "exec sleep 3600")
	if rec.StartTime < mine {
		t.Fatalf("a child started at %d, before its parent (%d)", rec.StartTime, mine)
	}
	if again, _ := processStartTime(rec.PID); again != rec.StartTime {
		t.Fatalf("start time changed: %d then %d", rec.StartTime, again)
	}
	_ = signalGroup(rec.PGID, syscall.SIGKILL)
	waitFor(t, "the process to go", 5*time.Second, func() bool { return gone(rec.PID) })
	if _, err := processStartTime(1 << 30); err == nil {
		t.Fatal("a start time for a pid that cannot exist")
	}
}

func TestGroupsOfListsLiveMembersOnly(t *testing.T) {
	mark := newMark()
	// The leader forks a member that exits at once; the leader never
	// reaps it, so it stays a zombie of the group.
	rec := startGroup(t, mark, "sleep 3600 & true & exec sleep 3600")
	t.Cleanup(func() { assertNoProcesses(t, mark) })
	var members []member
	waitFor(t, "two live members", 5*time.Second, func() bool {
		members = groupsOf([]int{rec.PGID, 1 << 30})[rec.PGID]
		return len(members) == 2
	})
	pids := []int{members[0].pid, members[1].pid}
	if !slices.Contains(pids, rec.PID) {
		t.Fatalf("members %v lack the leader %d", pids, rec.PID)
	}
	for _, m := range members {
		if m.startTime < rec.StartTime {
			t.Fatalf("member %+v predates its leader", m)
		}
	}
	if got := groupMembers(rec.PGID, rec.StartTime+1<<40); len(got) != 0 {
		t.Fatalf("members started after the far future: %v", got)
	}
	if !groupAlive(rec.PGID) {
		t.Fatal("a live group reported dead")
	}
	_ = signalGroup(rec.PGID, syscall.SIGKILL)
	waitFor(t, "the group to end", 5*time.Second, func() bool { return !groupAlive(rec.PGID) })
}

// A stat line parses to the fields the runtime uses, whatever the command
// name holds; a short or damaged line is an error, not a zero.
func TestParseProcStat(t *testing.T) {
	line := "4242 (a) b) (c) S 17 4242 4242 0 -1 4194560 100 0 0 0 1 2 0 0 20 0 3 0 987654 1000 200 " +
		"18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0\n"
	st, err := parseProcStat(4242, []byte(line))
	want := procStat{state: 'S', ppid: 17, pgrp: 4242, threads: 3, startTime: 987654}
	if err != nil || st != want {
		t.Fatalf("parse: %+v %v, want %+v", st, err, want)
	}
	for _, bad := range []string{
		"4242 (a) S 17 4242",                   // short
		"4242 a S 17 4242 4242 0 -1 1 1 1 1 1", // no command name
		strings.Replace(line, " 987654 ", " 98x654 ", 1),
		strings.Replace(line, "S 17 ", "S -17 ", 1),
	} {
		if st, err := parseProcStat(4242, []byte(bad)); err == nil {
			t.Errorf("%q parsed as %+v", bad, st)
		}
	}
}

// A /proc file longer than the buffer it is read into is read whole.
func TestReadProcFileGrows(t *testing.T) {
	var small [8]byte
	b, err := readProcFile("/proc/self/status", small[:])
	if err != nil || !bytes.Contains(b, []byte("\nVmRSS:")) || !bytes.HasPrefix(b, []byte("Name:")) {
		t.Fatalf("read %d bytes, %v", len(b), err)
	}
	if _, err := readProcFile("/proc/0/stat", small[:]); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("a missing file: %v", err)
	}
}

// BenchmarkReadProcStat: one /proc/<pid>/stat read, as the runtime does
// per process it starts and per process it looks at when a run ends.
func BenchmarkReadProcStat(b *testing.B) {
	pid := os.Getpid()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := readProcStat(pid); err != nil {
			b.Fatal(err)
		}
	}
}

// A start time taken from the boot clock around the fork is the one /proc
// gives the process, for every fork whose readings share a tick; the
// others read /proc. Forty forks: most share a tick.
func TestStartTimeBetweenMatchesProc(t *testing.T) {
	sleep, err := exec.LookPath("sleep")
	if err != nil {
		t.Skip("no sleep on PATH")
	}
	fromClock := 0
	for range 40 {
		before := readForkClock()
		p, err := os.StartProcess(sleep, []string{"sleep", "10"}, &os.ProcAttr{Files: []*os.File{nil, nil, nil}})
		after := readForkClock()
		if err != nil {
			t.Fatal(err)
		}
		got, err := startTimeBetween(p.Pid, before, after)
		want, werr := processStartTime(p.Pid)
		_ = p.Kill()
		_, _ = p.Wait()
		if err != nil || werr != nil || got != want {
			t.Fatalf("start time %d (%v), /proc says %d (%v)", got, err, want, werr)
		}
		const nsPerTick = uint64(time.Second) / userHZ
		if uint64(before)/nsPerTick == uint64(after)/nsPerTick {
			fromClock++
		}
	}
	if fromClock == 0 || clockAgrees.Load() != 1 {
		t.Fatalf("the clock was usable for %d of 40 forks and agrees=%d", fromClock, clockAgrees.Load())
	}
}

// TestReadDirNames: readDirNames lists exactly what os.ReadDir lists,
// without "." and "..", across more than one read of its 4 KiB buffer
// (400 names of about 40 bytes each); and this process's own thread
// directory holds its pid. A missing directory lists nothing.
func TestReadDirNames(t *testing.T) {
	dir := t.TempDir()
	var want []string
	for i := range 400 {
		name := fmt.Sprintf("entry-%03d-with-a-name-long-enough-to-span", i)
		if err := os.WriteFile(filepath.Join(dir, name), nil, 0o600); err != nil {
			t.Fatal(err)
		}
		want = append(want, name)
	}
	if err := os.Mkdir(filepath.Join(dir, "sub"), 0o700); err != nil {
		t.Fatal(err)
	}
	want = append(want, "sub")
	got := readDirNames(dir)
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Fatalf("listed %d names, want %d: first %v", len(got), len(want), got[:min(len(got), 3)])
	}
	if tasks := readDirNames("/proc/self/task/"); !slices.Contains(tasks, strconv.Itoa(os.Getpid())) {
		t.Fatalf("this process's threads %v lack its main thread", tasks)
	}
	if readDirNames("/proc/0/task/") != nil {
		t.Fatal("a missing directory listed something")
	}
}
