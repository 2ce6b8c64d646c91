//go:build linux

package supervisor

import (
	"os"
	"slices"
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
