package summary

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/sprites-mcp/sprites-mcp/client"
)

// ndjson encodes events as the Services API sends them.
func ndjson(t *testing.T, evs ...map[string]any) string {
	t.Helper()
	var b strings.Builder
	for _, ev := range evs {
		line, err := json.Marshal(ev)
		if err != nil {
			t.Fatal(err)
		}
		b.Write(line)
		b.WriteByte('\n')
	}
	return b.String()
}

// summarise reads a stream through the client's decoder, as the tools do.
func summarise(cfg Config, st *client.Stream) Result {
	s := New(cfg)
	for st.Next() {
		s.Add(st.Event())
	}
	return s.Result(st.Err())
}

func TestCrashAtStartup(t *testing.T) {
	evs := []map[string]any{{"type": "started", "timestamp": 1750000000000}}
	evs = append(evs, map[string]any{"type": "stdout", "data": "> node server.js\n"})
	for i := 0; i < 3000; i++ {
		evs = append(evs, map[string]any{"type": "stdout", "data": fmt.Sprintf("loading module %d\n", i)})
	}
	evs = append(evs,
		map[string]any{"type": "stderr", "data": "Error: listen EADDRINUSE: address already in use :::3000\n"},
		map[string]any{"type": "stderr", "data": "    at Server.setupListenHandle [as _listen2] (node:net:1817:16)\n"},
		map[string]any{"type": "exit", "exit_code": 1, "timestamp": 1750000000500},
		map[string]any{"type": "complete", "log_files": map[string]string{"combined": "/.sprite/logs/services/web.log"}},
	)
	st := client.NewStream(strings.NewReader(ndjson(t, evs...)), 0)
	r := summarise(Config{MaxChars: 2000}, st)
	checkInvariants(t, r, 2000)

	if !r.Started || !r.Exited || r.ExitCode == nil || *r.ExitCode != 1 {
		t.Fatalf("want started, exited with code 1; got started=%v exited=%v code=%v", r.Started, r.Exited, r.ExitCode)
	}
	if !r.Complete || r.Cut || r.StreamErr != "" {
		t.Fatalf("a complete stream must not be cut: complete=%v cut=%v err=%q", r.Complete, r.Cut, r.StreamErr)
	}
	if r.LogFile != "/.sprite/logs/services/web.log" {
		t.Fatalf("LogFile = %q", r.LogFile)
	}
	i := findLine(r, "EADDRINUSE")
	if i < 0 {
		t.Fatalf("the cause line is not shown; lines: %q", texts(r))
	}
	if r.Lines[i].Stream != "stderr" {
		t.Fatalf("cause line stream = %q, want stderr", r.Lines[i].Stream)
	}
	if !strings.Contains(r.Output(), "[stderr] Error: listen EADDRINUSE") {
		t.Fatalf("output lacks the prefixed cause line:\n%s", r.Output())
	}
	if r.Lines[0].Text != "> node server.js" || r.Lines[0].OmittedBefore != 0 {
		t.Fatalf("the head should start with the first line, got %+v", r.Lines[0])
	}
	// The 3000 module lines fold into one, so nothing is omitted (before
	// folding they were head and tail with a marker between).
	if r.LinesSeen != 3003 || r.StderrLines != 2 || r.Omitted != 0 {
		t.Fatalf("counts: seen %d stderr %d omitted %d", r.LinesSeen, r.StderrLines, r.Omitted)
	}
	if !strings.Contains(r.Output(), "loading module <n> (×3000, 0…2999)\n[stderr] Error: listen EADDRINUSE") {
		t.Fatalf("the module lines are not folded before the error:\n%s", r.Output())
	}
	if r.Cause != "Error: listen EADDRINUSE: address already in use :::3000" {
		t.Fatalf("cause = %q", r.Cause)
	}
}

func TestCauseLineInTheMiddleIsKept(t *testing.T) {
	// The cause scrolls far out of the tail, behind a long stack of noise.
	s := New(Config{MaxChars: 3000})
	for i := 0; i < 20000; i++ {
		s.Add(stdout(varied(i)))
		switch i {
		case 7000:
			s.Add(stderr("panic: runtime error: invalid memory address\n"))
		case 14000:
			s.Add(stderr("FATAL: database connection refused\n"))
		}
	}
	r := s.Result(nil)
	checkInvariants(t, r, 3000)
	a, b := findLine(r, "panic: runtime error"), findLine(r, "database connection refused")
	if a < 0 || b < 0 {
		t.Fatalf("error lines from the middle are missing: %d %d\n%s", a, b, r.Output())
	}
	if a >= b {
		t.Fatal("error lines are out of stream order")
	}
	if r.Lines[a].OmittedBefore == 0 || r.Lines[b].OmittedBefore == 0 {
		t.Fatal("error lines from the middle should follow an omitted marker")
	}
	last := r.Lines[len(r.Lines)-1]
	if last.Text != strings.TrimSuffix(varied(19999), "\n") {
		t.Fatalf("the tail should end with the last line, got %q", last.Text)
	}
}

// varied returns line i of a noise whose consecutive lines differ in
// shape, so that they do not fold.
func varied(i int) string {
	return fmt.Sprintf("request %s served\n", strings.Repeat("ab", 1+i%13)[:1+i%13])
}

func TestMiddleErrorsAreBounded(t *testing.T) {
	// Error lines that differ in shape: one long block, kept bounded.
	s := New(Config{MaxChars: 4000})
	for i := 0; i < 50000; i++ {
		s.Add(stderr("error in step " + strings.Repeat("x", 1+i%50) + ": retrying\n"))
	}
	r := s.Result(nil)
	checkInvariants(t, r, 4000)
	if n, bound := s.mid.lineCount(), (firstBlocks+lastBlocks)*(blockHead+blockKeys+blockTail); n > bound {
		t.Fatalf("kept %d middle error lines, bound is %d", n, bound)
	}
	// The block shows its first lines and its last, with a marker between.
	var starts []int
	seq := 0
	for _, l := range r.Lines {
		seq += l.OmittedBefore
		if l.OmittedBefore > 0 {
			starts = append(starts, seq)
		}
		seq += l.Repeat
	}
	if len(starts) != 1 || r.Lines[0].Text != "error in step x: retrying" || r.OmittedAtEnd != 0 {
		t.Fatalf("want the first lines, one marker, the last lines (runs start at %v):\n%s", starts, r.Output())
	}
	if len(r.Lines) > blockHead+blockKeys+blockTail {
		t.Fatalf("the block is not bounded: %d lines\n%s", len(r.Lines), r.Output())
	}
}

func TestSameShapeErrorsFold(t *testing.T) {
	// Before folding, this stream showed dozens of "error N: retrying"
	// lines from both ends of the omitted middle; now it is one line.
	s := New(Config{MaxChars: 4000})
	for i := 0; i < 50000; i++ {
		s.Add(stderr(fmt.Sprintf("error %d: retrying\n", i)))
	}
	r := s.Result(nil)
	checkInvariants(t, r, 4000)
	if got := r.Output(); got != "[stderr] error <n>: retrying (×50000, 0…49999)" {
		t.Fatalf("output:\n%s", got)
	}
	if r.Cause != "error 49999: retrying" {
		t.Fatalf("cause = %q, want the last error line", r.Cause)
	}
}

func TestLongLine(t *testing.T) {
	long := strings.Repeat("x", 300_000)
	s := New(Config{})
	feed(s, stdout("before\n"), stdout(long+"\n"), stdout("after\n"))
	r := s.Result(nil)
	checkInvariants(t, r, DefaultMaxChars)
	if r.LinesSeen != 3 || r.BytesSeen != int64(len("before\n")+len(long)+1+len("after\n")) {
		t.Fatalf("seen %d lines, %d bytes", r.LinesSeen, r.BytesSeen)
	}
	want := strings.Repeat("x", 500) + "…[cut 299500 chars]"
	if got := r.Lines[1].Text; got != want {
		t.Fatalf("long line = %q…(%d runes), want 500 x and the cut marker", got[:20], utf8.RuneCountInString(got))
	}
	if !r.Truncated || r.Omitted != 0 {
		t.Fatalf("a cut line must set Truncated (got %v) without omitting lines (got %d)", r.Truncated, r.Omitted)
	}
	// What is kept of the line is bounded and does not pin the event.
	for _, e := range s.head {
		if len(e.text) > s.storeCap {
			t.Fatalf("kept %d bytes of one line, cap %d", len(e.text), s.storeCap)
		}
	}
}

func TestLongLineThroughTheClient(t *testing.T) {
	// The client caps event data at 64 KiB and marks it truncated; the
	// summary says the length is unknown beyond what it saw.
	long := strings.Repeat("y", 300_000)
	body := ndjson(t, map[string]any{"type": "stdout", "data": long + "\n"}, map[string]any{"type": "complete"})
	r := summarise(Config{}, client.NewStream(strings.NewReader(body), 0))
	checkInvariants(t, r, DefaultMaxChars)
	if len(r.Lines) != 1 || !strings.HasSuffix(r.Lines[0].Text, "+ chars]") {
		t.Fatalf("want one line with an open-ended cut marker, got %q", texts(r))
	}
}

func TestInvalidUTF8(t *testing.T) {
	s := New(Config{})
	feed(s, stdout("bad \xff\xfe bytes\n"), stderr("cut rune \xe2\x82\n"), stdout("\xc3"), stdout("\xa9 joined\n"))
	r := s.Result(nil)
	checkInvariants(t, r, DefaultMaxChars)
	want := []string{"bad \uFFFD bytes", "cut rune \uFFFD", "é joined"}
	if got := texts(r); strings.Join(got, "|") != strings.Join(want, "|") {
		t.Fatalf("lines = %q, want %q", got, want)
	}
}

func TestANSIAndProgress(t *testing.T) {
	s := New(Config{})
	feed(s,
		stdout("\x1b[32mINFO\x1b[0m server \x1b[1mready\x1b[22m\n"),
		stdout("\rDownloading  10%"),
		stdout("\rDownloading  55%"),
	)
	if got := s.Latest(); got != "Downloading  55%" {
		t.Fatalf("Latest during progress = %q", got)
	}
	feed(s, stdout("\rDownloading 100%\n"), stdout("done\n"))
	if got := s.Latest(); got != "done" {
		t.Fatalf("Latest = %q, want done", got)
	}
	r := s.Result(nil)
	checkInvariants(t, r, DefaultMaxChars)
	want := []string{"INFO server ready", "Downloading 100%", "done"}
	if got := texts(r); strings.Join(got, "|") != strings.Join(want, "|") {
		t.Fatalf("lines = %q, want %q", got, want)
	}
}

func TestEndlessProgressLineStaysBoundedAndCurrent(t *testing.T) {
	s := New(Config{})
	for i := 0; i <= 100000; i++ {
		s.Add(stdout(fmt.Sprintf("\rprogress %d/100000", i)))
	}
	if got := s.Latest(); got != "progress 100000/100000" {
		t.Fatalf("Latest = %q", got)
	}
	if len(s.pend[0].buf) > s.storeCap {
		t.Fatalf("unfinished line holds %d bytes, cap %d", len(s.pend[0].buf), s.storeCap)
	}
	r := s.Result(nil)
	checkInvariants(t, r, DefaultMaxChars)
	if r.LinesSeen != 1 || r.Lines[0].Text != "progress 100000/100000" {
		t.Fatalf("want one line with the last progress, got %d lines %q", r.LinesSeen, texts(r))
	}
}

func TestSecretsInTheStream(t *testing.T) {
	secrets := map[string]string{
		"bearer":  fake("", 40),
		"token":   fake("", 24),
		"key":     fake("", 26),
		"secret":  fake("", 28),
		"pass":    fake("", 12),
		"sprite":  fake("", 44),
		"github":  fake("ghp_", 36),
		"pemBody": fake("MIIE", 60),
	}
	s := New(Config{})
	feed(s,
		stdout("curl -H 'Authorization: Bearer "+secrets["bearer"]+"'\n"),
		stdout("env GITHUB_TOKEN="+secrets["token"]+" OPENAI_API_KEY="+secrets["key"]+"\n"),
		stderr("AWS_SECRET_ACCESS_KEY="+secrets["secret"]+"\n"),
		stdout("PASSWORD="+secrets["pass"]+"\n"),
		stdout("using token acme/42/7/"+secrets["sprite"]+"\n"),
		stdout("cloned with "+secrets["github"]+"\n"),
		stdout("-----BEGIN RSA PRIVATE KEY-----\n"),
	)
	for i := 0; i < 25; i++ {
		s.Add(stdout(secrets["pemBody"][:50+i%10] + "\n"))
	}
	feed(s, stdout("-----END RSA PRIVATE KEY-----\n"), stdout("server up\n"))
	r := s.Result(nil)
	checkInvariants(t, r, DefaultMaxChars)
	out := r.Output()
	for name, v := range secrets {
		probe := v
		if name == "pemBody" {
			probe = v[:40]
		}
		if strings.Contains(out, probe) {
			t.Errorf("secret %s leaked into the output:\n%s", name, out)
		}
	}
	for _, want := range []string{"Bearer ***", "GITHUB_TOKEN=***", "OPENAI_API_KEY=***", "[stderr] AWS_SECRET_ACCESS_KEY=***",
		"PASSWORD=***", "acme/42/7/***", "ghp_***", keyLine + " (×25)", "-----END RSA PRIVATE KEY-----", "server up"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}

func TestKeyBlockWithoutEndIsBounded(t *testing.T) {
	s := New(Config{})
	s.Add(stdout("-----BEGIN PRIVATE KEY-----\n"))
	for i := 0; i < keyBlockMaxLines+50; i++ {
		s.Add(stdout(fmt.Sprintf("line %d\n", i)))
	}
	r := s.Result(nil)
	checkInvariants(t, r, DefaultMaxChars)
	if !strings.Contains(r.Output(), fmt.Sprintf("line <n> (×50, %d…%d)", keyBlockMaxLines, keyBlockMaxLines+49)) {
		t.Fatalf("masking should stop after %d lines without an END line:\n%s", keyBlockMaxLines, r.Output())
	}
}

func TestRepeatsCollapse(t *testing.T) {
	s := New(Config{})
	for i := 0; i < 1000; i++ {
		s.Add(stdout("GET /healthz 200\n"))
	}
	feed(s, stderr("GET /healthz 200\n"), stdout("a\n"), stdout("b\n"), stdout("b\n"), stdout("a\n"))
	r := s.Result(nil)
	checkInvariants(t, r, DefaultMaxChars)
	got := []string{}
	for _, l := range r.Lines {
		got = append(got, fmt.Sprintf("%s:%s×%d", l.Stream, l.Text, l.Repeat))
	}
	want := []string{"stdout:GET /healthz 200×1000", "stderr:GET /healthz 200×1", "stdout:a×1", "stdout:b×2", "stdout:a×1"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Fatalf("lines = %q, want %q", got, want)
	}
	if r.LinesShown != 1005 || r.Omitted != 0 {
		t.Fatalf("shown %d omitted %d, want 1005 and 0", r.LinesShown, r.Omitted)
	}
	if !strings.HasPrefix(r.Output(), "GET /healthz 200 (×1000)\n[stderr] GET /healthz 200\n") {
		t.Fatalf("rendering:\n%s", r.Output())
	}
}

func TestLinesSplitAcrossEvents(t *testing.T) {
	s := New(Config{})
	feed(s,
		stdout("hel"), stderr("err "), stdout("lo wor"), stderr("line\n"), stdout("ld\nsecond\nthi"),
		client.Event{Type: client.EventStdout, Data: "raw line, no newline", Raw: true},
		stdout("rd"),
	)
	if got := s.Latest(); got != "rd" {
		t.Fatalf("Latest = %q, want the unfinished line", got)
	}
	r := s.Result(nil)
	checkInvariants(t, r, DefaultMaxChars)
	// A raw event is a whole line; coming after the unfinished "thi" on the
	// same stream, it finishes it, as it would on a terminal.
	want := []string{"err line", "hello world", "second", "thiraw line, no newline", "rd"}
	if got := texts(r); strings.Join(got, "|") != strings.Join(want, "|") {
		t.Fatalf("lines = %q, want %q", got, want)
	}
	if r.LinesSeen != 5 || r.StdoutLines != 4 || r.StderrLines != 1 {
		t.Fatalf("counts: %d lines, %d stdout, %d stderr", r.LinesSeen, r.StdoutLines, r.StderrLines)
	}
}

func TestHugeLineInFragmentsIsBounded(t *testing.T) {
	s := New(Config{})
	frag := strings.Repeat("z", 1000)
	for i := 0; i < 1000; i++ {
		s.Add(stdout(frag))
	}
	if len(s.pend[0].buf) > s.storeCap {
		t.Fatalf("a line in fragments holds %d bytes, cap %d", len(s.pend[0].buf), s.storeCap)
	}
	s.Add(stdout("\n"))
	r := s.Result(nil)
	checkInvariants(t, r, DefaultMaxChars)
	if r.LinesSeen != 1 || r.Lines[0].Text != strings.Repeat("z", 500)+"…[cut 999500 chars]" {
		t.Fatalf("got %d lines: %.60q", r.LinesSeen, texts(r))
	}
}

func TestRawEventIsOutput(t *testing.T) {
	// A runtime that answers plain text: the client makes raw stdout events.
	st := client.NewStream(strings.NewReader("plain text line\nanother one\n"), 0)
	r := summarise(Config{}, st)
	checkInvariants(t, r, DefaultMaxChars)
	if got := texts(r); strings.Join(got, "|") != "plain text line|another one" {
		t.Fatalf("lines = %q", got)
	}
	if !r.Cut {
		t.Fatal("a stream without complete is cut")
	}
}

func TestCutStreamOverHTTP(t *testing.T) {
	// A real server that sends some events, then dies in the middle of a line.
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/x-ndjson")
		fmt.Fprintln(w, `{"type":"started","timestamp":1}`)
		for i := 0; i < 50; i++ {
			fmt.Fprintf(w, "{\"type\":\"stdout\",\"data\":\"working %d\\n\"}\n", i)
		}
		fmt.Fprint(w, `{"type":"stdout","data":"half a li`)
		w.(http.Flusher).Flush()
		conn, _, err := w.(http.Hijacker).Hijack()
		if err == nil {
			conn.Close()
		}
	}))
	defer srv.Close()
	resp, err := http.Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	st := client.NewStream(resp.Body, 0)
	defer st.Close()
	r := summarise(Config{}, st)
	checkInvariants(t, r, DefaultMaxChars)
	if st.Err() == nil {
		t.Fatal("the stream should end with an error")
	}
	if !r.Cut || r.StreamErr == "" || r.Complete {
		t.Fatalf("want a cut stream with its error: cut=%v err=%q complete=%v", r.Cut, r.StreamErr, r.Complete)
	}
	if !r.Started || r.LinesSeen < 50 || !strings.Contains(r.Output(), "working <n> (×50, 0…49)") {
		t.Fatalf("the summary so far is missing: started=%v lines=%d\n%s", r.Started, r.LinesSeen, r.Output())
	}
}

func TestStreamErrorIsCleaned(t *testing.T) {
	s := New(Config{})
	r := s.Result(fmt.Errorf("read: %w", errors.New("Bearer "+fake("", 30)+" rejected")))
	if !r.Cut || r.StreamErr != "read: Bearer *** rejected" {
		t.Fatalf("StreamErr = %q", r.StreamErr)
	}
	if r.LinesSeen != 0 || len(r.Lines) != 0 || r.Output() != "" {
		t.Fatalf("an empty stream has no lines, got %+v", r)
	}
}

func TestExitCodeAndStates(t *testing.T) {
	s := New(Config{})
	feed(s, client.Event{Type: client.EventStopping}, client.Event{Type: client.EventStopped, ExitCode: intp(143)})
	r := s.Result(nil)
	if !r.Stopping || !r.Stopped || r.Exited || r.ExitCode == nil || *r.ExitCode != 143 {
		t.Fatalf("stop: %+v code %v", r, r.ExitCode)
	}
	s = New(Config{})
	feed(s, client.Event{Type: client.EventExit, ExitCode: intp(2)}, client.Event{Type: client.EventStopped, ExitCode: intp(143)})
	if r := s.Result(nil); r.ExitCode == nil || *r.ExitCode != 2 {
		t.Fatalf("exit's code must win over stopped's, got %v", r.ExitCode)
	}
	code := 7
	s = New(Config{})
	s.Add(client.Event{Type: client.EventExit, ExitCode: &code})
	code = 9
	if r := s.Result(nil); *r.ExitCode != 7 {
		t.Fatal("ExitCode must not alias the event's pointer")
	}
}

func TestErrorEvents(t *testing.T) {
	s := New(Config{})
	for i := 1; i <= 15; i++ {
		s.Add(client.Event{Type: client.EventError, Data: fmt.Sprintf("\x1b[31mfailure %d\x1b[0m", i)})
	}
	r := s.Result(nil)
	if r.ErrorsSeen != 15 || len(r.Errors) != maxErrorEvents {
		t.Fatalf("ErrorsSeen %d, kept %d", r.ErrorsSeen, len(r.Errors))
	}
	if r.Errors[0] != "failure 1" || r.Errors[maxErrorEvents-1] != "failure 15" {
		t.Fatalf("want the first errors and the last, cleaned: %q", r.Errors)
	}
}

func TestResultTwice(t *testing.T) {
	s := New(Config{MaxChars: 500})
	for i := 0; i < 2000; i++ {
		s.Add(stdout(fmt.Sprintf("line %d\n", i)))
	}
	s.Add(stdout("unfinished"))
	a := s.Result(nil)
	b := s.Result(nil)
	if a.Output() != b.Output() || a.LinesSeen != b.LinesSeen || a.LinesSeen != 2001 {
		t.Fatalf("Result is not stable: %d vs %d lines", a.LinesSeen, b.LinesSeen)
	}
	s.Add(stdout("more\n"))
	if c := s.Result(nil); c.LinesSeen != 2002 || c.Lines[len(c.Lines)-1].Text != "more" {
		t.Fatalf("events after Result are counted: %d", c.LinesSeen)
	}
}

func TestTinyBudgets(t *testing.T) {
	for _, budget := range []int{1, 2, 5, 10, 19, 20, 25, 30, 50, 80} {
		s := New(Config{MaxChars: budget})
		for i := 0; i < 300; i++ {
			s.Add(stderr(fmt.Sprintf("a fairly long line number %d with some words in it\n", i)))
		}
		r := s.Result(nil)
		checkInvariants(t, r, budget)
		if budget >= 80 && (r.OmittedAtEnd != 0 || !strings.HasPrefix(r.Lines[len(r.Lines)-1].Text, "a fairly")) {
			t.Errorf("budget %d: the newest line should be shown, cut to fit:\n%s", budget, r.Output())
		}
	}
}

func TestLatestIsCleanAndEmptyAtFirst(t *testing.T) {
	s := New(Config{MaxLineChars: 20})
	if s.Latest() != "" {
		t.Fatal("Latest before output should be empty")
	}
	s.Add(stderr("\x1b[31mDB_PASSWORD=" + fake("", 10) + " and a long tail of words\n"))
	if got := s.Latest(); got != "DB_PASSWORD=*** and …[cut 20 chars]" {
		t.Fatalf("Latest = %q", got)
	}
}

func TestAddDoesNotAllocateForUnshownLines(t *testing.T) {
	s := New(Config{})
	lines := make([]client.Event, 4096)
	for i := range lines {
		lines[i] = stdout(fmt.Sprintf("2026-06-02T17:11:17.821Z INFO request %d served in 3ms\n", i))
	}
	// Fill the head and the tail so that every further line only passes through.
	for _, ev := range lines {
		s.Add(ev)
	}
	for _, ev := range lines {
		s.Add(ev)
	}
	i := 0
	allocs := testing.AllocsPerRun(20000, func() {
		s.Add(lines[i%len(lines)])
		i++
	})
	if allocs != 0 {
		t.Fatalf("Add allocates %v times per line, want 0", allocs)
	}
}

func TestErrorsKeptButNotInTheShownHeadOrTailAreShown(t *testing.T) {
	// Few enough lines that none falls out of the kept tail, yet too many to
	// show: the errors sit in kept lines the split leaves out.
	s := New(Config{MaxChars: 1000})
	for i := 0; i < 150; i++ {
		switch i {
		case 40:
			s.Add(stderr("Traceback (most recent call last):\n"))
		case 110:
			s.Add(stdout("WARN retry failed for job 7\n"))
		default:
			// Lines of differing shapes, so that they do not fold.
			s.Add(stdout(fmt.Sprintf("routine message %s\n", strings.Repeat("ab", 1+i%13))))
		}
	}
	r := s.Result(nil)
	checkInvariants(t, r, 1000)
	if s.mid.lineCount() != 0 {
		t.Fatal("the test needs every line kept in the head or tail")
	}
	a, b := findLine(r, "Traceback"), findLine(r, "retry failed")
	if a < 0 || b < 0 || r.Lines[a].OmittedBefore == 0 || r.Lines[b].OmittedBefore == 0 {
		t.Fatalf("error lines out of the shown head and tail should be shown out of turn:\n%s", r.Output())
	}
}

func TestLongProgressLineShowsItsLastUpdate(t *testing.T) {
	var b strings.Builder
	for i := 0; i <= 20000; i++ {
		fmt.Fprintf(&b, "\rcopying %d/20000", i)
	}
	s := New(Config{})
	s.Add(stdout(b.String() + "\n"))
	r := s.Result(nil)
	checkInvariants(t, r, DefaultMaxChars)
	if got := texts(r); len(got) != 1 || got[0] != "copying 20000/20000" {
		t.Fatalf("lines = %q, want the last update uncut", got)
	}
}

func TestCrashLoopErrorShownAtMostTwice(t *testing.T) {
	s := New(Config{MaxChars: 3000})
	for i := 0; i < 400; i++ {
		s.Add(stdout(fmt.Sprintf("starting worker pool, attempt %d\n", i)))
		for k := 0; k < 20; k++ {
			s.Add(stdout(fmt.Sprintf("loading plugin %d\n", k)))
		}
		s.Add(stderr("Error: listen EADDRINUSE: address already in use :::3000\n"))
	}
	s.Add(stdout("giving up\n"))
	r := s.Result(nil)
	checkInvariants(t, r, 3000)
	// Folding lets the head and tail hold whole attempts, error included;
	// out of turn, the one message appears at most twice more.
	outOfTurn, shown := 0, 0
	for _, l := range r.Lines {
		if strings.Contains(l.Text, "EADDRINUSE") {
			shown++
			if l.OmittedBefore > 0 {
				outOfTurn++
			}
		}
	}
	if shown == 0 || outOfTurn > 3 || r.Lines[len(r.Lines)-1].Text != "giving up" {
		t.Fatalf("the repeated error should be shown out of turn at most twice (plus the first line of the tail), got %d:\n%s", outOfTurn, r.Output())
	}
}

func TestShortRunsStayLines(t *testing.T) {
	s := New(Config{})
	for i := 0; i < minFold-1; i++ {
		s.Add(stdout(fmt.Sprintf("beat %d\n", i)))
	}
	r := s.Result(nil)
	checkInvariants(t, r, DefaultMaxChars)
	if got := strings.Join(texts(r), "|"); got != "beat 0|beat 1|beat 2|beat 3|beat 4" {
		t.Fatalf("a run shorter than %d should stay lines: %q", minFold, got)
	}
	s.Add(stdout(fmt.Sprintf("beat %d\n", minFold-1)))
	s.Add(stderr("done\n"))
	r = s.Result(nil)
	checkInvariants(t, r, DefaultMaxChars)
	if got := r.Output(); got != fmt.Sprintf("beat <n> (×%d, 0…%d)\n[stderr] done", minFold, minFold-1) {
		t.Fatalf("a run of %d should fold:\n%s", minFold, got)
	}
}

// TestTimeOrder interleaves stdout and stderr, with error blocks and runs,
// far past the budget, and checks that every shown line stands at the
// place in the stream where it happened, with its stream, so that shown
// lines and omitted markers read in the order things happened.
func TestTimeOrder(t *testing.T) {
	type orig struct{ stream, text string }
	var seen []orig
	s := New(Config{MaxChars: 2500})
	add := func(ev client.Event) {
		s.Add(ev)
		seen = append(seen, orig{string(ev.Type), strings.TrimSuffix(ev.Data, "\n")})
	}
	for i := 0; i < 6000; i++ {
		switch {
		case i%997 == 0:
			add(stderr(fmt.Sprintf("ERROR job %d failed: %s\n", i, strings.Repeat("z", i%7))))
			add(stderr("    at worker.run (/app/worker.js:10:5)\n"))
		case i%3 == 0:
			add(stderr(varied(i)))
		default:
			add(stdout(varied(i)))
		}
	}
	r := s.Result(nil)
	checkInvariants(t, r, 2500)
	seq := 0
	for _, l := range r.Lines {
		seq += l.OmittedBefore
		want := seen[seq]
		if l.Stream != want.stream {
			t.Fatalf("line at %d is shown on %s, it came on %s", seq, l.Stream, want.stream)
		}
		if l.Repeat == 1 && l.Text != strings.TrimRight(want.text, " ") {
			t.Fatalf("line at %d is %q, the stream had %q there", seq, l.Text, want.text)
		}
		seq += l.Repeat
	}
	if findLine(r, "ERROR job 5982 failed") < 0 || findLine(r, "ERROR job 0 failed") < 0 {
		t.Fatalf("error blocks of both ends are missing:\n%s", r.Output())
	}
}
