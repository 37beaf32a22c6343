package jobs_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/entra-tools/reprocess/shared/jobs"
)

// runQueue runs q until the test ends, and waits for Run to return.
func runQueue(t *testing.T, q *jobs.MemoryQueue, handle func(context.Context, jobs.Message, jobs.Delivery) error) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { q.Run(ctx, handle); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
}

func waitIdle(t *testing.T, q *jobs.MemoryQueue) {
	t.Helper()
	select {
	case <-q.Idle():
	case <-time.After(30 * time.Second): // a hang, not a timing assertion
		t.Fatal("the queue never drained")
	}
}

func TestMemoryQueueRunsAJobToTheEnd(t *testing.T) {
	g := newFakeGraph()
	items := g.seed(pkgA, 260, groups, 10)
	g.throttleFirst[items[10].AssignmentID] = true // drifted: its reprocess is throttled
	q := jobs.NewMemoryQueue()
	store := jobs.NewMemoryStore()
	e := jobs.NewEngine(g, q, store, jobs.Options{})
	// Graph's 7 s delay is the queue's to keep; this test does not wait for it.
	j, err := e.Start(context.Background(), jobs.Spec{Scope: jobs.Scope{AccessPackageID: pkgA}, Mode: jobs.Drifted})
	if err != nil {
		t.Fatal(err)
	}
	runQueue(t, q, e.Handle)
	deadline := time.Now().Add(30 * time.Second)
	for {
		got, err := e.Status(context.Background(), j.ID)
		if err != nil {
			t.Fatal(err)
		}
		// Every unit but the throttled one's retry is in.
		if got.Outstanding == 1 && got.Counts.Drifted+got.Counts.InSync == 260 {
			if want := (jobs.Counts{Total: 260, Accepted: 25, Drifted: 26, InSync: 234}); got.Counts != want {
				t.Fatalf("counts %+v, want %+v", got.Counts, want)
			}
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("stuck at %+v, outstanding %d", got.Counts, got.Outstanding)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestMemoryQueueDeliversAgainUntilTheFinalAttempt(t *testing.T) {
	q := jobs.NewMemoryQueue()
	q.Backoff = time.Millisecond
	var mu sync.Mutex
	var got []jobs.Delivery
	runQueue(t, q, func(_ context.Context, m jobs.Message, d jobs.Delivery) error {
		mu.Lock()
		defer mu.Unlock()
		got = append(got, d)
		if m.Unit == "ok-on-2" && d.Attempt == 2 {
			return nil
		}
		return errors.New("transient")
	})
	q.Send(context.Background(), 0, jobs.Message{Job: "j", Unit: "never", Kind: jobs.KindChunk})
	waitIdle(t, q)
	q.Send(context.Background(), 0, jobs.Message{Job: "j", Unit: "ok-on-2", Kind: jobs.KindChunk})
	waitIdle(t, q)
	mu.Lock()
	defer mu.Unlock()
	want := []jobs.Delivery{{Attempt: 1}, {Attempt: 2}, {Attempt: 3}, {Attempt: 4}, {Attempt: 5, Final: true}, {Attempt: 1}, {Attempt: 2}}
	if len(got) != len(want) {
		t.Fatalf("deliveries %+v", got)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("deliveries %+v, want %+v", got, want)
		}
	}
}

func TestMemoryQueueHoldsDelayedMessagesBack(t *testing.T) {
	q := jobs.NewMemoryQueue()
	seen := make(chan string, 2)
	runQueue(t, q, func(_ context.Context, m jobs.Message, _ jobs.Delivery) error { seen <- m.Unit; return nil })
	q.Send(context.Background(), time.Hour, jobs.Message{Job: "j", Unit: "later", Kind: jobs.KindPage})
	q.Send(context.Background(), 0, jobs.Message{Job: "j", Unit: "now", Kind: jobs.KindPage})
	if u := <-seen; u != "now" {
		t.Fatalf("first delivered %q", u)
	}
	select {
	case u := <-seen:
		t.Fatalf("%q delivered before its delay", u)
	case <-time.After(20 * time.Millisecond):
	}
}

func TestMemoryQueueStopsWithItsContext(t *testing.T) {
	q := jobs.NewMemoryQueue()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		q.Run(ctx, func(context.Context, jobs.Message, jobs.Delivery) error { return nil })
		close(done)
	}()
	cancel()
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		t.Fatal("Run did not return after its context ended")
	}
}

func TestMemoryQueueSurvivesAPanickingHandler(t *testing.T) {
	q := jobs.NewMemoryQueue()
	q.Backoff = time.Millisecond
	var mu sync.Mutex
	var attempts []int
	runQueue(t, q, func(_ context.Context, _ jobs.Message, d jobs.Delivery) error {
		mu.Lock()
		attempts = append(attempts, d.Attempt)
		mu.Unlock()
		if d.Attempt == 1 {
			panic("engine bug")
		}
		return nil
	})
	q.Send(context.Background(), 0, jobs.Message{Job: "j", Unit: "u", Kind: jobs.KindPage})
	waitIdle(t, q)
	mu.Lock()
	defer mu.Unlock()
	if len(attempts) != 2 || attempts[1] != 2 {
		t.Fatalf("attempts %v", attempts)
	}
}
