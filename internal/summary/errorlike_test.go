package summary

import (
	"math/rand/v2"
	"strings"
	"testing"
)

func TestLooksLikeError(t *testing.T) {
	yes := []string{
		"ERROR: connection lost",
		"panic: runtime error: index out of range",
		"FATAL could not bind",
		"java.lang.NullPointerException",
		"Traceback (most recent call last):",
		"Error: listen EADDRINUSE: address already in use :::3000",
		"TypeError: x is not a function",
		"build Failed",
		"open /data: Permission Denied",
		"exit status 2",
		"Segmentation fault (core dumped)",
		"dial tcp 127.0.0.1:5432: connect: connection refused",
		"cannot find module 'express'",
		"fatal",
		"Killed",
	}
	no := []string{
		"",
		"ok",
		"listening on :8080",
		"GET /healthz 200 1.2ms",
		"compiled successfully in 812ms",
		"stderr and stdout are captured",
		"err",
	}
	for _, s := range yes {
		if !LooksLikeError(s) {
			t.Errorf("LooksLikeError(%q) = false, want true", s)
		}
	}
	for _, s := range no {
		if LooksLikeError(s) {
			t.Errorf("LooksLikeError(%q) = true, want false", s)
		}
	}
}

func TestLooksLikeErrorDoesNotAllocate(t *testing.T) {
	line := "2026-06-02T17:11:17.821Z INFO GET /api/items 200 3.1ms user=42 trace=abcdef"
	if n := testing.AllocsPerRun(100, func() { _ = LooksLikeError(line) }); n != 0 {
		t.Fatalf("LooksLikeError allocates %v times per call, want 0", n)
	}
}

// TestLooksLikeErrorMatchesNaive compares the table-driven scan with the
// obvious implementation on random text built from pieces of the words.
func TestLooksLikeErrorMatchesNaive(t *testing.T) {
	naive := func(s string) bool {
		l := strings.ToLower(s)
		for _, w := range errorWords {
			if strings.Contains(l, w) {
				return true
			}
		}
		return false
	}
	rng := rand.New(rand.NewPCG(4, 2))
	pieces := []string{"e", "r", "o", "E", "R", "O", " ", "x", "é", "\xff", "er", "ERR", "fa", "tal", "pan", "ic", "den", "ied", "cannot", "exit ", "status"}
	for _, w := range errorWords {
		pieces = append(pieces, w[:len(w)/2], w[len(w)/2:], strings.ToUpper(w[:2]))
	}
	for i := 0; i < 50000; i++ {
		var b strings.Builder
		for n := rng.IntN(12); n > 0; n-- {
			b.WriteString(pieces[rng.IntN(len(pieces))])
		}
		s := b.String()
		if got, want := LooksLikeError(s), naive(s); got != want {
			t.Fatalf("LooksLikeError(%q) = %v, naive says %v", s, got, want)
		}
	}
}
