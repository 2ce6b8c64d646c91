//go:build unix

package main

// unixOnly is false here: the evals run (see proc_other.go).
const unixOnly = false
