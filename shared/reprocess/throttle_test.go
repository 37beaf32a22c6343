package reprocess

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/entra-tools/reprocess/internal/testkit"

	"github.com/entra-tools/reprocess/shared/assignment"
	"github.com/entra-tools/reprocess/shared/graph"
)

// One 429 with Retry-After: 5 holds every Graph call of the process for
// five seconds: callers get 429 with the time that remains and Graph sees
// nothing; afterwards calls go through again.
func TestThrottleHoldsGraphCallsBack(t *testing.T) {
	clock := testkit.NewClock(time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC))
	th := &Throttle{now: clock.Now}
	all := ids(2)
	g := &fakeGraph{answer: func(id assignment.ID, attempt int) graph.Answer {
		if id == all[0] && attempt == 1 {
			th.Hold(5 * time.Second) // as msgraph's transport does on a 429
			return graph.Answer{Err: &graph.Error{Status: 429, RetryAfter: 5 * time.Second}}
		}
		return graph.Answer{Result: graph.Result{Status: 202}}
	}}
	s := New(g, th)
	ctx := context.Background()

	if o := s.Reprocess(ctx, all[0]); o.Status != http.StatusTooManyRequests {
		t.Fatalf("first call = %+v, want Graph's 429", o)
	}
	clock.Advance(2 * time.Second)
	o := s.Reprocess(ctx, all[1])
	if o.Status != http.StatusTooManyRequests || o.RetryAfter != 3*time.Second || g.singles != 1 {
		t.Errorf("held call = %+v after %d Graph calls, want 429 with 3s left and no second call", o, g.singles)
	}
	if _, err := s.Status(ctx, all[1]); OutcomeOf(err).Status != http.StatusTooManyRequests {
		t.Errorf("Status while held = %v, want 429", err)
	}
	short, cancel := context.WithTimeout(ctx, time.Second) // the hold outlasts it
	defer cancel()
	if r := s.ReprocessMany(short, itemsOf(all)); r[0].Status != 429 || r[1].Status != 429 || g.envelopes != 0 {
		t.Errorf("a batch past its deadline while held = %+v with %d envelopes, want 429s and none", r, g.envelopes)
	}
	clock.Advance(3 * time.Second)
	if o := s.Reprocess(ctx, all[1]); o.Status != http.StatusAccepted {
		t.Errorf("after the window = %+v, want 202", o)
	}
}

func TestThrottleHoldIsBounded(t *testing.T) {
	clock := testkit.NewClock(time.Now())
	th := &Throttle{now: clock.Now}
	th.Hold(time.Hour)
	if r := th.Remaining(); r != MaxHold {
		t.Errorf("Remaining = %v, want the %v bound", r, MaxHold)
	}
	th.Hold(time.Second) // a shorter hold does not shorten a longer one
	if r := th.Remaining(); r != MaxHold {
		t.Errorf("Remaining = %v after a shorter hold, want %v", r, MaxHold)
	}
	th.Hold(0) // no Retry-After: the default
	if (*Throttle)(nil).Remaining() != 0 {
		t.Errorf("a nil throttle holds nothing back")
	}
}

// Batch items wait for the hold when it ends before the deadline.
func TestBatchWaitsForTheThrottle(t *testing.T) {
	th := &Throttle{}
	th.Hold(300 * time.Millisecond)
	g := &fakeGraph{}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	start := time.Now()
	res := New(g, th).ReprocessMany(ctx, itemsOf(ids(30)))
	if d := time.Since(start); d < 250*time.Millisecond {
		t.Errorf("the batch went out after %v, before the hold ended", d)
	}
	if res[0].Status != 202 || g.envelopes != 2 {
		t.Errorf("results %+v, envelopes %d; want 202s in 2 envelopes", res[0], g.envelopes)
	}
}
