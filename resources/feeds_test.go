package resources_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/mark3labs/mcp-go/mcp"

	"github.com/sprites-mcp/sprites-mcp/client"
	"github.com/sprites-mcp/sprites-mcp/internal/testenv"
	"github.com/sprites-mcp/sprites-mcp/resources"
)

// nextList waits for the next list on f.
func nextList(t *testing.T, f *resources.Feed, d time.Duration) []client.Service {
	t.Helper()
	select {
	case l := <-f.C():
		return l
	case <-time.After(d):
		t.Fatalf("no list on the feed of %s within %v", f.Sprite(), d)
		return nil
	}
}

func statusOf(list []client.Service, name string) client.Status {
	for _, s := range list {
		if s.Name == name {
			return s.State.Status
		}
	}
	return ""
}

// TestFeedsShareTheWatcher: feeds and a subscription of one sprite share
// its one watcher, which polls once a period however many watch; every
// feed gets the list after the first poll and after each change; a feed
// opened later gets the latest list at once; the watcher stops with its
// last listener.
func TestFeedsShareTheWatcher(t *testing.T) {
	h := newHarness(t)
	h.create("web", sleeper())
	polls := h.recordPolls()
	c := h.connect(protocols[0].Opts, protocols[0].Name)
	unsubscribe := c.subscribe(t, "sprites://local/services/web")

	var feeds []*resources.Feed
	for range 5 {
		f, err := h.res.Watch("local")
		if err != nil {
			t.Fatal(err)
		}
		feeds = append(feeds, f)
	}
	for _, f := range feeds {
		if st := statusOf(nextList(t, f, 10*time.Second), "web"); st != client.StatusRunning {
			t.Errorf("first list says web is %q", st)
		}
	}
	if n := h.res.Watchers(); n != 1 {
		t.Errorf("%d watchers for one sprite", n)
	}

	// A late feed has the latest list at once, without waiting for a poll.
	late, err := h.res.Watch("local")
	if err != nil {
		t.Fatal(err)
	}
	select {
	case l := <-late.C():
		if statusOf(l, "web") != client.StatusRunning {
			t.Errorf("late feed's list: %+v", l)
		}
	default:
		t.Error("a feed opened after the first poll has no list yet")
	}
	feeds = append(feeds, late)

	// A change reaches every feed.
	st, err := h.api.Stop(testenv.Context(t, 20*time.Second), sprite, "web", 0)
	if err != nil {
		t.Fatal(err)
	}
	for st.Next() {
	}
	st.Close()
	for _, f := range feeds {
		deadline := time.Now().Add(10 * time.Second)
		for statusOf(nextList(t, f, time.Until(deadline)), "web") != client.StatusStopped {
		}
	}

	polls.checkOnePerPeriod(t, "with 6 feeds and a subscriber")

	for _, f := range feeds {
		f.Stop()
		f.Stop() // twice is harmless
	}
	if n := h.res.Watchers(); n != 1 {
		t.Errorf("the subscription's watcher stopped with the feeds: %d watchers", n)
	}
	unsubscribe()
	deadline := time.Now().Add(5 * time.Second)
	for h.res.Watchers() != 0 {
		if time.Now().After(deadline) {
			t.Fatalf("%d watchers after every listener left", h.res.Watchers())
		}
		time.Sleep(20 * time.Millisecond)
	}

	if _, err := h.res.Watch("Not A Sprite!"); err == nil {
		t.Error("Watch accepted an invalid sprite name")
	}
	h.res.Close()
	if _, err := h.res.Watch("local"); !errors.Is(err, resources.ErrClosed) {
		t.Errorf("Watch after Close: %v", err)
	}
}

// TestFollowLogsRendersAsTheResource: FollowLogs emits the tail the logs
// resource reads (cleaned, secrets masked), then new lines as they come;
// a missing service is the resource's not-found error.
func TestFollowLogsRendersAsTheResource(t *testing.T) {
	h := newHarness(t)
	h.create("talker", client.ServiceRequest{Cmd: "sh", Args: []string{"-c",
		`echo "one"; echo "GITHUB_TOKEN=ghp_0123456789abcdefghijklmnopqrstuvwxyz"; echo "two"; sleep 1.5; echo "three"; exec sleep 1000`}})

	texts := make(chan string, 100)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- h.res.FollowLogs(ctx, "local", "talker", 50, time.Minute, func(text string) { texts <- text })
	}()
	var last string
	deadline := time.After(20 * time.Second)
	for !strings.Contains(last, "three") {
		select {
		case last = <-texts:
		case <-deadline:
			t.Fatalf("no tail with the late line; last:\n%s", last)
		}
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("FollowLogs after its context ended: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("FollowLogs did not return when its context ended")
	}
	if strings.Contains(last, "ghp_") || !strings.Contains(last, "GITHUB_TOKEN=***") {
		t.Errorf("the token is not masked:\n%s", last)
	}
	res, err := h.res.Read(testenv.Context(t, 10*time.Second), "sprites://local/services/talker/logs?lines=50")
	if err != nil {
		t.Fatal(err)
	}
	if want := res[0].(mcp.TextResourceContents).Text; last != want {
		t.Errorf("FollowLogs' tail differs from the resource's:\nfollow:\n%s\nresource:\n%s", last, want)
	}

	err = h.res.FollowLogs(testenv.Context(t, 10*time.Second), "local", "nope", 10, time.Second, func(string) {})
	if err == nil || !strings.Contains(err.Error(), "nope") {
		t.Errorf("a missing service: %v", err)
	}
	// A bad name is refused in the words of the name rule, not of URIs the
	// dashboard's user never typed.
	err = h.res.FollowLogs(testenv.Context(t, 10*time.Second), "local", "../x", 10, time.Second, func(string) {})
	if err == nil || !strings.Contains(err.Error(), `"../x"`) || strings.Contains(err.Error(), "URI") {
		t.Errorf("a bad service name: %v", err)
	}
}
