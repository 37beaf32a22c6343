// Package jobstest holds the conformance suite every jobs.Store passes:
// memory, Azure Table Storage (against Azurite) and DynamoDB (against
// dynalite).
package jobstest

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/entra-tools/reprocess/shared/jobs"
)

// StoreSuite runs the Store contract against stores made by newStore; each
// call may share the backing storage, so every case uses fresh job ids.
func StoreSuite(t *testing.T, newStore func(t *testing.T) jobs.Store) {
	ctx := context.Background()
	newJob := func() jobs.Job {
		var b [6]byte
		rand.Read(b[:])
		return jobs.Job{
			ID:    fmt.Sprintf("0f8fad5b-d9cb-469f-a165-%x", b),
			State: jobs.Running, Scope: jobs.Scope{AccessPackageID: "9bbe5f7d-f1e7-4eb1-a586-38cdf6f8b1ea"},
			Mode: jobs.Drifted, DryRun: true, CreatedAt: time.Date(2026, 12, 7, 3, 0, 0, 0, time.UTC), Outstanding: 1,
		}
	}

	t.Run("create then get round-trips every field", func(t *testing.T) {
		s := newStore(t)
		j := newJob()
		done := j.CreatedAt.Add(time.Minute)
		j.CompletedAt = &done
		j.Counts = jobs.Counts{Total: 7, Accepted: 3, Failed: 1, Drifted: 2, InSync: 4, Unverifiable: 1}
		j.Failures = []jobs.Failure{{AssignmentID: "a", Status: 404, Code: "NotFound"}}
		j.Drift = []jobs.Drift{{AssignmentID: "a", TargetObjectID: "t", MissingGroupIDs: []string{"g1", "g2"}}}
		if err := s.Create(ctx, j); err != nil {
			t.Fatalf("Create: %v", err)
		}
		got, err := s.Get(ctx, j.ID)
		if err != nil {
			t.Fatalf("Get: %v", err)
		}
		if fmt.Sprint(got) != fmt.Sprint(j) || !got.CreatedAt.Equal(j.CreatedAt) || !got.CompletedAt.Equal(*j.CompletedAt) {
			t.Fatalf("Get = %+v, want %+v", got, j)
		}
	})

	t.Run("create twice is ErrExists", func(t *testing.T) {
		s := newStore(t)
		j := newJob()
		if err := s.Create(ctx, j); err != nil {
			t.Fatalf("Create: %v", err)
		}
		if err := s.Create(ctx, j); !errors.Is(err, jobs.ErrExists) {
			t.Fatalf("second Create = %v, want ErrExists", err)
		}
	})

	t.Run("unknown job is ErrNotFound", func(t *testing.T) {
		s := newStore(t)
		id := newJob().ID
		if _, err := s.Get(ctx, id); !errors.Is(err, jobs.ErrNotFound) {
			t.Fatalf("Get = %v, want ErrNotFound", err)
		}
		if _, err := s.Commit(ctx, id, "u", func(*jobs.Job) {}); !errors.Is(err, jobs.ErrNotFound) {
			t.Fatalf("Commit = %v, want ErrNotFound", err)
		}
	})

	t.Run("a unit commits once", func(t *testing.T) {
		s := newStore(t)
		j := newJob()
		if err := s.Create(ctx, j); err != nil {
			t.Fatalf("Create: %v", err)
		}
		add := func(j *jobs.Job) { j.Counts.Accepted += 20 }
		for i, want := range []bool{true, false, false} {
			applied, err := s.Commit(ctx, j.ID, "page:0/chunk:3", add)
			if err != nil || applied != want {
				t.Fatalf("Commit #%d = %v, %v; want %v, nil", i+1, applied, err, want)
			}
		}
		got, _ := s.Get(ctx, j.ID)
		if got.Counts.Accepted != 20 {
			t.Fatalf("accepted = %d after one unit committed three times, want 20", got.Counts.Accepted)
		}
	})

	t.Run("concurrent commits of distinct units all count", func(t *testing.T) {
		s := newStore(t)
		j := newJob()
		j.Outstanding = 16
		if err := s.Create(ctx, j); err != nil {
			t.Fatalf("Create: %v", err)
		}
		var wg sync.WaitGroup
		errs := make(chan error, 32)
		for i := range 16 {
			for range 2 { // each unit twice, at once: a redelivery racing the first delivery
				wg.Add(1)
				go func() {
					defer wg.Done()
					_, err := s.Commit(ctx, j.ID, fmt.Sprintf("chunk:%d", i), func(j *jobs.Job) {
						j.Counts.Accepted++
						j.Outstanding--
						j.Failures = append(j.Failures, jobs.Failure{AssignmentID: fmt.Sprint(i), Status: 429})
					})
					errs <- err
				}()
			}
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Fatalf("Commit: %v", err)
			}
		}
		got, _ := s.Get(ctx, j.ID)
		if got.Counts.Accepted != 16 || got.Outstanding != 0 || len(got.Failures) != 16 {
			t.Fatalf("after 16 units (each sent twice): accepted %d, outstanding %d, failures %d; want 16, 0, 16",
				got.Counts.Accepted, got.Outstanding, len(got.Failures))
		}
	})
}
