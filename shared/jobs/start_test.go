package jobs_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/entra-tools/reprocess/shared/jobs"
	"github.com/entra-tools/reprocess/shared/reprocess"
)

func TestCatalogScopeCoversEveryAccessPackage(t *testing.T) {
	r := newRig(jobs.Options{})
	r.g.seed(pkgA, 60, groups, 0)
	r.g.seed(pkgB, 45, groups, 0)
	r.g.catalogs[catalog] = []string{pkgA, pkgB}
	r.g.catalogs[pkgB] = nil // an empty catalog, by another id
	j := r.run(t, jobs.Spec{Scope: jobs.Scope{CatalogID: catalog}}, 2)
	if want := (jobs.Counts{Total: 105, Accepted: 105}); j.Counts != want {
		t.Fatalf("counts %+v, want %+v", j.Counts, want)
	}
	empty, err := r.e.Start(context.Background(), jobs.Spec{Scope: jobs.Scope{CatalogID: pkgB}})
	if err != nil || empty.State != jobs.Completed {
		t.Fatalf("empty catalog: %+v, %v", empty, err)
	}
}

func TestStartRefusals(t *testing.T) {
	t.Run("unknown access package: Graph's 404, nothing stored", func(t *testing.T) {
		r := newRig(jobs.Options{})
		_, err := r.e.Start(context.Background(), jobs.Spec{Scope: jobs.Scope{AccessPackageID: pkgB}})
		if o := reprocess.OutcomeOf(err); o.Status != 404 || o.Code != "ResourceNotFound" {
			t.Fatalf("outcome %+v", o)
		}
		if r.s.creates != 0 || len(r.q.all) != 0 {
			t.Fatalf("%d creates, %d sends", r.s.creates, len(r.q.all))
		}
	})
	t.Run("unknown catalog: 404", func(t *testing.T) {
		r := newRig(jobs.Options{})
		_, err := r.e.Start(context.Background(), jobs.Spec{Scope: jobs.Scope{CatalogID: catalog}})
		if o := reprocess.OutcomeOf(err); o.Status != 404 || r.s.creates != 0 {
			t.Fatalf("outcome %+v, %d creates", o, r.s.creates)
		}
	})
	t.Run("store down: 503 JobStoreUnavailable, no more Graph calls", func(t *testing.T) {
		r := newRig(jobs.Options{})
		r.g.seed(pkgA, 30, groups, 0)
		r.s.down = true
		_, err := r.e.Start(context.Background(), jobs.Spec{Scope: jobs.Scope{AccessPackageID: pkgA}})
		o := reprocess.OutcomeOf(err)
		if o.Status != http.StatusServiceUnavailable || o.Code != "JobStoreUnavailable" || o.RetryAfter <= 0 {
			t.Fatalf("outcome %+v", o)
		}
		if !errors.Is(err, jobs.ErrUnavailable) {
			t.Fatalf("cause lost: %v", err)
		}
		if r.g.count("AccessPackage") != 1 || len(r.g.calls) != 1 || len(r.q.all) != 0 {
			t.Fatalf("graph calls %v, %d sends", r.g.calls, len(r.q.all))
		}
	})
	t.Run("queue down after create: 503 and the job failed", func(t *testing.T) {
		r := newRig(jobs.Options{NewID: func() string { return "0f8fad5b-d9cb-469f-a165-70867728950e" }})
		r.g.seed(pkgA, 30, groups, 0)
		r.q.fail = errors.Join(jobs.ErrUnavailable, errDown)
		_, err := r.e.Start(context.Background(), jobs.Spec{Scope: jobs.Scope{AccessPackageID: pkgA}})
		if o := reprocess.OutcomeOf(err); o.Status != 503 || o.Code != "JobStoreUnavailable" {
			t.Fatalf("outcome %+v", o)
		}
		got, err := r.e.Status(context.Background(), "0f8fad5b-d9cb-469f-a165-70867728950e")
		if err != nil || got.State != jobs.Failed || got.Error == "" {
			t.Fatalf("job %+v, %v", got, err)
		}
	})
	t.Run("unknown job: ErrNotFound", func(t *testing.T) {
		r := newRig(jobs.Options{})
		if _, err := r.e.Status(context.Background(), pkgA); !errors.Is(err, jobs.ErrNotFound) {
			t.Fatalf("err %v", err)
		}
	})
}

func TestSweepStartsOneJobPerPackageDespiteFailures(t *testing.T) {
	r := newRig(jobs.Options{})
	r.g.seed(pkgA, 30, groups, 3)
	started, err := r.e.Sweep(context.Background(), []string{pkgB, pkgA}, jobs.Drifted)
	if len(started) != 1 || started[0].Scope.AccessPackageID != pkgA || started[0].Mode != jobs.Drifted {
		t.Fatalf("started %+v", started)
	}
	if err == nil || !strings.Contains(err.Error(), pkgB) {
		t.Fatalf("err %v", err)
	}
	r.drain(t, 1)
	got, _ := r.e.Status(context.Background(), started[0].ID)
	if want := (jobs.Counts{Total: 30, Accepted: 10, Drifted: 10, InSync: 20}); got.Counts != want {
		t.Fatalf("counts %+v, want %+v", got.Counts, want)
	}
}
