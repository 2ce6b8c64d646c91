package tools

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/mark3labs/mcp-go/mcp"

	"github.com/sprites-mcp/sprites-mcp/schema"
)

// designHints is the design's table of hints: readOnly / destructive /
// idempotent for each tool, in the order All returns them.
var designHints = []struct {
	name                              string
	readOnly, destructive, idempotent bool
}{
	{"service_list", true, false, true},
	{"service_get", true, false, true},
	{"service_create", false, true, true},
	{"service_start", false, false, true},
	{"service_stop", false, true, true},
	{"service_restart", false, true, false},
	{"service_logs", true, false, true},
	{"service_delete", false, true, true},
	{"service_signal", false, true, false},
	{"list_sprites", true, false, true},
}

// TestHints checks every tool sets all four hints explicitly, never
// readOnly together with destructive, as the design's table says, and
// openWorld as the backend says.
func TestHints(t *testing.T) {
	for _, openWorld := range []bool{false, true} {
		ts := All(Deps{OpenWorld: openWorld})
		if len(ts) != len(designHints) {
			t.Fatalf("%d tools, the design has %d", len(ts), len(designHints))
		}
		for i, st := range ts {
			want := designHints[i]
			a := st.Tool.Annotations
			if st.Tool.Name != want.name {
				t.Errorf("tool %d is %s, want %s (design order)", i, st.Tool.Name, want.name)
			}
			if a.ReadOnlyHint == nil || a.DestructiveHint == nil || a.IdempotentHint == nil || a.OpenWorldHint == nil {
				t.Errorf("%s: a hint is not set: %+v", st.Tool.Name, a)
				continue
			}
			if *a.ReadOnlyHint && *a.DestructiveHint {
				t.Errorf("%s: readOnly and destructive together", st.Tool.Name)
			}
			if *a.ReadOnlyHint != want.readOnly || *a.DestructiveHint != want.destructive || *a.IdempotentHint != want.idempotent {
				t.Errorf("%s: hints %v/%v/%v, design says %v/%v/%v", st.Tool.Name,
					*a.ReadOnlyHint, *a.DestructiveHint, *a.IdempotentHint, want.readOnly, want.destructive, want.idempotent)
			}
			if *a.OpenWorldHint != openWorld {
				t.Errorf("%s: openWorldHint %v with OpenWorld %v", st.Tool.Name, *a.OpenWorldHint, openWorld)
			}
			if st.Tool.Title == "" || a.Title != st.Tool.Title || len(st.Tool.Description) < 40 {
				t.Errorf("%s: title %q / %q, description %q", st.Tool.Name, st.Tool.Title, a.Title, st.Tool.Description)
			}
			if err := schema.Check(st.Tool.RawInputSchema); err != nil {
				t.Errorf("%s input schema: %v", st.Tool.Name, err)
			}
			if err := schema.CheckOutput(st.Tool.RawOutputSchema); err != nil {
				t.Errorf("%s output schema: %v", st.Tool.Name, err)
			}
			if _, err := json.Marshal(st.Tool); err != nil {
				t.Errorf("%s does not marshal: %v", st.Tool.Name, err)
			}
		}
	}
}

// snapshotNames are the files tools/testdata may hold; anything else there
// is an orphan.
var snapshotNames = []string{"tools_list.json"}

// TestToolsListSnapshot compares tools/list, as a client receives it under
// each protocol revision, with testdata/tools_list.json
// (UPDATE_SNAPSHOTS=1 rewrites it).
func TestToolsListSnapshot(t *testing.T) {
	path := filepath.Join("testdata", "tools_list.json")
	for _, proto := range protocols {
		t.Run(proto, func(t *testing.T) {
			h := newHarness(t, harnessOpts{protocol: proto})
			got := listTools(t, h)
			if os.Getenv("UPDATE_SNAPSHOTS") != "" {
				if err := os.WriteFile(path, got, 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("no snapshot (%v): run UPDATE_SNAPSHOTS=1 go test ./tools", err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("tools/list differs from %s; if intended, run UPDATE_SNAPSHOTS=1 go test ./tools\ngot:\n%s", path, got)
			}
		})
	}
}

// listTools lists the tools through the client and renders them as
// indented JSON.
func listTools(t *testing.T, h *harness) []byte {
	t.Helper()
	res, err := h.mc.ListTools(context.Background(), mcp.ListToolsRequest{})
	if err != nil {
		t.Fatal(err)
	}
	raw, err := json.Marshal(res.Tools)
	if err != nil {
		t.Fatal(err)
	}
	var pretty bytes.Buffer
	if err := json.Indent(&pretty, raw, "", "  "); err != nil {
		t.Fatal(err)
	}
	pretty.WriteByte('\n')
	return pretty.Bytes()
}

// TestNoOrphanSnapshots fails on a file in testdata that no test writes.
func TestNoOrphanSnapshots(t *testing.T) {
	files, err := os.ReadDir("testdata")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		if f.IsDir() && f.Name() == "fuzz" {
			continue // the fuzz targets' seed corpora, in go test's own layout
		}
		if !slices.Contains(snapshotNames, f.Name()) {
			t.Errorf("orphaned snapshot testdata/%s: delete it or add it to snapshotNames", f.Name())
		}
	}
	for _, n := range snapshotNames {
		if _, err := os.Stat(filepath.Join("testdata", n)); err != nil {
			t.Errorf("missing snapshot testdata/%s: run UPDATE_SNAPSHOTS=1 go test ./tools", n)
		}
	}
}

// TestReadOnlyFilter checks --read-only hides the write tools from listing
// and refuses to call them, under both revisions.
func TestReadOnlyFilter(t *testing.T) {
	for _, proto := range protocols {
		t.Run(proto, func(t *testing.T) {
			h := newHarness(t, harnessOpts{protocol: proto, readOnly: true})
			res, err := h.mc.ListTools(context.Background(), mcp.ListToolsRequest{})
			if err != nil {
				t.Fatal(err)
			}
			var names []string
			for _, tl := range res.Tools {
				names = append(names, tl.Name)
			}
			// mcp-go lists tools sorted by name.
			want := []string{"list_sprites", "service_get", "service_list", "service_logs"}
			if !slices.Equal(names, want) {
				t.Errorf("read-only listing %v, want %v", names, want)
			}
			for _, d := range designHints {
				if d.readOnly {
					continue
				}
				res, err := h.callErr(d.name, map[string]any{"service_name": "web", "cmd": "sleep", "signal": "TERM"}, nil)
				if err == nil && (res == nil || !res.IsError) {
					t.Errorf("read-only server ran %s", d.name)
				}
			}
			h.mustOK("service_list", nil)
			// Nothing was created behind the filter's back.
			list, err := h.api.List(context.Background(), "local")
			if err != nil || len(list) != 0 {
				t.Errorf("services after refused writes: %v %v", list, err)
			}
		})
	}
}
