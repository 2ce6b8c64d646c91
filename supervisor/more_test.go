//go:build linux

package supervisor

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/sprites-mcp/sprites-mcp/client"
)

func TestSplitterKeepsRunesWhole(t *testing.T) {
	var sp splitter
	var pieces []string
	emit := func(p []byte, eol bool) { pieces = append(pieces, string(p)) }
	// A three-byte rune straddles the 16 KiB cut, and arrives cut in two reads.
	in := strings.Repeat("a", maxPieceBytes-1) + "€" + "b\n"
	sp.feed([]byte(in[:maxPieceBytes]), emit)
	sp.feed([]byte(in[maxPieceBytes:]), emit)
	sp.flush(emit)
	if len(pieces) != 2 || len(pieces[0]) != maxPieceBytes-1 || pieces[1] != "€b\n" {
		t.Fatalf("pieces of %v bytes: %q…", lens(pieces), pieces[len(pieces)-1])
	}
	for _, p := range pieces {
		if !utf8.ValidString(p) {
			t.Fatalf("invalid piece %q", p)
		}
	}
	// Escape-heavy output is cut by its JSON size, not its byte count.
	pieces = nil
	sp.feed([]byte(strings.Repeat("\x01", 30000)), emit)
	sp.flush(emit)
	for _, p := range pieces {
		if 6*len(p) > maxPieceJSON {
			t.Fatalf("piece of %d control bytes escapes past %d", len(p), maxPieceJSON)
		}
	}
	if strings.Join(pieces, "") != strings.Repeat("\x01", 30000) {
		t.Fatal("bytes lost")
	}
}

func lens(ss []string) []int {
	var n []int
	for _, s := range ss {
		n = append(n, len(s))
	}
	return n
}

func TestSlowSubscriberGetsGapMarker(t *testing.T) {
	var h hub
	sub := h.subscribe()
	defer sub.close()
	big := strings.Repeat("x", 64<<10)
	for i := 0; i < 40; i++ { // 2.5 MiB against a 1 MiB queue
		h.publish(hubEvent{Event: Event{Type: evStdout, Data: big}})
	}
	h.publish(hubEvent{Event: Event{Type: evExit}})
	got := sub.take()
	// The marker stands where the loss was: after the output that was
	// kept, before the exit that came after the loss.
	n := len(got)
	if n < 3 || got[0].Type != evStdout || got[n-2].Type != evStderr || !strings.Contains(got[n-2].Data, "dropped") {
		t.Fatalf("want kept output, then the gap marker, then the exit; got %d events ending %v", n, got[n-2].Type)
	}
	if got[n-1].Type != evExit {
		t.Fatal("the exit was dropped with the output")
	}
	kept := 0
	for _, e := range got {
		kept += len(e.Data)
	}
	if kept > maxQueueBytes+1024 {
		t.Fatalf("%d bytes queued", kept)
	}
}

func TestUpdateReplacesRunOnlyWhenChanged(t *testing.T) {
	h := startHarness(t)
	r := h.req("sleep", "3600")
	h.put("u", r, 0)
	pid := h.get("u").State.PID
	h.put("u", r, 0) // same definition: the run stays
	if p := h.get("u").State.PID; p != pid {
		t.Fatalf("unchanged PUT replaced the run: %d → %d", pid, p)
	}
	r.Args = []string{"3601"}
	h.put("u", r, 0)
	s := h.get("u")
	if s.State.PID == pid || s.Args[0] != "3601" || s.State.Status != client.StatusRunning {
		t.Fatalf("changed PUT: %+v", s)
	}
	if groupAlive(pid) {
		t.Fatal("the old run survived the update")
	}
}

func TestStopCancelsStartWaitingForNeed(t *testing.T) {
	h := startHarness(t)
	port := freePort(t)
	slow := h.req("sleep", "3600") // never listens
	slow.HTTPPort = &port
	h.put("slow", slow, 0)
	h.stopSvc("slow", time.Second)
	dep := h.req("sleep", "3600")
	dep.Needs = []string{"slow"}
	done := make(chan []client.Event, 1)
	go func() {
		st, err := h.c.Put(context.Background(), "local", "dep", dep, 0)
		if err != nil {
			t.Error(err)
			done <- nil
			return
		}
		var evs []client.Event
		for st.Next() {
			evs = append(evs, st.Event())
		}
		st.Close()
		done <- evs
	}()
	waitFor(t, "dep to be starting", 10*time.Second, func() bool {
		s, err := h.c.Get(context.Background(), "local", "dep")
		return err == nil && s.State.Status == client.StatusStarting
	})
	begin := time.Now()
	h.stopSvc("dep", time.Second)
	if took := time.Since(begin); took > 3*time.Second {
		t.Errorf("stop waited %s for the start", took)
	}
	select {
	case evs := <-done:
		if find(evs, client.EventStarted) != nil {
			t.Fatalf("dep started after the stop: %v", types(evs))
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the cancelled start never answered")
	}
	if s := h.get("dep"); s.State.Status != client.StatusStopped {
		t.Fatalf("dep %+v", s.State)
	}
	// slow is left to the harness's shutdown: whether dep's start had
	// launched it before the stop cancelled that start is a race of no
	// consequence (a stopped slow refuses a stop, 409).
}

func TestLogsFollowStreamsNewOutputOnce(t *testing.T) {
	h := startHarness(t)
	h.put("ticker", h.sh(`i=0; while [ $i -lt 20 ]; do echo "tick $i"; i=$((i+1)); sleep 0.05; done; exec sleep 3600`), 0)
	time.Sleep(300 * time.Millisecond) // some ticks are in the file, more to come
	st, err := h.c.Logs(context.Background(), "local", "ticker", client.LogsOptions{Follow: 6 * time.Second})
	out := dataOf(events(t, st, err), client.EventStdout)
	var want strings.Builder
	for i := 0; i < 20; i++ {
		want.WriteString("tick " + strconv.Itoa(i) + "\n")
	}
	if out != want.String() {
		t.Fatalf("followed logs:\n%s", out)
	}
}

func TestLeftoverSweepSparesReusedGroups(t *testing.T) {
	groups := map[int][]member{
		100: {{pid: 100, startTime: 50}, {pid: 101, startTime: 60}}, // leader is not ours: pid reused
		200: {{pid: 201, startTime: 70}},                            // leader gone, member after it: ours
		300: {{pid: 300, startTime: 10}, {pid: 301, startTime: 5}},  // ours; 301 predates it: not ours
	}
	recs := map[int]procRecord{100: {PID: 100, PGID: 100, StartTime: 40}, 200: {PID: 200, PGID: 200, StartTime: 65}, 300: {PID: 300, PGID: 300, StartTime: 10}}
	want := map[int]string{100: "[]", 200: "[201]", 300: "[300]"}
	for pgid, rec := range recs {
		var got []int
		if !leaderReplaced(groups[pgid], rec) {
			got = membersSince(groups, pgid, rec.StartTime)
		}
		if s := fmt.Sprint(got); s != want[pgid] && !(want[pgid] == "[]" && got == nil) {
			t.Errorf("group %d: %s, want %s", pgid, s, want[pgid])
		}
	}
}
