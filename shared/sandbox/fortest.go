package sandbox

import "context"

// TB is the part of testing.TB that NewForTest uses; it is declared here so
// the binary embedding the sandbox does not link package testing.
type TB interface {
	Helper()
	Cleanup(func())
	Fatalf(format string, args ...any)
}

// NewForTest starts a tenant for one test and closes it when the test ends.
func NewForTest(tb TB, opts Options) *Tenant {
	tb.Helper()
	t, err := Start(context.Background(), opts)
	if err != nil {
		tb.Fatalf("sandbox.Start: %v", err)
	}
	tb.Cleanup(func() { _ = t.Close() })
	return t
}
