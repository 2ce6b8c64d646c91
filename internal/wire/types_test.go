package wire

import (
	"encoding/json"
	"reflect"
	"testing"
	"time"
)

// The JSON form of the types is the Services API's; these pin it key by
// key, as both the runtime (encoding) and the client (decoding) use it.

func TestServiceWireForm(t *testing.T) {
	port := 8080
	started := time.Date(2026, 6, 2, 17, 11, 17, 821000000, time.UTC)
	svc := Service{Name: "web", Cmd: "sh", Args: []string{"-c", "x"}, Env: map[string]string{"A": "b"},
		Dir: "/srv", Needs: []string{"db"}, HTTPPort: &port,
		State: State{Name: "web", Status: StatusRunning, PID: 42, StartedAt: started, Error: "e", RestartCount: 3}}
	b, err := json.Marshal(svc)
	if err != nil {
		t.Fatal(err)
	}
	const want = `{"name":"web","cmd":"sh","args":["-c","x"],"env":{"A":"b"},"dir":"/srv","needs":["db"],"http_port":8080,` +
		`"state":{"name":"web","status":"running","pid":42,"started_at":"2026-06-02T17:11:17.821Z","error":"e",` +
		`"restart_count":3,"next_restart_at":"0001-01-01T00:00:00Z"}}`
	if string(b) != want {
		t.Errorf("encoded\n%s\nwant\n%s", b, want)
	}
	var back Service
	if err := json.Unmarshal(b, &back); err != nil || !reflect.DeepEqual(back, svc) {
		t.Errorf("decoded back %+v (%v); want %+v", back, err, svc)
	}
}

func TestServiceDecodesTolerantly(t *testing.T) {
	var s Service
	err := json.Unmarshal([]byte(`{"name":"w","cmd":"c","needs":null,"http_port":null,"extra":1,`+
		`"state":{"status":"failed","started_at":"","next_restart_at":"soon","restart_count":2}}`), &s)
	if err != nil {
		t.Fatal(err)
	}
	if s.Needs == nil || len(s.Needs) != 0 || s.HTTPPort != nil || s.Env != nil ||
		!s.State.StartedAt.IsZero() || !s.State.NextRestartAt.IsZero() || s.State.Status != StatusFailed || s.State.RestartCount != 2 {
		t.Errorf("decoded %+v", s)
	}
	if err := json.Unmarshal([]byte(`{"name":5}`), &s); err == nil {
		t.Error("a name that is not a string was accepted")
	}
}

func TestServiceRequestWireForm(t *testing.T) {
	port := 3000
	b, _ := json.Marshal(ServiceRequest{Cmd: "c", Args: []string{"a"}, Env: map[string]string{"K": "v"}, Dir: "/d", Needs: []string{"n"}, HTTPPort: &port})
	if want := `{"cmd":"c","args":["a"],"env":{"K":"v"},"dir":"/d","needs":["n"],"http_port":3000}`; string(b) != want {
		t.Errorf("encoded %s; want %s", b, want)
	}
	b, _ = json.Marshal(ServiceRequest{Name: "web", Cmd: "c"})
	if want := `{"name":"web","cmd":"c"}`; string(b) != want {
		t.Errorf("encoded %s; want %s (empty fields left out)", b, want)
	}
}

func TestEventWireForm(t *testing.T) {
	code := 143
	ev := Event{Type: EventStopped, ExitCode: &code, Timestamp: 1780420277821, LogFiles: &LogFiles{Combined: "/l"}}
	b, _ := json.Marshal(ev)
	if want := `{"type":"stopped","exit_code":143,"timestamp":1780420277821,"log_files":{"combined":"/l"}}`; string(b) != want {
		t.Errorf("encoded %s; want %s", b, want)
	}
	if got := ev.Time(); !got.Equal(time.UnixMilli(1780420277821)) || !(Event{}).Time().IsZero() {
		t.Errorf("Time() = %s", got)
	}
	if !EventStdout.IsOutput() || !EventStderr.IsOutput() || EventExit.IsOutput() {
		t.Error("IsOutput is wrong")
	}
}

func TestLogFilesPrimary(t *testing.T) {
	cases := []struct {
		l    *LogFiles
		want string
	}{
		{nil, ""},
		{&LogFiles{Combined: "c", Stdout: "o", Stderr: "e"}, "c"},
		{&LogFiles{Stdout: "o", Stderr: "e"}, "o"},
		{&LogFiles{Stderr: "e"}, "e"},
	}
	for _, c := range cases {
		if got := c.l.Primary(); got != c.want {
			t.Errorf("%+v: %q; want %q", c.l, got, c.want)
		}
	}
}

func TestSpritesPageWireForm(t *testing.T) {
	b, _ := json.Marshal(SpritesPage{Sprites: []Sprite{{Name: "local", Status: "running"}}})
	if want := `{"sprites":[{"name":"local","status":"running"}],"has_more":false}`; string(b) != want {
		t.Errorf("encoded %s; want %s", b, want)
	}
}

// TestStateFieldsMatch: stateFields, which State and Service decode
// through, has every field of State with the same JSON name, so a field
// added to State cannot be silently dropped on decoding.
func TestStateFieldsMatch(t *testing.T) {
	st, sf := reflect.TypeFor[State](), reflect.TypeFor[stateFields]()
	if st.NumField() != sf.NumField() {
		t.Fatalf("State has %d fields, stateFields %d", st.NumField(), sf.NumField())
	}
	for i := range st.NumField() {
		a, b := st.Field(i), sf.Field(i)
		sameType := a.Type == b.Type || (a.Type == reflect.TypeFor[time.Time]() && b.Type == reflect.TypeFor[tolerantTime]())
		if a.Name != b.Name || a.Tag.Get("json") != b.Tag.Get("json") || !sameType {
			t.Errorf("field %d: State has %s %s %q, stateFields %s %s %q", i, a.Name, a.Type, a.Tag.Get("json"), b.Name, b.Type, b.Tag.Get("json"))
		}
	}
}

// TestDecodeServiceMatchesUnmarshal: the one-pass decoders give what
// json.Unmarshal into a Service gives, tolerance and errors included.
func TestDecodeServiceMatchesUnmarshal(t *testing.T) {
	for _, in := range []string{
		getAnswerForTest,
		`{"name":"w","cmd":"c","needs":null,"http_port":null,"extra":1,` +
			`"state":{"status":"failed","started_at":"","next_restart_at":"soon","restart_count":2}}`,
		`{"name":"w","cmd":"c","env":{"A":"b"},"dir":"/d","needs":["db"],"http_port":8080,"state":null}`,
		`{}`,
		`{"name":5}`,
		`[]`,
		``,
	} {
		var want Service
		wantErr := json.Unmarshal([]byte(in), &want)
		got, err := DecodeService([]byte(in))
		if (err != nil) != (wantErr != nil) || (err == nil && !reflect.DeepEqual(got, want)) {
			t.Errorf("DecodeService(%s) = %+v, %v; want %+v, %v", in, got, err, want, wantErr)
		}
		var wantList []Service
		wantErr = json.Unmarshal([]byte("["+in+"]"), &wantList)
		gotList, err := DecodeServices([]byte("[" + in + "]"))
		if (err != nil) != (wantErr != nil) || (err == nil && !reflect.DeepEqual(gotList, wantList)) {
			t.Errorf("DecodeServices([%s]) = %+v, %v; want %+v, %v", in, gotList, err, wantList, wantErr)
		}
	}
	if list, err := DecodeServices([]byte("null")); err != nil || list == nil || len(list) != 0 {
		t.Errorf("DecodeServices(null) = %#v, %v; want an empty list", list, err)
	}
}
