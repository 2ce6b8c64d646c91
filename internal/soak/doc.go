// Package soak holds the soak test of the built server (soak_test.go): 16
// streamable-HTTP clients make mixed calls for a set time against services
// that crash at random, while the server's threads, open files and
// resident memory are sampled. It fails on growth, on any error and on a
// process left behind. It runs only when SOAK_DURATION is set:
//
//	SOAK_DURATION=10m go test -run TestSoak -v -timeout 0 ./internal/soak
//
// (make soak runs 10 minutes, make soak-short 60 seconds). It has no
// code of its own: the test drives the binary from outside, like a user.
package soak
