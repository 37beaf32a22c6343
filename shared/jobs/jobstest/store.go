// Package jobstest holds the conformance suite every jobs.Store passes:
// memory, Azure Table Storage (against Azurite) and DynamoDB (against
// dynalite).
package jobstest

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/entra-tools/reprocess/shared/jobs"
)

var created = time.Date(2026, 12, 7, 3, 0, 0, 0, time.UTC)

// NewJob is a running job with a fresh id and one outstanding unit.
func NewJob() jobs.Job {
	var b [6]byte
	rand.Read(b[:])
	return jobs.Job{
		ID: fmt.Sprintf("0f8fad5b-d9cb-469f-a165-%x", b), State: jobs.Running,
		Scope: jobs.Scope{AccessPackageID: "9bbe5f7d-f1e7-4eb1-a586-38cdf6f8b1ea"},
		Mode:  jobs.Drifted, DryRun: true, CreatedAt: created, Outstanding: 1,
		Failures: []jobs.Failure{}, Drift: []jobs.Drift{},
	}
}

// StoreSuite runs the Store contract against stores made by newStore; the
// stores may share their backing storage: every case uses fresh job ids.
func StoreSuite(t *testing.T, newStore func(t *testing.T) jobs.Store) {
	ctx := context.Background()

	t.Run("create then get round-trips every field", func(t *testing.T) {
		s := newStore(t)
		j := NewJob()
		j.Scope = jobs.Scope{CatalogID: "8ca95b77-2c1d-4c56-9a2e-5f3b1d7e9c40"}
		j.Outstanding = 3
		if err := s.Create(ctx, j); err != nil {
			t.Fatalf("Create: %v", err)
		}
		got, err := s.Get(ctx, j.ID)
		if err != nil {
			t.Fatalf("Get: %v", err)
		}
		if !reflect.DeepEqual(normal(got), normal(j)) {
			t.Fatalf("Get = %+v\nwant  %+v", got, j)
		}
	})

	t.Run("create twice is ErrExists", func(t *testing.T) {
		s := newStore(t)
		j := NewJob()
		if err := s.Create(ctx, j); err != nil {
			t.Fatalf("Create: %v", err)
		}
		if err := s.Create(ctx, j); !errors.Is(err, jobs.ErrExists) {
			t.Fatalf("second Create = %v, want ErrExists", err)
		}
	})

	t.Run("unknown job is ErrNotFound", func(t *testing.T) {
		s := newStore(t)
		id := NewJob().ID
		if _, err := s.Get(ctx, id); !errors.Is(err, jobs.ErrNotFound) {
			t.Fatalf("Get = %v, want ErrNotFound", err)
		}
		if _, err := s.Commit(ctx, id, "u", jobs.Delta{}); !errors.Is(err, jobs.ErrNotFound) {
			t.Fatalf("Commit = %v, want ErrNotFound", err)
		}
		if err := s.Fail(ctx, id, "x"); !errors.Is(err, jobs.ErrNotFound) {
			t.Fatalf("Fail = %v, want ErrNotFound", err)
		}
	})

	t.Run("a unit commits once and completes the job", func(t *testing.T) {
		s := newStore(t)
		j := NewJob()
		if err := s.Create(ctx, j); err != nil {
			t.Fatalf("Create: %v", err)
		}
		page := jobs.Delta{Counts: jobs.Counts{Total: 2}, Outstanding: 1, At: created.Add(time.Second)} // sent 2 chunks
		d := jobs.Delta{
			Counts:      jobs.Counts{Accepted: 1, Failed: 1, Drifted: 2},
			Outstanding: -1, At: created.Add(time.Minute),
			Failures: []jobs.Failure{{AssignmentID: "a1", Status: 404, Code: "NotFound"}},
			Drift:    []jobs.Drift{{AssignmentID: "a1", TargetObjectID: "t1", MissingGroupIDs: []string{"g1", "g2"}}},
		}
		for _, c := range []struct {
			unit string
			d    jobs.Delta
			want bool
		}{{"p0", page, true}, {"p0", page, false}, {"p0/c0", d, true}, {"p0/c0", d, false}, {"p0", page, false}} {
			applied, err := s.Commit(ctx, j.ID, c.unit, c.d)
			if err != nil || applied != c.want {
				t.Fatalf("Commit(%s) = %v, %v; want %v, nil", c.unit, applied, err, c.want)
			}
		}
		got, _ := s.Get(ctx, j.ID)
		if got.State != jobs.Running || got.Outstanding != 1 || got.Counts.Total != 2 || got.Counts.Accepted != 1 || got.Counts.Drifted != 2 {
			t.Fatalf("after a page and one of its two chunks (each twice): %+v", got)
		}
		if !reflect.DeepEqual(got.Failures, d.Failures) || !reflect.DeepEqual(got.Drift, d.Drift) {
			t.Fatalf("failures %+v drift %+v, want %+v %+v", got.Failures, got.Drift, d.Failures, d.Drift)
		}
		last := jobs.Delta{Counts: jobs.Counts{Accepted: 1}, Outstanding: -1, At: created.Add(2 * time.Minute)}
		if ok, err := s.Commit(ctx, j.ID, "p0/c1", last); !ok || err != nil {
			t.Fatalf("Commit(p0/c1) = %v, %v", ok, err)
		}
		got, _ = s.Get(ctx, j.ID)
		if got.State != jobs.Completed || got.CompletedAt == nil || !got.CompletedAt.Equal(last.At) || got.Counts.Accepted != 2 {
			t.Fatalf("after the last unit: state %s completedAt %v accepted %d; want completed at %v, 2",
				got.State, got.CompletedAt, got.Counts.Accepted, last.At)
		}
	})

	t.Run("concurrent commits of distinct units all count", func(t *testing.T) {
		s := newStore(t)
		j := NewJob()
		j.Outstanding = 16
		if err := s.Create(ctx, j); err != nil {
			t.Fatalf("Create: %v", err)
		}
		var wg sync.WaitGroup
		var mu sync.Mutex
		applied := 0
		for i := range 16 {
			for range 2 { // each unit twice at once: a redelivery racing the first delivery
				wg.Add(1)
				go func() {
					defer wg.Done()
					ok, err := s.Commit(ctx, j.ID, fmt.Sprintf("c%02d", i), jobs.Delta{
						Counts: jobs.Counts{Accepted: 1}, Outstanding: -1, At: created.Add(time.Duration(i) * time.Second),
						Failures: []jobs.Failure{{AssignmentID: fmt.Sprint(i), Status: 400, Code: "BadRequest"}},
					})
					if err != nil {
						t.Errorf("Commit: %v", err)
					}
					mu.Lock()
					applied += map[bool]int{true: 1}[ok]
					mu.Unlock()
				}()
			}
		}
		wg.Wait()
		got, _ := s.Get(ctx, j.ID)
		if applied != 16 || got.Counts.Accepted != 16 || got.Outstanding != 0 || len(got.Failures) != 16 || got.State != jobs.Completed {
			t.Fatalf("16 units each sent twice: %d applied; accepted %d, outstanding %d, failures %d, state %s; want 16, 16, 0, 16, completed",
				applied, got.Counts.Accepted, got.Outstanding, len(got.Failures), got.State)
		}
	})

	t.Run("lists keep the first MaxListed", func(t *testing.T) {
		s := newStore(t)
		j := NewJob()
		j.Outstanding = 3
		if err := s.Create(ctx, j); err != nil {
			t.Fatalf("Create: %v", err)
		}
		for u := range 3 {
			d := jobs.Delta{Counts: jobs.Counts{Failed: 60}, Outstanding: -1, At: created}
			for i := range 60 {
				d.Failures = append(d.Failures, jobs.Failure{AssignmentID: fmt.Sprintf("%d-%d", u, i), Status: 404, Code: "NotFound"})
			}
			if _, err := s.Commit(ctx, j.ID, fmt.Sprintf("c%d", u), d); err != nil {
				t.Fatalf("Commit: %v", err)
			}
		}
		got, _ := s.Get(ctx, j.ID)
		if got.Counts.Failed != 180 || len(got.Failures) != jobs.MaxListed {
			t.Fatalf("failed %d, listed %d; want 180, %d", got.Counts.Failed, len(got.Failures), jobs.MaxListed)
		}
	})

	t.Run("fail marks the job failed", func(t *testing.T) {
		s := newStore(t)
		j := NewJob()
		if err := s.Create(ctx, j); err != nil {
			t.Fatalf("Create: %v", err)
		}
		if err := s.Fail(ctx, j.ID, "the jobs queue refused the first page"); err != nil {
			t.Fatalf("Fail: %v", err)
		}
		got, _ := s.Get(ctx, j.ID)
		if got.State != jobs.Failed || got.Error != "the jobs queue refused the first page" || got.CompletedAt == nil {
			t.Fatalf("after Fail: %+v", got)
		}
	})
}

// normal makes nil and empty lists equal and times comparable.
func normal(j jobs.Job) jobs.Job {
	if len(j.Failures) == 0 {
		j.Failures = nil
	}
	if len(j.Drift) == 0 {
		j.Drift = nil
	}
	j.CreatedAt = j.CreatedAt.UTC()
	return j
}
