//go:build linux || darwin

package supervisor

import (
	"log/slog"
	"time"

	"golang.org/x/sys/unix"
)

// leaderReplaced reports a group whose leader is a different process than
// the one recorded (same pid, other start time): the pid, and so the group
// id, was reused after our group died. Such a group is never touched.
func leaderReplaced(members []member, rec procRecord) bool {
	for _, m := range members {
		if m.pid == rec.PGID {
			return m.startTime != rec.StartTime
		}
	}
	return false
}

// killLeftovers ends the runs a runtime recorded and could not stop (it
// crashed or was SIGKILLed): the next runtime calls it at boot, the
// watchdog as soon as its runtime is gone. A process is only touched when
// it is in the recorded group and started no earlier than the recorded
// leader: a reused pid or pgid belongs to a later process and is never
// hit. Members get SIGTERM, then SIGKILL after a grace.
//
// Records of another boot of the machine are dropped: after a reboot, pids
// and start times count again from zero, and could name a process of this
// boot. A record without a boot (written before boots were kept) rests on
// its start time alone.
func killLeftovers(all []procRecord, log *slog.Logger) {
	const grace = 2 * time.Second
	var recs []procRecord
	var pgids []int
	for _, rec := range all {
		if rec.Boot != "" && rec.Boot != thisBoot() {
			log.Info("ignoring the record of a run from another boot", "pgid", rec.PGID, "boot", rec.Boot)
			continue
		}
		recs = append(recs, rec)
		pgids = append(pgids, rec.PGID)
	}
	// One read of the process table per look, however many records.
	find := func() map[int][]int {
		groups := groupsOf(pgids)
		found := map[int][]int{}
		for _, rec := range recs {
			if rec.PGID <= 1 || rec.StartTime == 0 {
				continue
			}
			if leaderReplaced(groups[rec.PGID], rec) {
				continue
			}
			if pids := membersSince(groups, rec.PGID, rec.StartTime); len(pids) > 0 {
				found[rec.PGID] = pids
			}
		}
		return found
	}
	left := find()
	if len(left) == 0 {
		return
	}
	signal := func(sig unix.Signal) {
		for pgid, pids := range left {
			for _, pid := range pids {
				_ = unix.Kill(pid, sig)
			}
			log.Warn("killing a process of a runtime that is gone", "pgid", pgid, "pids", pids, "signal", signalName(sig))
		}
	}
	signal(unix.SIGTERM)
	deadline := time.Now().Add(grace)
	for wait := 5 * time.Millisecond; ; wait = min(2*wait, 100*time.Millisecond) {
		time.Sleep(wait)
		if left = find(); len(left) == 0 {
			return
		}
		if time.Now().After(deadline) {
			break
		}
	}
	signal(unix.SIGKILL)
	for end := time.Now().Add(5 * time.Second); time.Now().Before(end); {
		time.Sleep(10 * time.Millisecond)
		if left = find(); len(left) == 0 {
			return
		}
	}
	log.Error("processes of a previous run survived SIGKILL", "groups", left)
}
