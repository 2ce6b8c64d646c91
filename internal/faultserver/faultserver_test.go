package faultserver

import (
	"bufio"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"testing"
	"time"
)

func TestRoutes(t *testing.T) {
	for _, tc := range []struct{ method, path, route, service string }{
		{"GET", "/v1/sprites", "sprites", ""},
		{"GET", "/v1/sprites/dev/services", "list", ""},
		{"GET", "/v1/services", "list", ""},
		{"GET", "/v1/sprites/dev/services/web", "get", "web"},
		{"PUT", "/v1/services/web", "put", "web"},
		{"DELETE", "/v1/sprites/dev/services/web", "delete", "web"},
		{"POST", "/v1/sprites/dev/services/signal", "signal", ""},
		{"POST", "/v1/services/web/start", "start", "web"},
		{"GET", "/v1/sprites/dev/services/web/logs", "logs", "web"},
	} {
		r := httptest.NewRequest(tc.method, tc.path, nil)
		if route, service := route(r); route != tc.route || service != tc.service {
			t.Errorf("%s %s: route %q service %q; want %q %q", tc.method, tc.path, route, service, tc.route, tc.service)
		}
	}
}

// Without a fault the answers are the documented ones: JSON that decodes,
// streams that end with complete.
func TestOKAnswers(t *testing.T) {
	s := New(t, OK)
	resp, err := http.Get(s.URL + "/v1/sprites/dev/services/web")
	if err != nil {
		t.Fatal(err)
	}
	var svc struct {
		Name  string
		State struct{ Status string }
	}
	if err := json.NewDecoder(resp.Body).Decode(&svc); err != nil || svc.Name != "web" || svc.State.Status != "running" {
		t.Errorf("get: %+v, %v", svc, err)
	}
	resp.Body.Close()
	resp, err = http.Post(s.URL+"/v1/sprites/dev/services/web/stop?timeout=1s", "", nil)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	lines := strings.Split(strings.TrimSpace(string(body)), "\n")
	if resp.Header.Get("Content-Type") != "application/x-ndjson" || len(lines) != 3 ||
		!strings.Contains(lines[1], `"stopped"`) || !strings.Contains(lines[2], `"complete"`) {
		t.Errorf("stop stream:\n%s", body)
	}
	if s.Requests() != 2 {
		t.Errorf("%d requests counted; want 2", s.Requests())
	}
}

// The huge line has exactly the size asked for, and the server does not
// hold it in memory: the whole exchange allocates a small part of it.
func TestHugeLineIsStreamed(t *testing.T) {
	s := New(t, HugeLine)
	s.HugeLineSize = 20 << 20
	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	resp, err := http.Get(s.URL + "/v1/services/web/logs")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	br := bufio.NewReader(resp.Body)
	var sizes []int
	for {
		n := 0
		for {
			chunk, err := br.ReadSlice('\n')
			n += len(chunk)
			if err != bufio.ErrBufferFull {
				break
			}
		}
		if n == 0 {
			break
		}
		sizes = append(sizes, n)
	}
	runtime.ReadMemStats(&after)
	if len(sizes) != 4 || sizes[1] < s.HugeLineSize || sizes[1] > s.HugeLineSize+100 {
		t.Errorf("line sizes %v; want 4 lines, the second of about %d bytes", sizes, s.HugeLineSize)
	}
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 4<<20 {
		t.Errorf("allocated %d bytes for a %d-byte line", alloc, s.HugeLineSize)
	}
}

// A request held by NoHeaders ends when the test that made the server
// ends, so no handler outlives it.
func TestHeldRequestEndsWithTheTest(t *testing.T) {
	done := make(chan error, 1)
	t.Run("server", func(t *testing.T) {
		s := New(t, NoHeaders)
		go func() {
			resp, err := http.Get(s.URL + "/v1/services/web")
			if err == nil {
				resp.Body.Close()
			}
			done <- err
		}()
		for s.Requests() == 0 {
			time.Sleep(time.Millisecond)
		}
	})
	select {
	case err := <-done:
		if err == nil {
			t.Error("a request held without headers got an answer")
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the held request outlived its server by 10s")
	}
}

// Every fault has a name and is in All once.
func TestAll(t *testing.T) {
	seen := map[Fault]bool{}
	for _, f := range All() {
		if f == "" || f == OK || seen[f] {
			t.Errorf("fault %q is empty, OK or repeated", f)
		}
		seen[f] = true
	}
	if len(seen) != 15 {
		t.Errorf("%d faults; want 15", len(seen))
	}
}

// Routes limits the fault: a stop answers 409 while a get answers OK.
func TestRoutesLimitTheFault(t *testing.T) {
	s := New(t, Status409)
	s.Routes = []string{"stop"}
	resp, err := http.Post(s.URL+"/v1/sprites/dev/services/web/stop", "", nil)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusConflict || !strings.Contains(string(body), "is not running") {
		t.Errorf("stop: %d %s", resp.StatusCode, body)
	}
	resp, err = http.Get(s.URL + "/v1/sprites/dev/services/web")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("get: %d; want 200 (not a faulted route)", resp.StatusCode)
	}
}
