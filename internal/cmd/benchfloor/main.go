//go:build unix

// Command benchfloor is the least server that the shared start-up
// harness's api mode can drive (scripts/bench-runtime-api.sh with
// FLOOR=1): the floor under the runtime's figures, measured in the same
// run. It keeps services in memory only and does for each what the
// harness looks at and nothing else: a PUT with duration 0 answers at once
// and a goroutine forks the command in a process group of its own once
// its need runs; GET lists name and state; a stop sends TERM to the group
// and waits for the exit; DELETE forgets. No state file, journal,
// watchdog, output capture, escape search or validation: what the runtime
// does beyond this is what its figures pay for.
//
//	benchfloor <socket path>
package main

import (
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"sync"
	"syscall"
	"time"
)

type service struct {
	Name  string   `json:"name"`
	Cmd   string   `json:"cmd"`
	Args  []string `json:"args"`
	Needs []string `json:"needs"`
	State state    `json:"state"`

	running chan struct{} // closed once forked
	proc    *os.Process
	exited  chan struct{}
}

type state struct {
	Status    string    `json:"status"`
	PID       int       `json:"pid,omitempty"`
	StartedAt time.Time `json:"started_at,omitzero"`
}

type floor struct {
	mu       sync.Mutex
	services map[string]*service
	order    []string
}

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: benchfloor <socket path>")
		os.Exit(2)
	}
	ln, err := net.Listen("unix", os.Args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	f := &floor{services: map[string]*service{}}
	mux := http.NewServeMux()
	mux.HandleFunc("PUT /v1/sprites/local/services/{name}", f.put)
	mux.HandleFunc("GET /v1/sprites/local/services", f.list)
	mux.HandleFunc("POST /v1/sprites/local/services/{name}/stop", f.stop)
	mux.HandleFunc("DELETE /v1/sprites/local/services/{name}", f.delete)
	srv := &http.Server{Handler: mux}
	go func() {
		sig := make(chan os.Signal, 1)
		signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
		<-sig
		f.mu.Lock()
		for _, s := range f.services {
			if s.proc != nil {
				_ = syscall.Kill(-s.proc.Pid, syscall.SIGKILL)
			}
		}
		f.mu.Unlock()
		srv.Close()
	}()
	_ = srv.Serve(ln)
}

func (f *floor) put(w http.ResponseWriter, r *http.Request) {
	s := &service{Name: r.PathValue("name"), running: make(chan struct{}), exited: make(chan struct{})}
	if err := json.NewDecoder(r.Body).Decode(s); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	path, err := exec.LookPath(s.Cmd)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	s.State.Status = "starting"
	f.mu.Lock()
	if _, ok := f.services[s.Name]; ok {
		f.mu.Unlock()
		http.Error(w, "exists", http.StatusConflict)
		return
	}
	f.services[s.Name] = s
	f.order = append(f.order, s.Name)
	needs := make([]*service, 0, len(s.Needs))
	for _, n := range s.Needs {
		if need := f.services[n]; need != nil {
			needs = append(needs, need)
		}
	}
	f.mu.Unlock()
	go func() {
		for _, need := range needs {
			<-need.running
		}
		p, err := os.StartProcess(path, append([]string{s.Cmd}, s.Args...), &os.ProcAttr{
			Files: []*os.File{nil, nil, nil}, Sys: &syscall.SysProcAttr{Setpgid: true}})
		f.mu.Lock()
		if err != nil {
			s.State.Status = "failed"
		} else {
			s.proc, s.State = p, state{Status: "running", PID: p.Pid, StartedAt: time.Now()}
		}
		f.mu.Unlock()
		close(s.running)
		if p != nil {
			_, _ = p.Wait()
			f.mu.Lock()
			s.State.Status, s.State.PID = "stopped", 0
			f.mu.Unlock()
		}
		close(s.exited)
	}()
	w.Header().Set("Content-Type", "application/x-ndjson")
}

func (f *floor) list(w http.ResponseWriter, _ *http.Request) {
	f.mu.Lock()
	out := make([]*service, 0, len(f.order))
	for _, n := range f.order {
		out = append(out, f.services[n])
	}
	b, err := json.Marshal(out)
	f.mu.Unlock()
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(b)
}

func (f *floor) stop(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	s := f.services[r.PathValue("name")]
	f.mu.Unlock()
	if s == nil {
		http.Error(w, "no such service", http.StatusNotFound)
		return
	}
	<-s.running
	f.mu.Lock()
	p := s.proc
	f.mu.Unlock()
	if p != nil {
		_ = syscall.Kill(-p.Pid, syscall.SIGTERM)
		select {
		case <-s.exited:
		case <-time.After(5 * time.Second):
			_ = syscall.Kill(-p.Pid, syscall.SIGKILL)
			<-s.exited
		}
	}
	w.Header().Set("Content-Type", "application/x-ndjson")
	_, _ = w.Write([]byte(`{"type":"stopped"}` + "\n"))
}

func (f *floor) delete(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("name")
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.services[name] == nil {
		http.Error(w, "no such service", http.StatusNotFound)
		return
	}
	delete(f.services, name)
	for i, n := range f.order {
		if n == name {
			f.order = append(f.order[:i], f.order[i+1:]...)
			break
		}
	}
	w.WriteHeader(http.StatusNoContent)
}
