//go:build linux || darwin

package supervisor

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// A command found on PATH is looked for where it was found for a second,
// and on PATH again after that, or at once when it is gone from there. A
// command not found is not remembered.
func TestPathMemo(t *testing.T) {
	early, late := t.TempDir(), t.TempDir()
	t.Setenv("PATH", early+string(os.PathListSeparator)+late)
	install := func(dir string) string {
		p := filepath.Join(dir, "svc-tool")
		if err := os.WriteFile(p, []byte("#!/bin/sh\n"), 0o755); err != nil {
			t.Fatal(err)
		}
		return p
	}
	m := &pathMemo{found: map[pathKey]pathFound{}}
	now := time.Now()
	if _, err := m.lookPath("svc-tool", now); err == nil || !strings.Contains(err.Error(), "not found") {
		t.Fatalf("a missing command: %v", err)
	}
	inLate := install(late)
	if p, err := m.lookPath("svc-tool", now); p != inLate || err != nil {
		t.Fatalf("installed after a miss: %q %v", p, err)
	}
	inEarly := install(early)
	if p, _ := m.lookPath("svc-tool", now.Add(pathMemoFor/2)); p != inLate {
		t.Fatalf("within the memory: %q, want the remembered %q", p, inLate)
	}
	if p, _ := m.lookPath("svc-tool", now.Add(pathMemoFor)); p != inEarly {
		t.Fatalf("after the memory: %q, want %q, first on PATH", p, inEarly)
	}
	// Remembered in early now; gone from there, it is looked up again.
	if err := os.Remove(inEarly); err != nil {
		t.Fatal(err)
	}
	if p, _ := m.lookPath("svc-tool", now.Add(pathMemoFor)); p != inLate {
		t.Fatalf("the remembered file is gone: %q, want %q", p, inLate)
	}
	// Not executable any more: not used.
	if err := os.Chmod(inLate, 0o644); err != nil {
		t.Fatal(err)
	}
	if p, err := m.lookPath("svc-tool", now.Add(pathMemoFor)); err == nil {
		t.Fatalf("a file no longer executable was used: %q", p)
	}
	// Whatever is looked up, the memory stays bounded.
	for i := range 3 * maxPathMemos {
		t.Setenv("PATH", late+string(os.PathListSeparator)+strings.Repeat("x", i))
		_ = os.Chmod(inLate, 0o755)
		_, _ = m.lookPath("svc-tool", now)
	}
	if n := len(m.found); n > maxPathMemos {
		t.Fatalf("%d commands remembered, bound %d", n, maxPathMemos)
	}
}
