package tools

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/sprites-mcp/sprites-mcp/client"
	"github.com/sprites-mcp/sprites-mcp/internal/present"
	"github.com/sprites-mcp/sprites-mcp/internal/textcut"
	"github.com/sprites-mcp/sprites-mcp/schema"
)

// Caps on what one service contributes to a result beyond the field rules
// of package present, so a 10 000-argument command cannot blow the bound.
const (
	maxListItems = 50 // args, env keys, needs
	// listErrorChars bounds the error on a service_list line.
	listErrorChars = 120
)

// info converts a service to its structured form, with the state and field
// rules of package present (shared with the resources). full adds the
// definition (cmd, args, env, dir) for service_get.
func info(s client.Service, now time.Time, full bool) schema.ServiceInfo {
	st := present.StateOf(s.State)
	out := schema.ServiceInfo{ServiceState: schema.ServiceState{
		Name:          s.Name,
		Status:        st.Status,
		RuntimeStatus: st.RuntimeStatus,
		PID:           st.PID,
		StartedAt:     st.StartedAt,
		NextRestartAt: st.NextRestartAt,
		Needs:         capList(s.Needs),
		RestartCount:  st.RestartCount,
		Error:         st.Error,
	}}
	if out.Needs == nil {
		out.Needs = []string{}
	}
	if s.HTTPPort != nil {
		out.HTTPPort = *s.HTTPPort
	}
	if st.StartedAt != "" {
		out.UptimeSeconds = max(int64(now.Sub(s.State.StartedAt)/time.Second), 0)
	}
	if full {
		out.Cmd = present.Field(s.Cmd)
		out.Args = present.Fields(capList(s.Args), present.MaxFieldChars)
		if env := capEnv(s.Env); len(env) > 0 {
			out.Env = present.Env(env, present.MaxFieldChars)
		}
		out.Dir = present.Field(s.Dir)
	}
	return out
}

// stateOf is info without the definition: what lists and action results
// carry.
func stateOf(s client.Service, now time.Time) schema.ServiceState {
	return info(s, now, false).ServiceState
}

// capEnv keeps the first maxListItems entries of env in key order.
func capEnv(env map[string]string) map[string]string {
	if len(env) <= maxListItems {
		return env
	}
	out := make(map[string]string, maxListItems)
	for _, k := range sortedKeys(env)[:maxListItems] {
		out[k] = env[k]
	}
	return out
}

// serviceLine renders one service compactly for service_list:
// "web: running, pid 4242, up 3m12s, port 8080, needs db, restarts 0".
func serviceLine(i schema.ServiceState, now time.Time) string {
	var b strings.Builder
	b.WriteString(i.Name)
	b.WriteString(": ")
	b.WriteString(i.Status)
	if i.RuntimeStatus != "" && i.Status == string(client.StatusStopped) {
		b.WriteString(" (by request)")
	}
	if i.PID > 0 {
		b.WriteString(", pid ")
		b.WriteString(strconv.Itoa(i.PID))
	}
	// A service that started less than a second ago is "up 0s": running
	// with a pid says it is up, and the line must not look like one with no
	// start time.
	if i.UptimeSeconds > 0 || (i.PID > 0 && i.Status == string(client.StatusRunning)) {
		b.WriteString(", up ")
		b.WriteString(uptimeSpan(time.Duration(i.UptimeSeconds) * time.Second))
	}
	if i.HTTPPort > 0 {
		b.WriteString(", port ")
		b.WriteString(strconv.Itoa(i.HTTPPort))
	}
	if len(i.Needs) > 0 {
		b.WriteString(", needs ")
		b.WriteString(strings.Join(i.Needs, "+"))
	}
	b.WriteString(", restarts ")
	b.WriteString(strconv.Itoa(i.RestartCount))
	if i.NextRestartAt != "" {
		if t, err := time.Parse(present.StampLayout, i.NextRestartAt); err == nil {
			b.WriteString(", next restart in ")
			b.WriteString(shortSpan(max(t.Sub(now), 0)))
		}
	}
	if i.Error != "" && i.RuntimeStatus == "" {
		b.WriteString(", error: ")
		b.WriteString(clip(i.Error, listErrorChars))
	}
	return b.String()
}

// statusPhrase is "running (pid 4242)" or "stopped".
func statusPhrase(i schema.ServiceState) string {
	s := i.Status
	if i.PID > 0 {
		s += fmt.Sprintf(" (pid %d)", i.PID)
	}
	return s
}

// shortSpan renders a duration for people: 850ms, 4.2s, 3m12s, 2h05m, 3d4h.
func shortSpan(d time.Duration) string {
	switch {
	case d < time.Second:
		return d.Round(time.Millisecond).String()
	case d < time.Minute:
		return fmt.Sprintf("%.1fs", d.Seconds())
	case d < time.Hour:
		return fmt.Sprintf("%dm%02ds", int(d.Minutes()), int(d.Seconds())%60)
	case d < 48*time.Hour:
		return fmt.Sprintf("%dh%02dm", int(d.Hours()), int(d.Minutes())%60)
	default:
		return fmt.Sprintf("%dd%dh", int(d.Hours())/24, int(d.Hours())%24)
	}
}

// uptimeSpan is shortSpan in whole seconds: "42s", "3m12s".
func uptimeSpan(d time.Duration) string {
	if d < time.Minute {
		return strconv.Itoa(int(d.Seconds())) + "s"
	}
	return shortSpan(d)
}

// sizeText renders a byte count: 512 B, 3.1 KB, 2.0 MB.
func sizeText(n int64) string {
	switch {
	case n < 1024:
		return fmt.Sprintf("%d B", n)
	case n < 1<<20:
		return fmt.Sprintf("%.1f KB", float64(n)/1024)
	case n < 1<<30:
		return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
	default:
		return fmt.Sprintf("%.1f GB", float64(n)/(1<<30))
	}
}

// clip cuts s to n characters with an ellipsis and makes it valid UTF-8.
func clip(s string, n int) string {
	return textcut.Cut(strings.ToValidUTF8(s, "\uFFFD"), n, "…")
}

func capList(l []string) []string {
	if len(l) > maxListItems {
		return l[:maxListItems]
	}
	return l
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
