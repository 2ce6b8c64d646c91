package main

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	mcpclient "github.com/mark3labs/mcp-go/client"
	"github.com/mark3labs/mcp-go/mcp"
)

// plainBinary builds the server without the race detector, once, for
// benchmarks: the tests' race build would measure the detector.
var plainBinary = sync.OnceValues(func() (string, error) {
	dir, err := os.MkdirTemp("", "smcp-bench")
	if err != nil {
		return "", err
	}
	bin := filepath.Join(dir, "sprites-mcp")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		return "", &exec.Error{Name: string(out), Err: err}
	}
	return bin, nil
})

// BenchmarkStdioServiceGet is the round trip an agent feels: a tools/call
// of service_get written to the binary's stdin, through the embedded
// runtime's unix socket, back as a summary on stdout. It reports the p50
// and p99 latency of the calls it made.
func BenchmarkStdioServiceGet(b *testing.B) {
	bin, err := plainBinary()
	if err != nil {
		b.Fatal(err)
	}
	state, err := os.MkdirTemp("", "smcpb")
	if err != nil {
		b.Fatal(err)
	}
	defer os.RemoveAll(state)
	c, err := mcpclient.NewStdioMCPClient(bin, serverEnv(state))
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	ctx := context.Background()
	init := mcp.InitializeRequest{}
	init.Params.ProtocolVersion = mcp.ProtocolVersion20251125
	if _, err := c.Initialize(ctx, init); err != nil {
		b.Fatal(err)
	}
	create := mcp.CallToolRequest{}
	create.Params.Name = "service_create"
	create.Params.Arguments = map[string]any{"service_name": "web", "cmd": "sleep", "args": []string{"300"}, "duration": "0"}
	if res, err := c.CallTool(ctx, create); err != nil || res.IsError {
		b.Fatalf("create: %v %+v", err, res)
	}

	get := mcp.CallToolRequest{}
	get.Params.Name = "service_get"
	get.Params.Arguments = map[string]any{"service_name": "web"}
	lat := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for b.Loop() {
		t0 := time.Now()
		res, err := c.CallTool(ctx, get)
		lat = append(lat, time.Since(t0))
		if err != nil || res.IsError {
			b.Fatalf("get: %v %+v", err, res)
		}
	}
	b.StopTimer()
	slices.Sort(lat)
	pct := func(p float64) float64 { return float64(lat[int(p*float64(len(lat)-1))].Microseconds()) }
	b.ReportMetric(pct(0.50), "p50-µs")
	b.ReportMetric(pct(0.99), "p99-µs")
}
