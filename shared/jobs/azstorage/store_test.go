package azstorage_test

import (
	"context"
	"testing"
	"time"

	"github.com/entra-tools/reprocess/shared/jobs"
	"github.com/entra-tools/reprocess/shared/jobs/azstorage"
	"github.com/entra-tools/reprocess/shared/jobs/jobstest"
)

func TestStoreOnAzurite(t *testing.T) {
	o := azuriteOptions(t)
	table := unique("jobs")
	jobstest.StoreSuite(t, func(t *testing.T) jobs.Store {
		s, err := azstorage.NewStore(o, table)
		if err != nil {
			t.Fatalf("NewStore: %v", err)
		}
		return s
	})
}

func TestPurgeRemovesExpiredJobsOnly(t *testing.T) {
	ctx := context.Background()
	s, err := azstorage.NewStore(azuriteOptions(t), unique("purge"))
	if err != nil {
		t.Fatal(err)
	}
	old, fresh := jobstest.NewJob(), jobstest.NewJob()
	old.CreatedAt = time.Now().Add(-jobs.TTL - time.Hour)
	fresh.CreatedAt = time.Now()
	for _, j := range []jobs.Job{old, fresh} {
		if err := s.Create(ctx, j); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Commit(ctx, j.ID, "p0/c0", jobs.Delta{Outstanding: -1}); err != nil {
			t.Fatal(err)
		}
	}
	n, err := s.Purge(ctx, time.Now())
	if err != nil || n != 1 {
		t.Fatalf("Purge = %d, %v; want 1, nil", n, err)
	}
	if _, err := s.Get(ctx, old.ID); !errorsIs(err, jobs.ErrNotFound) {
		t.Fatalf("expired job after purge: %v, want ErrNotFound", err)
	}
	if got, err := s.Get(ctx, fresh.ID); err != nil || got.State != jobs.Completed {
		t.Fatalf("fresh job after purge: %+v, %v", got, err)
	}
}
