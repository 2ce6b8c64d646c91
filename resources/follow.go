package resources

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/sprites-mcp/sprites-mcp/client"
	"github.com/sprites-mcp/sprites-mcp/internal/config"
	"github.com/sprites-mcp/sprites-mcp/internal/wire"
)

// followEvery is how often FollowLogs hands over a changed tail: often
// enough to read as live, rarely enough that a chatty service costs little.
const followEvery = 250 * time.Millisecond

// FollowLogs follows a service's log for up to follow and calls emit with
// the whole tail, as the logs resource sprites://{sprite}/services/{service}/logs?lines=N
// renders it (the same cleaning, secret masking and budget), first at once
// and then whenever new lines came, at most every followEvery. It returns
// when the stream ends, ctx ends or follow has passed; an error opening the
// log (a missing sprite or service) is the resource's own error, and a
// stream cut short is reported at the end of the last tail emitted.
func (r *Resources) FollowLogs(ctx context.Context, sprite, service string, lines int, follow time.Duration, emit func(text string)) error {
	if err := wire.ValidateName(wire.KindSprite, sprite); err != nil {
		return err
	}
	if err := wire.ValidateName(wire.KindService, service); err != nil {
		return err
	}
	if lines < 1 || lines > config.MaxLogLines {
		return fmt.Errorf("lines must be from 1 to %d; got %d", config.MaxLogLines, lines)
	}
	rf := ref{kind: kindLogs, sprite: sprite, service: service, lines: lines}
	st, err := r.svc.Logs(ctx, rf.sprite, rf.service, client.LogsOptions{Lines: rf.lines, Follow: follow})
	if err != nil {
		return r.explain(ctx, rf, err)
	}
	defer st.Close()

	var (
		mu    sync.Mutex
		t     = r.newLogTail(rf)
		dirty = true
	)
	done := make(chan error, 1)
	go func() {
		for st.Next() {
			mu.Lock()
			t.addEvent(st.Event())
			dirty = true
			mu.Unlock()
		}
		done <- st.Err()
	}()
	render := func(streamErr error) string {
		mu.Lock()
		defer mu.Unlock()
		dirty = false
		if t.seen == 0 && streamErr == nil {
			return quietLog(rf)
		}
		return t.render(rf, streamErr)
	}
	tick := time.NewTicker(followEvery)
	defer tick.Stop()
	for {
		select {
		case err := <-done:
			if ctx.Err() != nil {
				return nil
			}
			emit(render(err))
			return nil
		case <-ctx.Done():
			st.Close() // ends the reader
			<-done
			return nil
		case <-tick.C:
			mu.Lock()
			changed := dirty
			mu.Unlock()
			if changed {
				emit(render(nil))
			}
		}
	}
}
