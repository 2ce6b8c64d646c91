//go:build !race

package main

// raceEnabled is true when the tests run under -race (see race_on_test.go).
const raceEnabled = false
