package client_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"strings"
	"time"

	"github.com/sprites-mcp/sprites-mcp/client"
)

// A stand-in for the Services API: start streams events, get answers 404.
func newExampleServer() *httptest.Server {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /v1/sprites/dev/services/web/start", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/x-ndjson")
		io.WriteString(w, `{"type":"started","timestamp":1780420277821}`+"\n")
		io.WriteString(w, `{"type":"stdout","data":"listening on :8080\n","timestamp":1780420277901}`+"\n")
		io.WriteString(w, `{"type":"complete","log_files":{"combined":"/.sprite/logs/services/web.log"}}`+"\n")
	})
	mux.HandleFunc("GET /v1/sprites/dev/services/api", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusNotFound)
		io.WriteString(w, `{"error":"not_found","message":"no such service"}`)
	})
	return httptest.NewServer(mux)
}

// Start a service, watch its first seconds, and tell a missing service
// from other failures.
func Example() {
	srv := newExampleServer()
	defer srv.Close()

	// For the public API: client.New(client.BaseURLFromEnv(os.Getenv),
	// client.WithToken(client.TokenFromEnv(os.Getenv))). Inside a Sprite:
	// client.New("unix://" + client.SocketPath).
	c, err := client.New(srv.URL, client.WithToken("org/1/2/secret"))
	if err != nil {
		log.Fatal(err)
	}
	ctx := context.Background()

	st, err := c.Start(ctx, "dev", "web", 5*time.Second)
	if err != nil {
		log.Fatal(err)
	}
	defer st.Close()
	for ev := range st.All() {
		switch {
		case ev.Type.IsOutput():
			fmt.Printf("%s: %q\n", ev.Type, ev.Data)
		case ev.Type == client.EventComplete:
			fmt.Println("log file:", ev.LogFiles.Primary())
		default:
			fmt.Println(ev.Type)
		}
	}
	if err := st.Err(); err != nil {
		log.Fatal(err)
	}

	_, err = c.Get(ctx, "dev", "api")
	fmt.Println(errors.Is(err, client.ErrNotFound))
	fmt.Println(err)
	// Output:
	// started
	// stdout: "listening on :8080\n"
	// log file: /.sprite/logs/services/web.log
	// true
	// get service: service "api" not found on sprite "dev" (not_found: no such service)
}

// Read the last lines of a service's log; lines that are not JSON arrive as
// raw stdout events.
func ExampleClient_Logs() {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, `{"type":"stderr","data":"warning: low disk\n"}`+"\n"+"a plain text line\n")
	}))
	defer srv.Close()
	c, _ := client.New(srv.URL)
	st, err := c.Logs(context.Background(), "dev", "web", client.LogsOptions{Lines: 50})
	if err != nil {
		log.Fatal(err)
	}
	defer st.Close()
	for ev := range st.All() {
		fmt.Printf("%s raw=%v %q\n", ev.Type, ev.Raw, ev.Data)
	}
	// Output:
	// stderr raw=false "warning: low disk\n"
	// stdout raw=true "a plain text line"
}

// NewStream decodes saved NDJSON, with a cap on what is kept of each event.
func ExampleNewStream() {
	saved := `{"type":"stdout","data":"0123456789"}` + "\n"
	st := client.NewStream(strings.NewReader(saved), 4)
	for st.Next() {
		ev := st.Event()
		fmt.Println(ev.Data, ev.Truncated)
	}
	// Output:
	// 0123 true
}
