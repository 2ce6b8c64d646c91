package resources_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/sprites-mcp/sprites-mcp/client"
)

// The read benchmarks measure a whole resources/read through an in-process
// MCP client (2026-07-28) on the embedded runtime over its unix socket:
// hook, backend call, rendering, protocol encoding.
//
//	go test -run '^$' -bench . -benchmem ./resources/

func BenchmarkReadService(b *testing.B) {
	h := newHarness(b)
	h.create("web", sleeper())
	c := h.connect(protocols[1].Opts, protocols[1].Name)
	b.ResetTimer()
	for b.Loop() {
		readText(b, c, "sprites://local/services/web")
	}
}

func BenchmarkReadList50(b *testing.B) {
	h := newHarness(b)
	for i := range 50 {
		h.create(fmt.Sprintf("svc%02d", i), sleeper())
	}
	c := h.connect(protocols[1].Opts, protocols[1].Name)
	b.ResetTimer()
	for b.Loop() {
		readText(b, c, "sprites://local/services")
	}
}

func BenchmarkReadLogs2000(b *testing.B) {
	h := newHarness(b)
	h.create("counter", client.ServiceRequest{Cmd: "sh", Args: []string{"-c",
		`i=1; while [ $i -le 3000 ]; do echo "line $i with some text after it"; i=$((i+1)); done; exec sleep 1000`}})
	c := h.connect(protocols[1].Opts, protocols[1].Name)
	deadline := time.Now().Add(15 * time.Second)
	for {
		if text, _ := readText(b, c, "sprites://local/services/counter/logs?lines=1"); text == "line 3000 with some text after it\n" {
			break
		}
		if time.Now().After(deadline) {
			b.Fatal("the log never reached line 3000")
		}
		time.Sleep(50 * time.Millisecond)
	}
	b.ResetTimer()
	for b.Loop() {
		readText(b, c, "sprites://local/services/counter/logs?lines=2000")
	}
}
