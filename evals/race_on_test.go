//go:build race

package main

// raceEnabled is true when the tests run under -race: the server binary is
// then built with -race too, which shares the build cache with the test
// builds and lets a data race in the server fail the scenario.
const raceEnabled = true
