package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"time"
)

// rawAPI reads the embedded runtime's Services API directly on its unix
// socket, to measure what the API held for an operation: the bytes a
// server that passes the API's answers through would have handed the agent.
type rawAPI struct {
	http *http.Client
}

func newRawAPI(sock string) *rawAPI {
	tr := &http.Transport{DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
		return (&net.Dialer{}).DialContext(ctx, "unix", sock)
	}}
	return &rawAPI{http: &http.Client{Transport: tr, Timeout: 60 * time.Second}}
}

func (a *rawAPI) close() { a.http.CloseIdleConnections() }

// servicePath is the API path of one service (or of the list when svc is
// empty) on the runtime's only sprite.
func servicePath(svc, suffix string) string {
	p := "/v1/sprites/local/services"
	if svc != "" {
		p += "/" + url.PathEscape(svc)
	}
	return p + suffix
}

// get answers the body size of GET path. Error statuses count too: their
// body is what the agent would have read.
func (a *rawAPI) get(ctx context.Context, path string) (int64, error) {
	body, err := a.open(ctx, path)
	if err != nil {
		return 0, err
	}
	defer body.Close()
	return io.Copy(io.Discard, body)
}

func (a *rawAPI) open(ctx context.Context, path string) (io.ReadCloser, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://runtime"+path, nil)
	if err != nil {
		return nil, fmt.Errorf("raw request %s: %w", path, err)
	}
	res, err := a.http.Do(req)
	if err != nil {
		return nil, fmt.Errorf("raw GET %s on the runtime socket: %w", path, err)
	}
	return res.Body, nil
}

// streamBytes reconstructs the size of the NDJSON stream a create, start,
// restart or stop of svc sent between from and to: the output events the
// log file holds for that window, exactly as the API encodes them, plus
// the framing events (started, exit, stopping, stopped, complete). The
// stream itself went to sprites-mcp and is gone; the log file holds the
// same lines.
func (a *rawAPI) streamBytes(ctx context.Context, svc string, from, to time.Time, framing []map[string]any) (int64, error) {
	body, err := a.open(ctx, servicePath(svc, "/logs"))
	if err != nil {
		return 0, err
	}
	defer body.Close()
	lo, hi := from.UnixMilli()-1, to.UnixMilli()+1
	var n int64
	sc := bufio.NewScanner(body)
	sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
	for sc.Scan() {
		var ev struct {
			Type      string `json:"type"`
			Timestamp int64  `json:"timestamp"`
		}
		if json.Unmarshal(sc.Bytes(), &ev) != nil {
			continue
		}
		if (ev.Type == "stdout" || ev.Type == "stderr") && ev.Timestamp >= lo && ev.Timestamp <= hi {
			n += int64(len(sc.Bytes()) + 1)
		}
	}
	if err := sc.Err(); err != nil {
		return n, fmt.Errorf("read the log of %s: %w", svc, err)
	}
	for _, ev := range framing {
		b, _ := json.Marshal(ev)
		n += int64(len(b) + 1)
	}
	return n, nil
}

// put defines and starts a service through the socket (duration 0: the
// answer comes at once), as an earlier session would have.
func (a *rawAPI) put(ctx context.Context, svc string, body map[string]any) error {
	b, err := json.Marshal(body)
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPut, "http://runtime"+servicePath(svc, "?duration=0"), bytes.NewReader(b))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	res, err := a.http.Do(req)
	if err != nil {
		return fmt.Errorf("PUT %s on the runtime socket: %w", svc, err)
	}
	defer res.Body.Close()
	msg, _ := io.ReadAll(io.LimitReader(res.Body, 64<<10))
	if res.StatusCode != http.StatusOK {
		return fmt.Errorf("PUT %s: %s: %s", svc, res.Status, bytes.TrimSpace(msg))
	}
	return nil
}

// waitRunning polls the service until it runs, or 30 s pass.
func (a *rawAPI) waitRunning(ctx context.Context, svc string) error {
	deadline := time.Now().Add(30 * time.Second)
	last := ""
	for time.Now().Before(deadline) {
		body, err := a.open(ctx, servicePath(svc, ""))
		if err == nil {
			var s struct {
				State struct {
					Status string `json:"status"`
				} `json:"state"`
			}
			err = json.NewDecoder(io.LimitReader(body, 1<<20)).Decode(&s)
			body.Close()
			if err == nil && s.State.Status == "running" {
				return nil
			}
			last = s.State.Status
		}
		time.Sleep(100 * time.Millisecond)
	}
	return fmt.Errorf("%s is %q, not running, after 30s", svc, last)
}
