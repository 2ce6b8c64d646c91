//go:build unix

package main

import (
	"bufio"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
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

// benchServer returns the plain binary and a fresh state directory,
// removed when the benchmark ends.
func benchServer(b *testing.B) (bin, state string) {
	bin, err := plainBinary()
	if err != nil {
		b.Fatal(err)
	}
	state, err = os.MkdirTemp("", "smcpb")
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { os.RemoveAll(state) })
	return bin, state
}

// BenchmarkStdioServiceGet is the round trip an agent feels: a tools/call
// of service_get written to the binary's stdin, through the embedded
// runtime's unix socket, back as a summary on stdout. It reports the p50
// and p99 latency of the calls it made.
func BenchmarkStdioServiceGet(b *testing.B) {
	bin, state := benchServer(b)
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
	reportLatency(b, lat)
}

// BenchmarkStdioServiceGetRaw is the same round trip with the thinnest
// possible client: one JSON-RPC line written, one read. It is the server's
// own latency; the difference to BenchmarkStdioServiceGet is what mcp-go's
// client adds (its request bookkeeping and result parsing).
func BenchmarkStdioServiceGetRaw(b *testing.B) {
	bin, state := benchServer(b)
	cmd := exec.Command(bin)
	cmd.Env = append(os.Environ(), serverEnv(state)...)
	stdin, _ := cmd.StdinPipe()
	stdout, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	defer func() { stdin.Close(); cmd.Wait() }() // closing stdin stops the server and its services
	out := bufio.NewReaderSize(stdout, 1<<20)
	roundTrip := func(line string) string {
		if _, err := stdin.Write([]byte(line + "\n")); err != nil {
			b.Fatal(err)
		}
		for {
			resp, err := out.ReadString('\n')
			if err != nil {
				b.Fatal(err)
			}
			if strings.Contains(resp, `"id":`) { // not a notification
				return resp
			}
		}
	}
	roundTrip(`{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"raw","version":"1"}}}`)
	stdin.Write([]byte(`{"jsonrpc":"2.0","method":"notifications/initialized"}` + "\n"))
	if resp := roundTrip(`{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"service_create","arguments":{"service_name":"web","cmd":"sleep","args":["300"],"duration":"0"}}}`); !strings.Contains(resp, "running") {
		b.Fatalf("create: %s", resp)
	}
	get := `{"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"service_get","arguments":{"service_name":"web"}}}`
	lat := make([]time.Duration, 0, b.N)
	for b.Loop() {
		t0 := time.Now()
		resp := roundTrip(get)
		lat = append(lat, time.Since(t0))
		if !strings.Contains(resp, `"status":"running"`) {
			b.Fatalf("get: %s", resp)
		}
	}
	reportLatency(b, lat)
}

// reportLatency reports the median and 99th percentile of the calls.
func reportLatency(b *testing.B, lat []time.Duration) {
	slices.Sort(lat)
	pct := func(p float64) float64 { return float64(lat[int(p*float64(len(lat)-1))].Microseconds()) }
	b.ReportMetric(pct(0.50), "p50-µs")
	b.ReportMetric(pct(0.99), "p99-µs")
}
