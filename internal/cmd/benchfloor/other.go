//go:build !unix

package main

import (
	"fmt"
	"os"
)

// The floor forks process groups: unix only.
func main() {
	fmt.Fprintln(os.Stderr, "benchfloor runs on unix only")
	os.Exit(2)
}
