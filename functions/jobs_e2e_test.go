package main

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/entra-tools/reprocess/shared/jobs"
	"github.com/entra-tools/reprocess/shared/sandbox"
)

// A drift job over HTTP against the in-process stack, as make run serves
// it: POST starts it on the in-process queue, GET is polled (202 with
// Location) until it answers 200 with exact counts.
func TestJobOverHTTP(t *testing.T) {
	// Reprocessed assignments are delivering for a while, out of the list's
	// filter, as the job goes on listing: its pages must not shift.
	tenant := sandbox.NewForTest(t, sandbox.Options{})
	s := newStackWith(t, tenant, nil)
	large := tenant.Seeds.LargeAccessPackage

	dry := s.runJob(t, `{"accessPackageId":"`+large.ID+`","mode":"drifted","dryRun":true}`)
	want := jobs.Counts{Total: large.Assignments, Drifted: large.Drifted, InSync: large.Assignments - large.Drifted}
	if dry.Counts != want || len(dry.Drift) != min(large.Drifted, jobs.MaxListed) || len(dry.Failures) != 0 {
		t.Fatalf("dry run: counts %+v (want %+v), %d drift, %d failures", dry.Counts, want, len(dry.Drift), len(dry.Failures))
	}
	if d := dry.Drift[0]; len(d.MissingGroupIDs) != 1 || !strings.Contains(strings.Join(large.Groups, " "), d.MissingGroupIDs[0]) {
		t.Fatalf("drift[0] = %+v; the package's groups are %v", d, large.Groups)
	}

	real := s.runJob(t, `{"accessPackageId":"`+large.ID+`","mode":"drifted"}`)
	want.Accepted = large.Drifted
	if real.Counts != want {
		t.Fatalf("drift job: counts %+v, want %+v", real.Counts, want)
	}

	// Every assignment reprocessed, each delivering (out of the filter)
	// while later pages are listed: none is missed.
	pkg := tenant.AddBulkAccessPackage(1000, 0)
	all := s.runJob(t, `{"accessPackageId":"`+pkg.ID+`"}`)
	if want := (jobs.Counts{Total: 1000, Accepted: 1000}); all.Counts != want {
		t.Fatalf("all: counts %+v, want %+v", all.Counts, want)
	}

	resp := s.do(t, http.MethodPost, "/api/jobs", `{"accessPackageId":"`+sandbox.TenantID+`"}`)
	if resp.StatusCode != http.StatusNotFound {
		t.Fatalf("unknown access package: %d", resp.StatusCode)
	}
}

// runJob starts a job and polls its status as a Logic App would, until 200.
func (s *stack) runJob(t testing.TB, body string) jobs.Job {
	t.Helper()
	resp := s.do(t, http.MethodPost, "/api/jobs", body)
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusAccepted || resp.Header.Get("Location") == "" || resp.Header.Get("Retry-After") == "" {
		t.Fatalf("POST /api/jobs = %d %v %s", resp.StatusCode, resp.Header, b)
	}
	var started struct{ JobID, State, StatusURL string }
	if err := json.Unmarshal(b, &started); err != nil || started.State != "running" || started.StatusURL != resp.Header.Get("Location") {
		t.Fatalf("POST /api/jobs body %s", b)
	}
	path := "/api/jobs/" + started.JobID
	for deadline := time.Now().Add(2 * time.Minute); ; { // a hang, not a timing assertion
		resp := s.do(t, http.MethodGet, path, "")
		b, _ := io.ReadAll(resp.Body)
		switch resp.StatusCode {
		case http.StatusAccepted:
			if resp.Header.Get("Location") == "" {
				t.Fatalf("202 without Location: %s", b)
			}
		case http.StatusOK:
			var j jobs.Job
			if err := json.Unmarshal(b, &j); err != nil || j.State != jobs.Completed || j.CompletedAt == nil {
				t.Fatalf("GET %s = %s", path, b)
			}
			if strings.Contains(string(b), "outstanding") {
				t.Fatalf("status shows engine internals: %s", b)
			}
			return j
		default:
			t.Fatalf("GET %s = %d %s", path, resp.StatusCode, b)
		}
		if time.Now().After(deadline) {
			t.Fatalf("job still running: %s", b)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// Throttled membership checks go back on the queue with Graph's delay and
// the counts stay exact.
func TestJobOverHTTPThrottled(t *testing.T) {
	tenant := sandbox.NewForTest(t, sandbox.Options{})
	s := newStackWith(t, tenant, nil)
	pkg := tenant.AddBulkAccessPackage(200, 10)
	tenant.Graph.Fail("/checkMemberGroups", http.StatusTooManyRequests, 3, time.Second)
	j := s.runJob(t, `{"accessPackageId":"`+pkg.ID+`","mode":"drifted"}`)
	want := jobs.Counts{Total: 200, Accepted: 20, Drifted: 20, InSync: 180}
	if j.Counts != want {
		t.Fatalf("counts %+v, want %+v", j.Counts, want)
	}
	if !strings.Contains(s.logs.String(), "job work throttled: sent again") {
		t.Fatal("no check was throttled")
	}
}
