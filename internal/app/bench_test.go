//go:build unix

package app

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"os"
	"syscall"
	"testing"
	"time"

	"github.com/mark3labs/mcp-go/mcp"

	"github.com/sprites-mcp/sprites-mcp/client"
	"github.com/sprites-mcp/sprites-mcp/internal/config"
)

// BenchmarkServiceGetMessage is the server's side of one service_get call
// without the HTTP transport: the JSON-RPC message handed to mcp-go,
// the tool, the client's request to the embedded runtime (in process),
// the runtime's answer, and the response encoded as the transport encodes
// it. Its time and allocations per call are the part of
// internal/httpbench's server CPU per call that this repository owns
// (with mcp-go's own handling, the same for any tool).
func BenchmarkServiceGetMessage(b *testing.B) {
	for _, rev := range []string{mcp.ProtocolVersion20251125, mcp.ProtocolVersion20260728} {
		b.Run(rev, func(b *testing.B) {
			srv, msg := serviceGetServer(b, rev)
			ctx := context.Background()
			var out bytes.Buffer
			b.ReportAllocs()
			cpu0 := processCPU(b)
			for b.Loop() {
				resp := srv.HandleMessage(ctx, msg)
				out.Reset()
				if err := json.NewEncoder(&out).Encode(resp); err != nil {
					b.Fatal(err)
				}
			}
			b.StopTimer()
			// The process's CPU time, the garbage collector's included: on a
			// shared machine it moves much less than the time per call.
			b.ReportMetric(float64(processCPU(b)-cpu0)/float64(b.N), "cpu-ns/op")
			if !bytes.Contains(out.Bytes(), []byte(`web on local: running`)) {
				b.Fatalf("not a running service: %s", out.Bytes())
			}
		})
	}
}

// serviceGetServer builds the server as Run does on an embedded runtime in
// a temporary state directory, with one running service, web; msg is a
// tools/call of service_get on it under protocol revision rev.
func serviceGetServer(b *testing.B, rev string) (srv interface {
	HandleMessage(context.Context, json.RawMessage) mcp.JSONRPCMessage
}, msg json.RawMessage) {
	b.Helper()
	state, err := os.MkdirTemp("", "smcpa") // short: the runtime's socket lives in it
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { os.RemoveAll(state) })
	env := map[string]string{"SPRITES_MCP_STATE_DIR": state, "SPRITES_API_URL": "local"}
	cfg, err := config.Parse(nil, func(k string) string { return env[k] })
	if err != nil {
		b.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	ctx := context.Background()
	be, err := openBackend(ctx, cfg, log)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() {
		cctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		be.close(cctx)
	})
	st, err := be.client.Put(ctx, be.defaultSprite, "web", client.ServiceRequest{Cmd: "sleep", Args: []string{"3600"}}, 0)
	if err != nil {
		b.Fatal(err)
	}
	st.Close()
	s, _, closeServer := newMCPServer(cfg, be, log)
	b.Cleanup(closeServer)

	params := map[string]any{"name": "service_get", "arguments": map[string]any{"service_name": "web"}}
	if rev == mcp.ProtocolVersion20260728 {
		// The revision without a handshake: each request says who it is.
		params["_meta"] = map[string]any{
			mcp.MetaKeyProtocolVersion:    rev,
			mcp.MetaKeyClientInfo:         map[string]any{"name": "bench", "version": "1"},
			mcp.MetaKeyClientCapabilities: map[string]any{},
		}
	}
	msg, err = json.Marshal(map[string]any{"jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": params})
	if err != nil {
		b.Fatal(err)
	}
	return s, msg
}

// processCPU is the CPU time this process has used, user and system.
func processCPU(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
