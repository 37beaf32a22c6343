// Package testkit holds the test doubles every package's tests share, so
// there is one of each: a recording HTTP handler standing in for the layer
// under an edge, a log buffer whose lines must each be one strict JSON
// object, a settable clock, and a scanner for secrets in text (fakecore,
// beside it, stands in for the domain core). It imports nothing of the
// project's but invocation, so any package's tests can use it. It is
// internal and imported only by _test.go files: nothing here reaches a
// shipped binary.
package testkit
