package awslambda

import (
	"context"
	"testing"
	"time"

	"github.com/entra-tools/reprocess/internal/testkit"
)

// The shutdown hooks run in order within the budget; one that panics is
// logged and the next still runs.
func TestShutdownRunsEveryHookWithinTheBudget(t *testing.T) {
	logger, logs := testkit.NewLogger()
	var ran []string
	var deadline time.Time
	start := time.Now()
	shutdown(context.Background(), logger, []ShutdownHook{
		func(ctx context.Context) { deadline, _ = ctx.Deadline(); ran = append(ran, "flush") },
		func(context.Context) { ran = append(ran, "panics"); panic("hook failed") },
		func(context.Context) { ran = append(ran, "close") },
	})
	if want := []string{"flush", "panics", "close"}; len(ran) != 3 || ran[0] != want[0] || ran[1] != want[1] || ran[2] != want[2] {
		t.Errorf("hooks ran %v, want %v", ran, want)
	}
	if deadline.IsZero() || deadline.After(start.Add(ShutdownBudget)) {
		t.Errorf("hook deadline = %v, want within %v of the start", deadline, ShutdownBudget)
	}
	if n := len(logs.Messages(t, "shutdown hook panicked")); n != 1 {
		t.Errorf("panic log lines = %d, want 1", n)
	}
	if n := len(logs.Messages(t, "lambda runtime shutting down")); n != 1 {
		t.Errorf("shutdown log lines = %d, want 1", n)
	}
}
