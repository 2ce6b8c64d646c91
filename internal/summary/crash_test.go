package summary

import "testing"

func TestCauseRanks(t *testing.T) {
	for _, c := range []struct {
		lines []string
		want  string
	}{
		{[]string{"ERROR db slow", "panic: boom", "", "goroutine 1 [running]:", "main.main()", "\t/app/main.go:3 +0x1d", "exit status 2"}, "panic: boom"},
		{[]string{"WARN retry failed", "exit status 1"}, "WARN retry failed"},
		{[]string{"exit status 1"}, "exit status 1"},
		{[]string{"npm ERR! code ELIFECYCLE", "sh: 1: next: not found", "npm ERR! errno 127"}, "sh: 1: next: not found"},
		{[]string{"Traceback (most recent call last):", `  File "/a.py", line 1, in <module>`, "    f()", "KeyboardInterrupt"}, "KeyboardInterrupt"},
		{[]string{"thread 'main' panicked at 'index out of bounds', src/main.rs:3:5"}, "thread 'main' panicked at 'index out of bounds', src/main.rs:3:5"},
		{[]string{"started", "all good"}, ""},
	} {
		s := New(Config{})
		for _, l := range c.lines {
			s.Add(stderr(l + "\n"))
		}
		if got := s.Result(nil).Cause; got != c.want {
			t.Errorf("lines %q: cause %q, want %q", c.lines, got, c.want)
		}
	}
	if !IsExitNotice("exit status 2") || IsExitNotice("panic: x") {
		t.Fatal("IsExitNotice")
	}
}
