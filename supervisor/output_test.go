//go:build linux

package supervisor

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/sprites-mcp/sprites-mcp/client"
)

// checkWire asserts every NDJSON line of a raw stream is valid JSON under
// 64 KiB and returns the events.
func checkWire(t *testing.T, lines []string) []Event {
	t.Helper()
	var evs []Event
	for _, l := range lines {
		if len(l) >= 64<<10 {
			t.Fatalf("NDJSON line of %d bytes", len(l))
		}
		var ev Event
		if err := json.Unmarshal([]byte(l), &ev); err != nil {
			t.Fatalf("bad line %q: %v", l[:min(len(l), 80)], err)
		}
		if len(ev.Data) > maxPieceBytes+1 { // +1: a piece read back from the log ends in the newline the log added
			t.Fatalf("event data of %d bytes", len(ev.Data))
		}
		evs = append(evs, ev)
	}
	return evs
}

func joined(evs []Event, typ EventType) string {
	var b strings.Builder
	for _, e := range evs {
		if e.Type == typ {
			b.WriteString(e.Data)
		}
	}
	return b.String()
}

func TestMegabyteLineIsSplitIntoSmallEvents(t *testing.T) {
	h := startHarness(t)
	h.put("big", h.sh(`head -c 1000000 /dev/zero | tr '\0' x; echo; printf 'é%.0s' $(seq 20000); echo; exec sleep 3600`), 0)
	sock := h.rt.SocketPath()
	waitFor(t, "the output to be logged", 30*time.Second, func() bool {
		b, _ := os.ReadFile(filepath.Join(h.dir, "logs/services/big.log"))
		return strings.Count(string(b), "\n") >= 2 && strings.HasSuffix(string(b), "\n") && strings.Contains(string(b), "é\n")
	})
	evs := checkWire(t, rawLines(t, sock, "GET", "/v1/sprites/local/services/big/logs"))
	out := joined(evs, evStdout)
	want := strings.Repeat("x", 1000000) + "\n" + strings.Repeat("é", 20000) + "\n"
	// Split pieces come back from the log as lines of their own: compare
	// without the newlines the split added.
	if strings.ReplaceAll(out, "\n", "") != strings.ReplaceAll(want, "\n", "") {
		t.Fatalf("logs gave %d bytes, want %d", len(out), len(want))
	}
	if !utf8.ValidString(out) {
		t.Fatal("a rune was split")
	}
	if n := strings.Count(out, "\n"); n < 1000000/maxPieceBytes {
		t.Errorf("only %d pieces", n)
	}
	// Live: a start streams the same bounds.
	h.stopSvc("big", time.Second)
	live := checkWire(t, rawLines(t, sock, "POST", "/v1/sprites/local/services/big/start?duration=3s"))
	if got := joined(live, evStdout); got != want {
		t.Fatalf("live stream gave %d bytes, want %d (exactly)", len(got), len(want))
	}
}

func TestControlBytesStayUnder64KiB(t *testing.T) {
	h := startHarness(t)
	// 200 KB of a control byte: each escapes to six bytes in JSON.
	h.put("ctl", h.sh(`head -c 200000 /dev/zero | tr '\0' '\001'; echo; exec sleep 3600`), 0)
	live := checkWire(t, rawLines(t, h.rt.SocketPath(), "POST", "/v1/sprites/local/services/ctl/restart?duration=2s"))
	if got := joined(live, evStdout); got != strings.Repeat("\x01", 200000)+"\n" {
		t.Fatalf("got %d bytes", len(got))
	}
}

func TestInvalidUTF8(t *testing.T) {
	h := startHarness(t)
	evs := h.put("bin", h.sh(`printf 'ok \377\376 end\n'; exec sleep 3600`), time.Second)
	out := dataOf(evs, client.EventStdout)
	if !utf8.ValidString(out) || out != "ok \uFFFD\uFFFD end\n" {
		t.Fatalf("stdout %q", out)
	}
	log, _ := os.ReadFile(filepath.Join(h.dir, "logs/services/bin.log"))
	if !strings.Contains(string(log), "[stdout] ok \xff\xfe end\n") {
		t.Fatalf("log file is not byte-exact: %q", log)
	}
}

func TestHundredThousandLineBurst(t *testing.T) {
	h := startHarness(t)
	h.put("burst", h.sh(`seq 1 100000; exec sleep 3600`), 0)
	path := filepath.Join(h.dir, "logs/services/burst.log")
	// Cheap check (the last bytes only), so polling does not slow the burst.
	waitFor(t, "the last line in the log", 60*time.Second, func() bool {
		f, err := os.Open(path)
		if err != nil {
			return false
		}
		defer f.Close()
		fi, _ := f.Stat()
		tail := make([]byte, 32)
		n, _ := f.ReadAt(tail, max(fi.Size()-32, 0))
		return strings.HasSuffix(string(tail[:n]), "[stdout] 100000\n")
	})
	st, err := h.c.Logs(context.Background(), "local", "burst", client.LogsOptions{})
	evs := events(t, st, err)
	var b strings.Builder
	for i := 1; i <= 100000; i++ {
		fmt.Fprintf(&b, "%d\n", i)
	}
	if got := dataOf(evs, client.EventStdout); got != b.String() {
		t.Fatalf("logs: %d bytes, want %d", len(got), b.Len())
	}
	st, err = h.c.Logs(context.Background(), "local", "burst", client.LogsOptions{Lines: 3})
	if got := dataOf(events(t, st, err), client.EventStdout); got != "99998\n99999\n100000\n" {
		t.Fatalf("tail: %q", got)
	}
}

func TestPartialLinesAndNewlinelessFlood(t *testing.T) {
	h := startHarness(t)
	// A prompt without newline comes out after a pause, before the exit.
	evs := h.put("prompt", h.sh(`printf 'Password: '; sleep 1; printf 'tail-at-exit'; exit 0`), 3*time.Second)
	var pieces []string
	for _, e := range evs {
		if e.Type == client.EventStdout {
			pieces = append(pieces, e.Data)
		}
	}
	if len(pieces) != 2 || pieces[0] != "Password: " || pieces[1] != "tail-at-exit" {
		t.Fatalf("pieces %q (events %v)", pieces, types(evs))
	}
	h.stopSvc("prompt", time.Second)
	// A progress bar: 3 MB of \r-separated updates and no newline.
	r := h.sh(`i=0; while [ $i -lt 30000 ]; do printf '\r%0100d' $i; i=$((i+1)); done; exec sleep 3600`)
	st, err := h.c.Put(context.Background(), "local", "bar", r, 5*time.Second)
	got := events(t, st, err)
	total := 0
	for _, e := range got {
		if e.Type == client.EventStdout {
			if len(e.Data) > maxPieceBytes {
				t.Fatalf("piece of %d bytes", len(e.Data))
			}
			total += len(e.Data)
		}
	}
	if total == 0 {
		t.Fatal("no output streamed")
	}
}

// TestSlowLineIsNotCut: a line written in pieces with short pauses, longer
// than the partial-line flush delay in all, arrives whole — the delay counts
// from the latest output, so steady output is never cut mid-line.
func TestSlowLineIsNotCut(t *testing.T) {
	h := startHarness(t)
	evs := h.put("slow", h.sh(`for p in aaa bbb ccc ddd eee; do printf $p; sleep 0.1; done; echo end; exec sleep 3600`), 3*time.Second)
	var pieces []string
	for _, e := range evs {
		if e.Type == client.EventStdout {
			pieces = append(pieces, e.Data)
		}
	}
	if len(pieces) != 1 || pieces[0] != "aaabbbcccdddeeeend\n" {
		t.Fatalf("pieces %q, want the one line whole", pieces)
	}
}

func TestLogRotation(t *testing.T) {
	h := startHarness(t)
	h.rt.tune.logMaxMB = 1
	line := strings.Repeat("r", 999)
	h.put("rot", h.sh(`yes `+line+` | head -n 5000; exec sleep 3600`), 0)
	dir := filepath.Join(h.dir, "logs/services")
	waitFor(t, "rotations", 60*time.Second, func() bool {
		m, _ := filepath.Glob(filepath.Join(dir, "rot-*.log"))
		return len(m) == 3
	})
	time.Sleep(200 * time.Millisecond)
	m, _ := filepath.Glob(filepath.Join(dir, "rot-*.log"))
	if len(m) > 3 {
		t.Fatalf("%d backups kept, want 3", len(m))
	}
	for _, f := range append(m, filepath.Join(dir, "rot.log")) {
		if fi, err := os.Stat(f); err != nil || fi.Size() > 1<<20 {
			t.Fatalf("%s: %v %v", f, fi.Size(), err)
		}
	}
	// A tail longer than the current file continues into the newest backup.
	cur, _ := os.ReadFile(filepath.Join(dir, "rot.log"))
	want := strings.Count(string(cur), "\n") + 5
	st, err := h.c.Logs(context.Background(), "local", "rot", client.LogsOptions{Lines: want})
	out := dataOf(events(t, st, err), client.EventStdout)
	if got := strings.Count(out, line+"\n"); got != want || len(out) != want*(len(line)+1) {
		t.Fatalf("tail of %d lines gave %d", want, got)
	}
}
