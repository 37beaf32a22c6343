package jobs_test

import (
	"context"
	"errors"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/entra-tools/reprocess/shared/graph"
	"github.com/entra-tools/reprocess/shared/jobs"
	"github.com/entra-tools/reprocess/shared/reprocess"
)

const (
	pkgA    = "9bbe5f7d-f1e7-4eb1-a586-38cdf6f8b1ea"
	pkgB    = "5d1b8a62-0c3e-4f7a-9b21-7c6e2d4f8a10"
	catalog = "8ca95b77-2c1d-4c56-9a2e-5f3b1d7e9c40"
	group1  = "11111111-1111-4111-8111-111111111111"
	group2  = "22222222-2222-4222-8222-222222222222"
)

var groups = []string{group1, group2}

func TestAllModeReprocessesEveryDeliveredAssignmentOnce(t *testing.T) {
	for _, times := range []int{1, 2} { // 2: every message delivered twice
		r := newRig(jobs.Options{})
		items := r.g.seed(pkgA, 130, groups, 0)
		j := r.run(t, jobs.Spec{Scope: jobs.Scope{AccessPackageID: pkgA}, Mode: jobs.All}, times)
		want := jobs.Counts{Total: 130, Accepted: 130}
		if j.Counts != want {
			t.Fatalf("delivered %dx: counts %+v, want %+v", times, j.Counts, want)
		}
		if times == 1 {
			for _, it := range items {
				if n := r.g.reprocessN[it.AssignmentID]; n != 1 {
					t.Fatalf("%s reprocessed %d times", it.AssignmentID, n)
				}
			}
			// 50 a page: 3 + 3 + 2 chunks, one $batch each; 3 list pages; no check.
			if got := r.g.calls; got["ReprocessBatch"] != 8 || got["DeliveredPage"] != 3 || got["CheckMemberGroups"] != 0 {
				t.Fatalf("graph calls %v", got)
			}
		}
	}
}

func TestDriftDryRunReportsAndReprocessesNothing(t *testing.T) {
	for _, times := range []int{1, 2} {
		r := newRig(jobs.Options{})
		items := r.g.seed(pkgA, 130, groups, 10)       // 13 lack group2
		r.g.checkStatus[items[1].TargetObjectID] = 404 // gone from the directory
		j := r.run(t, jobs.Spec{Scope: jobs.Scope{AccessPackageID: pkgA}, Mode: jobs.Drifted, DryRun: true}, times)
		want := jobs.Counts{Total: 130, Drifted: 13, InSync: 116, Unverifiable: 1}
		if j.Counts != want {
			t.Fatalf("delivered %dx: counts %+v, want %+v", times, j.Counts, want)
		}
		if n := r.g.count("ReprocessBatch"); n != 0 {
			t.Fatalf("a dry run sent %d reprocess batches", n)
		}
		if len(j.Drift) != 13 {
			t.Fatalf("drift lists %d", len(j.Drift))
		}
		d := j.Drift[0]
		if d.AssignmentID != items[0].AssignmentID || d.TargetObjectID != items[0].TargetObjectID || !reflect.DeepEqual(d.MissingGroupIDs, []string{group2}) {
			t.Fatalf("drift[0] = %+v", d)
		}
	}
	// The package's groups are read once, by Start, and carried on.
	r := newRig(jobs.Options{})
	r.g.seed(pkgA, 130, groups, 10)
	r.run(t, jobs.Spec{Scope: jobs.Scope{AccessPackageID: pkgA}, Mode: jobs.Drifted, DryRun: true}, 1)
	if n := r.g.count("AccessPackage"); n != 1 {
		t.Fatalf("AccessPackage read %d times", n)
	}
}

func TestDriftReprocessesTheDriftedAndTheUnverifiable(t *testing.T) {
	r := newRig(jobs.Options{})
	items := r.g.seed(pkgA, 130, groups, 10)
	r.g.checkStatus[items[1].TargetObjectID] = 404
	r.g.checkStatus[items[2].TargetObjectID] = 403 // our permission: a setup fault
	j := r.run(t, jobs.Spec{Scope: jobs.Scope{AccessPackageID: pkgA}, Mode: jobs.Drifted}, 1)
	want := jobs.Counts{Total: 130, Accepted: 14, Failed: 1, Drifted: 13, InSync: 115, Unverifiable: 1}
	if j.Counts != want {
		t.Fatalf("counts %+v, want %+v", j.Counts, want)
	}
	if len(j.Failures) != 1 || j.Failures[0] != (jobs.Failure{AssignmentID: items[2].AssignmentID, Status: 502, Code: "GraphAccessDenied"}) {
		t.Fatalf("failures %+v", j.Failures)
	}
	for i, it := range items {
		wantN := 0
		if i%10 == 0 || i == 1 {
			wantN = 1
		}
		if n := r.g.reprocessN[it.AssignmentID]; n != wantN {
			t.Fatalf("item %d reprocessed %d times, want %d", i, n, wantN)
		}
	}
}

func TestDriftOfAPackageWithRolesAMembershipCannotShow(t *testing.T) {
	r := newRig(jobs.Options{})
	r.g.seed(pkgA, 40, groups, 10) // 4 drifted
	p := r.g.packages[pkgA]
	p.Unverifiable = true
	r.g.packages[pkgA] = p
	j := r.run(t, jobs.Spec{Scope: jobs.Scope{AccessPackageID: pkgA}, Mode: jobs.Drifted}, 1)
	want := jobs.Counts{Total: 40, Accepted: 40, Drifted: 4, Unverifiable: 36}
	if j.Counts != want {
		t.Fatalf("counts %+v, want %+v", j.Counts, want)
	}
}

func TestDriftSplitsGroupsByCheckLimit(t *testing.T) {
	r := newRig(jobs.Options{})
	many := make([]string, 25)
	for i := range many {
		many[i] = guid('c', i)
	}
	r.g.seed(pkgA, 20, many, 5) // 4 lack the last group
	j := r.run(t, jobs.Spec{Scope: jobs.Scope{AccessPackageID: pkgA}, Mode: jobs.Drifted, DryRun: true}, 1)
	if want := (jobs.Counts{Total: 20, Drifted: 4, InSync: 16}); j.Counts != want {
		t.Fatalf("counts %+v, want %+v", j.Counts, want)
	}
	// 20 targets × 2 checks (20 + 5 groups) = 40 checks: 2 $batches.
	if n := r.g.count("CheckMemberGroups"); n != 2 {
		t.Fatalf("%d check batches", n)
	}
}

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

func TestThrottledItemsGoBackWithGraphsDelay(t *testing.T) {
	r := newRig(jobs.Options{})
	items := r.g.seed(pkgA, 60, groups, 0)
	for _, i := range []int{0, 5, 41} {
		r.g.throttleFirst[items[i].AssignmentID] = true
	}
	j := r.run(t, jobs.Spec{Scope: jobs.Scope{AccessPackageID: pkgA}}, 2)
	if want := (jobs.Counts{Total: 60, Accepted: 60}); j.Counts != want {
		t.Fatalf("counts %+v, want %+v", j.Counts, want)
	}
	d := r.q.delays()
	want := map[string]time.Duration{pkgA + "/p0/c0/r1": 7 * time.Second, pkgA + "/p0/c2/r1": 7 * time.Second}
	if !reflect.DeepEqual(d, want) {
		t.Fatalf("delayed units %v, want %v", d, want)
	}
}

func TestThrottledDriftWorkIsNotCountedTwice(t *testing.T) {
	r := newRig(jobs.Options{})
	items := r.g.seed(pkgA, 40, groups, 10) // items 0, 10, 20, 30 drifted
	r.g.checkThrottleFirst[items[3].TargetObjectID] = true
	r.g.throttleFirst[items[10].AssignmentID] = true
	j := r.run(t, jobs.Spec{Scope: jobs.Scope{AccessPackageID: pkgA}, Mode: jobs.Drifted}, 2)
	if want := (jobs.Counts{Total: 40, Accepted: 4, Drifted: 4, InSync: 36}); j.Counts != want {
		t.Fatalf("counts %+v, want %+v", j.Counts, want)
	}
	d := r.q.delays()
	if d[pkgA+"/p0/c0/r1"] != 3*time.Second || d[pkgA+"/p0/c0/r2"] != 7*time.Second {
		t.Fatalf("delays %v", d)
	}
	if n, m := r.g.checkN[items[10].TargetObjectID], r.g.checkN[items[11].TargetObjectID]; n != m {
		t.Fatalf("a target whose reprocess was throttled was checked %d times, its neighbour %d", n, m)
	}
}

func TestHeldBackByTheProcessThrottle(t *testing.T) {
	th := &reprocess.Throttle{}
	r := newRig(jobs.Options{Throttle: th})
	r.g.seed(pkgA, 10, groups, 0)
	j, err := r.e.Start(context.Background(), jobs.Spec{Scope: jobs.Scope{AccessPackageID: pkgA}})
	if err != nil {
		t.Fatal(err)
	}
	th.Hold(30 * time.Second)
	s, _ := r.q.pop()
	if err := r.e.Handle(context.Background(), s.m, jobs.Delivery{Attempt: 1}); err != nil {
		t.Fatal(err)
	}
	if n := r.g.count("DeliveredPage"); n != 0 {
		t.Fatalf("a held-back page called Graph %d times", n)
	}
	if d := r.q.delays()[pkgA+"/p0/r1"]; d <= 25*time.Second || d > 30*time.Second {
		t.Fatalf("held back for %v", d)
	}
	got, _ := r.e.Status(context.Background(), j.ID)
	if got.State != jobs.Running || got.Outstanding != 1 {
		t.Fatalf("job %s outstanding %d", got.State, got.Outstanding)
	}
}

func TestFailuresAreCountedAndListed(t *testing.T) {
	r := newRig(jobs.Options{})
	items := r.g.seed(pkgA, 20, groups, 0)
	r.g.reprocessStatus[items[3].AssignmentID] = 404
	r.g.reprocessStatus[items[4].AssignmentID] = 403
	j := r.run(t, jobs.Spec{Scope: jobs.Scope{AccessPackageID: pkgA}}, 1)
	if want := (jobs.Counts{Total: 20, Accepted: 18, Failed: 2}); j.Counts != want {
		t.Fatalf("counts %+v, want %+v", j.Counts, want)
	}
	want := []jobs.Failure{{AssignmentID: items[3].AssignmentID, Status: 404, Code: "Not Found"},
		{AssignmentID: items[4].AssignmentID, Status: 502, Code: "GraphAccessDenied"}}
	if !reflect.DeepEqual(j.Failures, want) {
		t.Fatalf("failures %+v, want %+v", j.Failures, want)
	}
}

func TestTransientErrorsAreRedeliveredThenCountedOnTheFinalAttempt(t *testing.T) {
	r := newRig(jobs.Options{})
	r.g.seed(pkgA, 30, groups, 0)
	r.g.envelope["reprocess"] = &graph.Error{Status: 503, Code: "ServiceUnavailable"}
	j, err := r.e.Start(context.Background(), jobs.Spec{Scope: jobs.Scope{AccessPackageID: pkgA}})
	if err != nil {
		t.Fatal(err)
	}
	page, _ := r.q.pop()
	if err := r.e.Handle(context.Background(), page.m, jobs.Delivery{Attempt: 1}); err != nil {
		t.Fatal(err)
	}
	for {
		s, ok := r.q.pop()
		if !ok {
			break
		}
		if err := r.e.Handle(context.Background(), s.m, jobs.Delivery{Attempt: 1}); err == nil {
			t.Fatalf("%s: a 503 envelope was not delivered again", s.m.Unit)
		}
		if err := r.e.Handle(context.Background(), s.m, jobs.Delivery{Attempt: 5, Final: true}); err != nil {
			t.Fatalf("%s final: %v", s.m.Unit, err)
		}
	}
	got, _ := r.e.Status(context.Background(), j.ID)
	if want := (jobs.Counts{Total: 30, Failed: 30}); got.Counts != want || got.State != jobs.Completed {
		t.Fatalf("%s counts %+v, want %+v", got.State, got.Counts, want)
	}
	if f := got.Failures[0]; f.Status != 503 || f.Code != "GraphUnavailable" {
		t.Fatalf("failure %+v", f)
	}
}

func TestAPageThatFailsForGoodFailsTheJob(t *testing.T) {
	r := newRig(jobs.Options{})
	r.g.seed(pkgA, 30, groups, 0)
	j, err := r.e.Start(context.Background(), jobs.Spec{Scope: jobs.Scope{AccessPackageID: pkgA}})
	if err != nil {
		t.Fatal(err)
	}
	delete(r.g.packages, pkgA) // deleted mid-job
	r.drain(t, 1)
	got, _ := r.e.Status(context.Background(), j.ID)
	if got.State != jobs.Failed || !strings.Contains(got.Error, "404") {
		t.Fatalf("job %s: %q", got.State, got.Error)
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

func TestAQueueRefusingWorkOnTheFinalDeliveryStillEndsTheJob(t *testing.T) {
	t.Run("a chunk's throttled items count as failed", func(t *testing.T) {
		r := newRig(jobs.Options{})
		items := r.g.seed(pkgA, 20, groups, 0)
		r.g.throttleFirst[items[0].AssignmentID] = true
		j, _ := r.e.Start(context.Background(), jobs.Spec{Scope: jobs.Scope{AccessPackageID: pkgA}})
		r.drainOnce(t) // the page
		chunk, _ := r.q.pop()
		r.q.fail = errors.Join(jobs.ErrUnavailable, errDown)
		if err := r.e.Handle(context.Background(), chunk.m, jobs.Delivery{Attempt: 1}); err == nil {
			t.Fatal("a refused retry did not fail the delivery")
		}
		delete(r.g.reprocessN, items[0].AssignmentID) // throttled again on the last delivery
		if err := r.e.Handle(context.Background(), chunk.m, jobs.Delivery{Attempt: 5, Final: true}); err != nil {
			t.Fatal(err)
		}
		got, _ := r.e.Status(context.Background(), j.ID)
		if want := (jobs.Counts{Total: 20, Accepted: 19, Failed: 1}); got.Counts != want || got.State != jobs.Completed {
			t.Fatalf("%s %+v, want %+v", got.State, got.Counts, want)
		}
		if f := got.Failures[0]; f.Status != 503 || f.Code != "JobStoreUnavailable" {
			t.Fatalf("failure %+v", f)
		}
	})
	t.Run("a page whose work cannot be queued fails the job", func(t *testing.T) {
		r := newRig(jobs.Options{})
		r.g.seed(pkgA, 20, groups, 0)
		j, _ := r.e.Start(context.Background(), jobs.Spec{Scope: jobs.Scope{AccessPackageID: pkgA}})
		page, _ := r.q.pop()
		r.q.fail = errors.Join(jobs.ErrUnavailable, errDown)
		if err := r.e.Handle(context.Background(), page.m, jobs.Delivery{Attempt: 5, Final: true}); err != nil {
			t.Fatal(err)
		}
		got, _ := r.e.Status(context.Background(), j.ID)
		if got.State != jobs.Failed || !strings.Contains(got.Error, "queue refused") {
			t.Fatalf("%s %q", got.State, got.Error)
		}
	})
}
