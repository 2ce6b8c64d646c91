package client

import (
	"context"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestLogsSinceOnTheAPI checks Since against the recorded logs of the
// Sprites API, in both path styles: the lines before it are left out, the
// complete event passes, and the read is still bounded by Lines (the API
// has no time filter, so none is sent).
func TestLogsSinceOnTheAPI(t *testing.T) {
	bothStyles(t, func(t *testing.T, f *fakeAPI) {
		c := f.client()
		// logs.ndjson: stdout at .901, stderr at 17:11:18.012, stdout at 17:11:19.000
		for _, tc := range []struct {
			since time.Time
			want  []EventType
		}{
			{time.Time{}, []EventType{EventStdout, EventStderr, EventStdout, EventComplete}},
			{time.UnixMilli(1780420278012), []EventType{EventStderr, EventStdout, EventComplete}},
			{time.UnixMilli(1780420278013), []EventType{EventStdout, EventComplete}},
			{time.UnixMilli(1780420290000), []EventType{EventComplete}},
		} {
			st, err := c.Logs(context.Background(), "dev", "web", LogsOptions{Lines: 50, Since: tc.since})
			if err != nil {
				t.Fatal(err)
			}
			evs, err := collect(t, st)
			if err != nil {
				t.Fatalf("since %v: %v", tc.since, err)
			}
			var got []EventType
			for _, ev := range evs {
				got = append(got, ev.Type)
			}
			if strings.Join(typeNames(got), ",") != strings.Join(typeNames(tc.want), ",") {
				t.Errorf("since %v: events %v, want %v", tc.since, got, tc.want)
			}
			if !st.Complete() {
				t.Errorf("since %v: Complete() is false", tc.since)
			}
			if q := f.last().Query; q.Get("lines") != "50" || len(q) != 1 {
				t.Errorf("since %v: the logs route was asked with %v; want lines=50 only", tc.since, q)
			}
		}
	})
}

func typeNames(ts []EventType) []string {
	out := make([]string, len(ts))
	for i, t := range ts {
		out[i] = string(t)
	}
	return out
}

// TestLogsSinceUntimedLines checks plain text lines: one after a
// timestamped line takes its time; one before any cannot be placed, is
// left out, and the Note says so.
func TestLogsSinceUntimedLines(t *testing.T) {
	f := newFakeAPI(t, PathSprites)
	body := "plain before\n" +
		`{"type":"stdout","data":"old\n","timestamp":1000}` + "\n" +
		"plain after old\n" +
		`{"type":"stdout","data":"new\n","timestamp":5000}` + "\n" +
		"plain after new\n"
	f.on("logs", reply(http.StatusOK, "application/x-ndjson", body))
	st, err := f.client().Logs(context.Background(), "dev", "web", LogsOptions{Since: time.UnixMilli(3000)})
	if err != nil {
		t.Fatal(err)
	}
	evs, err := collect(t, st)
	if err != nil {
		t.Fatal(err)
	}
	var data []string
	for _, ev := range evs {
		data = append(data, strings.TrimSpace(ev.Data))
	}
	if strings.Join(data, "|") != "new|plain after new" {
		t.Errorf("lines %q, want new and the plain line after it", data)
	}
	if !strings.Contains(st.Note, "1 log lines without a timestamp were left out") {
		t.Errorf("Note = %q", st.Note)
	}
}

// TestLogsSinceFromFiles checks Since on the log files read inside a
// Sprite (no logs route): the lines' own timestamps decide, and Lines
// still bounds the tail read.
func TestLogsSinceFromFiles(t *testing.T) {
	_, c, dir := spriteSocket(t)
	all := writeLines(t, filepath.Join(dir, "web.log"), 100) // one millisecond apart
	since := time.UnixMilli(all[90].Timestamp)
	_, evs := readLogs(t, c, "web", LogsOptions{Lines: 50, Since: since})
	wantOutput(t, evs, all[90:])
	// Lines bounds the read: only the last 5 are read, all after since.
	_, evs = readLogs(t, c, "web", LogsOptions{Lines: 5, Since: since})
	wantOutput(t, evs, all[95:])
}
