package supervisor

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzLoadState feeds arbitrary state.json files to the loader.
// Invariants: no panic; the file is never changed by loading it; a
// refusal is one clear, valid UTF-8 message that names the file and is
// bounded by it; an accepted file has a version this runtime reads, and
// what it holds, saved and loaded again, is saved the same (a restart
// loses nothing and invents nothing).
//
//	go test -run '^$' -fuzz FuzzLoadState -fuzztime 30s ./supervisor
func FuzzLoadState(f *testing.F) {
	path := filepath.Join(f.TempDir(), "state.json")
	f.Fuzz(func(t *testing.T, file []byte) {
		if err := os.WriteFile(path, file, 0o600); err != nil {
			t.Fatal(err)
		}
		st, err := loadState(path)
		if after, rerr := os.ReadFile(path); rerr != nil || !bytes.Equal(after, file) {
			t.Fatalf("loading changed the file: %v", rerr)
		}
		if err != nil {
			msg := err.Error()
			if !utf8.ValidString(msg) || !strings.Contains(msg, path) || len(msg) > 10*len(file)+600+len(path) {
				t.Fatalf("loadState(%q): message %q", file, msg)
			}
			return
		}
		if st.Version > stateVersion {
			t.Fatalf("loadState(%q): accepted version %d", file, st.Version)
		}
		saved, err := json.Marshal(st)
		if err != nil {
			t.Fatalf("loadState(%q): accepted %+v, which does not save: %v", file, st, err)
		}
		if err := os.WriteFile(path, saved, 0o600); err != nil {
			t.Fatal(err)
		}
		again, err := loadState(path)
		if err != nil {
			t.Fatalf("loadState(%q): saved as %s, which does not load: %v", file, saved, err)
		}
		if resaved, _ := json.Marshal(again); !bytes.Equal(saved, resaved) {
			t.Fatalf("loadState(%q): saved as %s, loaded and saved again as %s", file, saved, resaved)
		}
	})
}
