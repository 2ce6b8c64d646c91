package supervisor

import (
	"bytes"
	"encoding/json"
	"reflect"
	"testing"
	"time"
)

// TestViewJSONFollowsChanges: the kept JSON of a view is the view's
// encoding, and a change of the state or a new definition is seen.
func TestViewJSONFollowsChanges(t *testing.T) {
	s := &service{name: "web", def: definition{Cmd: "sleep", Args: []string{"1"}}, status: StatusStopped}
	check := func(what string) {
		t.Helper()
		var want bytes.Buffer
		enc := json.NewEncoder(&want)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(s.view()); err != nil {
			t.Fatal(err)
		}
		got, err := s.viewJSON()
		if err != nil || !bytes.Equal(append(got, '\n'), want.Bytes()) {
			t.Fatalf("%s: %s (%v), want %s", what, got, err, want.Bytes())
		}
	}
	check("first")
	check("unchanged")
	s.mu.Lock()
	s.status, s.errText, s.restarts = StatusFailed, "exited with code 1 <&>", 2
	s.nextRestart = time.Now()
	s.mu.Unlock()
	check("a crash")
	s.mu.Lock()
	s.def, s.defGen = definition{Cmd: "sleep", Args: []string{"2"}}, s.defGen+1
	s.mu.Unlock()
	check("a new definition")
}

// TestSameStateComparesEveryField: a field added to State must be added
// to sameState, or a list would keep showing its old value.
func TestSameStateComparesEveryField(t *testing.T) {
	base := State{Name: "a", Status: StatusRunning, PID: 1, StartedAt: time.Unix(1, 0), Error: "e",
		RestartCount: 1, NextRestartAt: time.Unix(2, 0)}
	v := reflect.ValueOf(&base).Elem()
	for i := range v.NumField() {
		changed := base
		f := reflect.ValueOf(&changed).Elem().Field(i)
		switch f.Kind() {
		case reflect.String:
			f.SetString(f.String() + "x")
		case reflect.Int:
			f.SetInt(f.Int() + 1)
		default:
			if tm, ok := f.Interface().(time.Time); ok {
				f.Set(reflect.ValueOf(tm.Add(time.Second)))
			} else {
				t.Fatalf("State.%s: a field of a kind this test does not change: teach it and sameState", v.Type().Field(i).Name)
			}
		}
		if sameState(base, changed) {
			t.Errorf("sameState ignores State.%s", v.Type().Field(i).Name)
		}
	}
}
