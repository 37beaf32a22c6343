package jobs_test

import (
	"reflect"
	"testing"
	"time"

	"github.com/entra-tools/reprocess/shared/jobs"
)

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
