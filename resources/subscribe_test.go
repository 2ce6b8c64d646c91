package resources_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/mark3labs/mcp-go/mcp"

	"github.com/sprites-mcp/sprites-mcp/client"
	"github.com/sprites-mcp/sprites-mcp/internal/testenv"
)

// polls returns a channel that receives the sprite of every poll the
// watchers act on (dropping what nobody reads).
func (h *harness) polls() <-chan string {
	ch := make(chan string, 16)
	h.res.OnPoll(func(sprite string) {
		select {
		case ch <- sprite:
		default:
		}
	})
	return ch
}

// nextPoll waits for the next watcher poll after now, so that what the test
// does afterwards is a change from the watcher's baseline.
func nextPoll(t *testing.T, polls <-chan string) {
	t.Helper()
	for {
		select {
		case <-polls: // drain polls from before
			continue
		default:
		}
		break
	}
	select {
	case <-polls:
	case <-time.After(10 * time.Second):
		t.Fatal("no watcher poll within 10s")
	}
}

// updateBound is the promise (resources/updated within 3 s of a
// crash and of the restart) plus one poll period of slack. On an idle
// machine an update comes within one period (1 s) plus a poll; on a loaded
// 2-core CI machine under -race a poll can start a period late, and the
// test must not fail for the machine's load. A watcher that missed a whole
// poll more, or never noticed, still fails.
const updateBound = 3*time.Second + time.Second

// TestUpdatedAfterCrash: a subscriber to a service is told within 3 s when
// it crashes (SIGKILL), and again when the runtime has restarted it.
func TestUpdatedAfterCrash(t *testing.T) {
	h := newHarness(t)
	polls := h.polls()
	for i, p := range protocols {
		t.Run(p.Name, func(t *testing.T) {
			name := fmt.Sprintf("crash%d", i)
			h.create(name, sleeper())
			c := h.connect(p.Opts, p.Name)
			uri := "sprites://local/services/" + name
			logs := uri + "/logs?lines=10"
			stop := c.subscribe(t, uri, logs)
			defer stop()
			nextPoll(t, polls)

			before := h.waitFor(name, func(s *client.Service) bool { return s.State.PID > 0 })
			mark := c.notes.mark()
			killed := time.Now()
			if err := h.api.Signal(testenv.Context(t, 10*time.Second), sprite, name, "KILL"); err != nil {
				t.Fatalf("kill: %v", err)
			}
			first, ok := c.notes.waitSince(mark, 10*time.Second, updated(uri))
			if !ok {
				t.Fatal("no resources/updated within 10s of the crash")
			}
			t.Logf("resources/updated %v after the crash", first.at.Sub(killed))
			if d := first.at.Sub(killed); d > updateBound {
				t.Errorf("resources/updated came %v after the crash; want within %v", d, updateBound)
			}
			if _, ok := c.notes.waitSince(mark, time.Second, updated(logs)); !ok {
				t.Errorf("the subscribed log tail %s got no resources/updated", logs)
			}

			// The runtime restarts the crashed service after about 1 s.
			after := h.waitFor(name, func(s *client.Service) bool {
				return s.State.Status == client.StatusRunning && s.State.RestartCount > before.State.RestartCount && s.State.PID != before.State.PID
			})
			restarted := after.State.StartedAt
			nt, ok := c.notes.waitFrom(restarted, 10*time.Second, updated(uri))
			if !ok {
				t.Fatal("no resources/updated after the restart")
			}
			t.Logf("resources/updated %v after the restart (%v after the crash)", nt.at.Sub(restarted), nt.at.Sub(killed))
			if d := nt.at.Sub(restarted); d > updateBound {
				t.Errorf("resources/updated came %v after the restart; want within %v", d, updateBound)
			}
			// A read after the notification shows the new state.
			text, _ := readText(t, c, uri)
			if want := fmt.Sprintf(`"pid": %d`, after.State.PID); !strings.Contains(text, want) {
				t.Errorf("after the update the resource reads\n%s\nwant %s", text, want)
			}
			if modern(c.proto) {
				id, _ := nt.n.Params.Meta[mcp.MetaKeySubscriptionID]
				if id == nil {
					t.Errorf("an update on a listen stream lacks %s in _meta: %+v", mcp.MetaKeySubscriptionID, nt.n.Params)
				}
			}
		})
	}
}

// TestListChanged: a listener is told when services appear and go, the
// concrete resources follow, and a list subscriber gets updates too.
func TestListChanged(t *testing.T) {
	h := newHarness(t)
	polls := h.polls()
	h.create("base", sleeper())
	for i, p := range protocols {
		t.Run(p.Name, func(t *testing.T) {
			c := h.connect(p.Opts, p.Name)
			list := "sprites://local/services"
			stop := c.subscribe(t, list)
			defer stop()
			nextPoll(t, polls)

			name := fmt.Sprintf("fresh%d", i)
			mark := c.notes.mark()
			h.create(name, sleeper())
			if _, ok := c.notes.waitSince(mark, 10*time.Second, method(mcp.MethodNotificationResourcesListChanged)); !ok {
				t.Fatal("no resources/list_changed within 10s of a create")
			}
			if _, ok := c.notes.waitSince(mark, 10*time.Second, updated(list)); !ok {
				t.Error("the list subscriber got no resources/updated after a create")
			}
			if uris := concrete(t, c); !slices.Contains(uris, list+"/"+name) || !slices.Contains(uris, list+"/"+name+"/logs") {
				t.Errorf("after a create the concrete resources are %v", uris)
			}

			nextPoll(t, polls)
			mark = c.notes.mark()
			h.delete(name)
			if _, ok := c.notes.waitSince(mark, 10*time.Second, method(mcp.MethodNotificationResourcesListChanged)); !ok {
				t.Fatal("no resources/list_changed within 10s of a delete")
			}
			if _, ok := c.notes.waitSince(mark, 10*time.Second, updated(list)); !ok {
				t.Error("the list subscriber got no resources/updated after a delete")
			}
			if uris := concrete(t, c); slices.Contains(uris, list+"/"+name) || !slices.Contains(uris, list+"/base") {
				t.Errorf("after a delete the concrete resources are %v", uris)
			}
		})
	}
}

func concrete(t *testing.T, c *conn) []string {
	t.Helper()
	res, err := c.ListResources(testenv.Context(t, 10*time.Second), mcp.ListResourcesRequest{})
	if err != nil {
		t.Fatal(err)
	}
	var uris []string
	for _, r := range res.Resources {
		uris = append(uris, r.URI)
	}
	return uris
}

// TestNoWatcherWithoutListeners: no watcher runs before anyone subscribes,
// one runs per sprite while anyone does, and none is left after the last
// unsubscribe or the end of the session.
func TestNoWatcherWithoutListeners(t *testing.T) {
	h := newHarness(t)
	polls := h.polls()
	h.create("web", sleeper())
	h.create("db", sleeper())
	base := ourGoroutines()
	if n := h.res.Watchers(); n != 0 {
		t.Fatalf("%d watchers before any subscription", n)
	}

	legacy := h.connect(protocols[0].Opts, protocols[0].Name)
	modernC := h.connect(protocols[1].Opts, protocols[1].Name)
	// Reads, listings and completions start nothing.
	readText(t, legacy, "sprites://local/services/web")
	concrete(t, modernC)
	waitGoroutines(t, base, 5*time.Second)

	stopA := legacy.subscribe(t, "sprites://local/services/web")
	stopB := modernC.subscribe(t, "sprites://local/services/db", "sprites://local/services")
	nextPoll(t, polls)
	if n := h.res.Watchers(); n != 1 {
		t.Errorf("%d watchers for two subscribers of one sprite; want 1", n)
	}
	if ourGoroutines() <= base {
		t.Error("no goroutine of the resources package runs while subscribed")
	}
	stopA()
	if n := h.res.Watchers(); n != 1 {
		t.Errorf("%d watchers while one subscriber remains; want 1", n)
	}
	stopB()
	waitGoroutines(t, base, 5*time.Second)
	if n := h.res.Watchers(); n != 0 {
		t.Errorf("%d watchers after the last unsubscribe", n)
	}

	// The end of a session releases its subscriptions.
	third := h.connect(protocols[0].Opts, protocols[0].Name)
	third.subscribe(t, "sprites://local/services/web")
	nextPoll(t, polls)
	if n := h.res.Watchers(); n != 1 {
		t.Errorf("%d watchers for a subscribed session; want 1", n)
	}
	third.Close()
	waitGoroutines(t, base, 5*time.Second)
	if n := h.res.Watchers(); n != 0 {
		t.Errorf("%d watchers after the session ended", n)
	}
}

// TestCloseStopsWatchers: Close ends every watcher, and later subscriptions
// start none.
func TestCloseStopsWatchers(t *testing.T) {
	h := newHarness(t)
	polls := h.polls()
	h.create("web", sleeper())
	base := ourGoroutines()
	c := h.connect(protocols[0].Opts, protocols[0].Name)
	c.subscribe(t, "sprites://local/services/web")
	nextPoll(t, polls)
	h.res.Close()
	if n := h.res.Watchers(); n != 0 {
		t.Errorf("%d watchers after Close", n)
	}
	waitGoroutines(t, base, 5*time.Second)
	c.subscribe(t, "sprites://local/services")
	if n := h.res.Watchers(); n != 0 {
		t.Errorf("a subscription after Close started %d watchers", n)
	}
}

// TestPollRate: however a client toggles its subscription, a sprite is
// polled no more than once a period (1 s by default).
func TestPollRate(t *testing.T) {
	h := newHarness(t)
	h.create("web", sleeper())
	polls := h.recordPolls()
	c := h.connect(protocols[0].Opts, protocols[0].Name)
	start := time.Now()
	for time.Since(start) < 2500*time.Millisecond {
		stop := c.subscribe(t, "sprites://local/services/web")
		time.Sleep(10 * time.Millisecond)
		stop()
	}
	stop := c.subscribe(t, "sprites://local/services/web")
	time.Sleep(1500 * time.Millisecond)
	stop()

	if n := polls.count(); n < 2 {
		t.Fatalf("%d polls in %v; want the watcher to have polled", n, time.Since(start))
	}
	polls.checkOnePerPeriod(t, "while the subscription was toggled")
}
