//go:build !unix

package main

import (
	"os/exec"
	"time"
)

// The evals run services under sh and check processes through /proc: they
// need a unix system. These stand-ins keep the package building elsewhere;
// main refuses to run there.

const unixOnly = true

func processesWith(marks ...string) []int                       { return nil }
func killLeftovers(within time.Duration, marks ...string) []int { return nil }
func diedOfSIGPIPE(err error) bool                              { return false }

func terminate(cmd *exec.Cmd, within time.Duration) error {
	cmd.Process.Kill()
	return cmd.Wait()
}
