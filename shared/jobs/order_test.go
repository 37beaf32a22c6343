package jobs_test

import (
	"context"
	"testing"
	"time"

	"github.com/entra-tools/reprocess/shared/jobs"
	"github.com/entra-tools/reprocess/shared/reprocess"
)

// eager is a queue that delivers each message the moment it is sent,
// before the sender commits: every child commits before its parent, an
// order a platform with many instances may produce. After each delivery
// whose ancestors have not committed yet, the job must still be running.
type eager struct {
	t        *testing.T
	e, held  *jobs.Engine // held: its process throttle holds Graph back
	store    jobs.Store
	holdNext map[int]bool // deliveries (by number) given to the held engine
	n, depth int
}

func (q *eager) Send(ctx context.Context, _ time.Duration, msgs ...jobs.Message) error {
	for _, m := range msgs {
		m, _ = jobs.DecodeMessage(jobs.EncodeMessage(m))
		q.n++
		e := q.e
		if q.holdNext[q.n] {
			e = q.held
		}
		q.depth++
		err := e.Handle(ctx, m, jobs.Delivery{Attempt: 1})
		q.depth--
		if err != nil {
			q.t.Fatalf("Handle %s: %v", m.Unit, err)
		}
		if j, _ := q.store.Get(ctx, m.Job); j.State == jobs.Completed && q.depth > 0 {
			q.t.Fatalf("completed after %s, before its senders committed (counts %+v)", m.Unit, j.Counts)
		}
	}
	return nil
}

func TestAJobCompletesOnlyWithItsLastUnit(t *testing.T) {
	for _, mode := range []jobs.Mode{jobs.All, jobs.Drifted} {
		g := newFakeGraph()
		items := g.seed(pkgA, 130, groups, 10)
		g.throttleFirst[items[0].AssignmentID] = true
		g.throttleFirst[items[60].AssignmentID] = true
		store := jobs.NewMemoryStore()
		q := &eager{t: t, holdNext: map[int]bool{2: true, 5: true, 8: true}} // two chunks and the second page
		q.e = jobs.NewEngine(g, q, store, jobs.Options{})
		held := &reprocess.Throttle{}
		held.Hold(reprocess.MaxHold)
		q.held = jobs.NewEngine(g, q, store, jobs.Options{Throttle: held})
		q.store = store
		j, err := q.e.Start(context.Background(), jobs.Spec{Scope: jobs.Scope{AccessPackageID: pkgA}, Mode: mode})
		if err != nil {
			t.Fatal(err)
		}
		got, _ := q.e.Status(context.Background(), j.ID)
		want := jobs.Counts{Total: 130, Accepted: 130}
		if mode == jobs.Drifted {
			want = jobs.Counts{Total: 130, Accepted: 13, Drifted: 13, InSync: 117}
		}
		if got.State != jobs.Completed || got.Counts != want {
			t.Fatalf("%s: %s %+v, want completed %+v", mode, got.State, got.Counts, want)
		}
		if q.n != 16 { // 11 units, 2 retries of throttled items, 3 held back
			t.Fatalf("%s: %d deliveries, want 16", mode, q.n)
		}
	}
}
