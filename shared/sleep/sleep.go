// Package sleep waits for a while unless a context ends first: the one
// cancellable wait for retries and back-offs.
package sleep

import (
	"context"
	"time"
)

// For waits d; false if ctx ended first.
func For(ctx context.Context, d time.Duration) bool {
	if d <= 0 {
		return ctx.Err() == nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}

// Until waits until t; false if ctx ended first.
func Until(ctx context.Context, t time.Time) bool { return For(ctx, time.Until(t)) }
