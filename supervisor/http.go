package supervisor

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// ownerRoute is held open by processes attached to this runtime: when it
// ends, the owner is gone and they may take over.
const ownerRoute = "/v1/sprites-mcp/owner"

// maxBody bounds a request body (a service definition).
const maxBody = 1 << 20

// maxWindow bounds the duration and timeout parameters.
const maxWindow = time.Hour

// routes builds the API for both path styles: /v1/sprites/{sprite}/services
// (the public API) and /v1/services (the socket inside a Sprite).
func (r *Runtime) routes() http.Handler {
	mux := http.NewServeMux()
	for _, prefix := range []string{"/v1/sprites/{sprite}/services", "/v1/services"} {
		mux.HandleFunc("GET "+prefix, r.sprited(r.handleList))
		mux.HandleFunc("POST "+prefix+"/signal", r.sprited(r.handleSignal))
		mux.HandleFunc("GET "+prefix+"/{svc}", r.sprited(r.handleGet))
		mux.HandleFunc("PUT "+prefix+"/{svc}", r.sprited(r.handlePut))
		mux.HandleFunc("DELETE "+prefix+"/{svc}", r.sprited(r.handleDelete))
		mux.HandleFunc("POST "+prefix+"/{svc}/start", r.sprited(r.handleStart))
		mux.HandleFunc("POST "+prefix+"/{svc}/stop", r.sprited(r.handleStop))
		mux.HandleFunc("POST "+prefix+"/{svc}/restart", r.sprited(r.handleRestart))
		mux.HandleFunc("GET "+prefix+"/{svc}/logs", r.sprited(r.handleLogs))
	}
	mux.HandleFunc("GET /v1/sprites", r.handleSprites)
	mux.HandleFunc("GET "+ownerRoute, r.handleOwner)
	return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		w.Header().Set("Sprite-Version", "sprites-mcp-local")
		mux.ServeHTTP(w, req)
	})
}

// sprited answers 404 for any Sprite but ours.
func (r *Runtime) sprited(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, req *http.Request) {
		if sp := req.PathValue("sprite"); sp != "" && sp != r.sprite {
			writeError(w, http.StatusNotFound, fmt.Sprintf("sprite %q not found; this runtime serves only %q", sp, r.sprite))
			return
		}
		h(w, req)
	}
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v)
}

func writeError(w http.ResponseWriter, code int, msg string) {
	kind := map[int]string{
		http.StatusBadRequest: "bad_request", http.StatusNotFound: "not_found",
		http.StatusConflict: "conflict", http.StatusServiceUnavailable: "unavailable",
	}[code]
	if kind == "" {
		kind = "internal"
	}
	writeJSON(w, code, apiError{Error: kind, Message: msg})
}

// httpError carries a status code through the runtime's operations.
type httpError struct {
	code int
	msg  string
}

func (e *httpError) Error() string { return e.msg }

func errorf(code int, format string, args ...any) error {
	return &httpError{code: code, msg: fmt.Sprintf(format, args...)}
}

// writeErr answers err with its status (500 when it has none).
func writeErr(w http.ResponseWriter, err error) {
	var he *httpError
	if errors.As(err, &he) {
		writeError(w, he.code, he.msg)
		return
	}
	writeError(w, http.StatusInternalServerError, err.Error())
}

// service finds the service named in the path, answering 400 or 404.
func (r *Runtime) service(w http.ResponseWriter, req *http.Request) *service {
	name := req.PathValue("svc")
	if err := validateName(name); err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return nil
	}
	s := r.lookup(name)
	if s == nil {
		writeError(w, http.StatusNotFound, fmt.Sprintf("service %q not found; list services to see the defined ones", name))
	}
	return s
}

// window parses a duration parameter: a Go duration ("5s"), or a number of
// seconds; absent means def.
func window(req *http.Request, param string, def time.Duration) (time.Duration, error) {
	v := req.URL.Query().Get(param)
	if v == "" {
		return def, nil
	}
	d, err := time.ParseDuration(v)
	if err != nil {
		secs, nerr := strconv.ParseFloat(v, 64)
		if nerr != nil {
			return 0, errorf(http.StatusBadRequest, "%s %q is not a duration: use a Go duration such as 5s, 500ms or 2m", param, v)
		}
		d = time.Duration(secs * float64(time.Second))
	}
	if d < 0 {
		return 0, errorf(http.StatusBadRequest, "%s %q is negative", param, v)
	}
	return min(d, maxWindow), nil
}

func (r *Runtime) handleSprites(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, SpritesPage{Sprites: []Sprite{{Name: r.sprite, Status: "running"}}})
}

func (r *Runtime) handleList(w http.ResponseWriter, _ *http.Request) {
	writeViews(w, r.all())
}

func (r *Runtime) handleGet(w http.ResponseWriter, req *http.Request) {
	if s := r.service(w, req); s != nil {
		writeView(w, s)
	}
}

func (r *Runtime) handleDelete(w http.ResponseWriter, req *http.Request) {
	s := r.service(w, req)
	if s == nil {
		return
	}
	if err := r.remove(req.Context(), s); err != nil {
		writeErr(w, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (r *Runtime) handleSignal(w http.ResponseWriter, req *http.Request) {
	var body struct {
		Name   string `json:"name"`
		Signal string `json:"signal"`
	}
	if err := json.NewDecoder(io.LimitReader(req.Body, maxBody)).Decode(&body); err != nil {
		writeError(w, http.StatusBadRequest, "invalid signal body: want {\"name\":\"<service>\",\"signal\":\"TERM\"}: "+err.Error())
		return
	}
	if err := validateName(body.Name); err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	sigName := strings.TrimPrefix(strings.ToUpper(strings.TrimSpace(body.Signal)), "SIG")
	sig, ok := lookupSignal(sigName)
	if !ok {
		writeError(w, http.StatusBadRequest, fmt.Sprintf("unknown signal %q: use TERM, HUP, INT, KILL, QUIT, USR1 or USR2", body.Signal))
		return
	}
	s := r.lookup(body.Name)
	if s == nil {
		writeError(w, http.StatusNotFound, fmt.Sprintf("service %q not found; list services to see the defined ones", body.Name))
		return
	}
	s.mu.Lock()
	p, status := s.cur, s.status
	s.mu.Unlock()
	if p == nil || p.stopRequested.Load() {
		writeError(w, http.StatusConflict, fmt.Sprintf("service %q is not running (status %s); start it first", s.name, status))
		return
	}
	if err := signalRun(p, sig); err != nil {
		writeError(w, http.StatusConflict, fmt.Sprintf("signal service %q: %v", s.name, err))
		return
	}
	r.log.Info("signalled service", "service", s.name, "signal", sigName)
	w.WriteHeader(http.StatusNoContent)
}
