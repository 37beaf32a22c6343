// Package testkit holds the test doubles every package's tests share, so
// there is one of each: a recording HTTP handler and a recording message
// core standing in for the layer under an edge, a log buffer whose lines
// must each be one strict JSON object, a settable clock, and a scanner for
// secrets in text. It is internal and imported only by _test.go files:
// nothing here reaches a shipped binary.
package testkit
