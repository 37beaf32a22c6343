package sleep

import (
	"context"
	"testing"
	"time"
)

func TestForEndsWithTheContext(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if For(ctx, time.Hour) {
		t.Errorf("For on an ended context = true, want false")
	}
	if For(ctx, 0) {
		t.Errorf("For(0) on an ended context = true, want false")
	}
	if !For(context.Background(), time.Millisecond) {
		t.Errorf("For(1ms) = false, want true")
	}
	if !Until(context.Background(), time.Now().Add(-time.Second)) {
		t.Errorf("Until(the past) = false, want true")
	}
}
