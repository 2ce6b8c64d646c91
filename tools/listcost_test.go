package tools

import (
	"context"
	"encoding/json"
	"testing"
	"unicode/utf8"

	"github.com/mark3labs/mcp-go/mcp"
)

// What tools/list costs a client, in characters of JSON. The whole list is
// what every session downloads; the model's part (each tool's name,
// description and input schema) is what a client puts before the model on
// every turn, so it is held tighter. Output schemas are for the client's
// validation, not the model.
const (
	maxListChars  = 24000
	maxModelChars = 8000
)

// TestToolListCost prints what tools/list costs and fails above the
// budgets. The figures are taken as a client receives the list, through
// mcp-go's client.
//
//	go test ./tools -run TestToolListCost -v
func TestToolListCost(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	res, err := h.mc.ListTools(context.Background(), mcp.ListToolsRequest{})
	if err != nil {
		t.Fatal(err)
	}
	all, model, outputs := listCost(t, res.Tools)
	t.Logf("tools/list: %d characters; the model's part (names, descriptions, input schemas): %d; output schemas: %d",
		all, model, outputs)
	if all > maxListChars {
		t.Errorf("tools/list is %d characters, over the budget of %d", all, maxListChars)
	}
	if model > maxModelChars {
		t.Errorf("the model's part of tools/list is %d characters, over the budget of %d", model, maxModelChars)
	}
}

// listCost measures a tool list: the whole of it as JSON, the model's part
// and the output schemas.
func listCost(t *testing.T, tools []mcp.Tool) (all, model, outputs int) {
	t.Helper()
	chars := func(v any) int {
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		return utf8.RuneCount(b)
	}
	all = chars(tools)
	for _, tl := range tools {
		raw, err := json.Marshal(tl)
		if err != nil {
			t.Fatal(err)
		}
		var parts map[string]json.RawMessage
		if err := json.Unmarshal(raw, &parts); err != nil {
			t.Fatal(err)
		}
		if len(parts["inputSchema"]) == 0 || len(parts["outputSchema"]) == 0 {
			t.Fatalf("%s lacks a schema: %s", tl.Name, raw)
		}
		model += chars(map[string]json.RawMessage{
			"name": parts["name"], "description": parts["description"], "inputSchema": parts["inputSchema"],
		})
		outputs += utf8.RuneCount(parts["outputSchema"])
	}
	return all, model, outputs
}
