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
	if d := r.q.delays()[pkgA+"/p0"]; d <= 25*time.Second || d > 30*time.Second { // the page again, under its own key
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

func TestAPageGraphRefusesFailsTheJobAtOnce(t *testing.T) {
	r := newRig(jobs.Options{})
	r.g.seed(pkgA, 30, groups, 0)
	j, err := r.e.Start(context.Background(), jobs.Spec{Scope: jobs.Scope{AccessPackageID: pkgA}})
	if err != nil {
		t.Fatal(err)
	}
	page, _ := r.q.pop()
	g := &refusingGraph{Graph: r.g}
	e := jobs.NewEngine(g, r.q, r.s, jobs.Options{})
	if err := e.Handle(context.Background(), page.m, jobs.Delivery{Attempt: 1}); err != nil {
		t.Fatalf("a setup fault was delivered again: %v", err)
	}
	got, _ := e.Status(context.Background(), j.ID)
	if got.State != jobs.Failed || !strings.Contains(got.Error, "502 GraphAccessDenied") {
		t.Fatalf("job %s: %q", got.State, got.Error)
	}
}

// refusingGraph answers 403 to every list: the function lacks the permission.
type refusingGraph struct{ jobs.Graph }

func (refusingGraph) DeliveredPage(context.Context, string, string) (graph.Page, error) {
	return graph.Page{}, &graph.Error{Status: http.StatusForbidden, Code: "Authorization_RequestDenied"}
}
