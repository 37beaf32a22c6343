package api

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"time"

	"github.com/entra-tools/reprocess/shared/jobs"
	"github.com/entra-tools/reprocess/shared/reprocess"
)

// Jobs is what the job routes need of the jobs engine (jobs.Engine);
// tests give a fake.
type Jobs interface {
	Start(ctx context.Context, spec jobs.Spec) (jobs.Job, error)
	Status(ctx context.Context, id string) (jobs.Job, error)
}

// jobBody is a job as the status route answers it (SPEC "Jobs"): the
// record without what only the engine needs (outstanding units).
type jobBody struct {
	JobID       string         `json:"jobId"`
	State       jobs.State     `json:"state"`
	Scope       jobs.Scope     `json:"scope"`
	Mode        jobs.Mode      `json:"mode"`
	DryRun      bool           `json:"dryRun"`
	CreatedAt   time.Time      `json:"createdAt"`
	CompletedAt *time.Time     `json:"completedAt"`
	Counts      jobs.Counts    `json:"counts"`
	Failures    []jobs.Failure `json:"failures"`
	Drift       []jobs.Drift   `json:"drift"`
	Error       string         `json:"error,omitempty"` // why a failed job failed as a whole
}

// jobStarted is the 202 of POST /api/jobs.
type jobStarted struct {
	JobID     string     `json:"jobId"`
	State     jobs.State `json:"state"`
	StatusURL string     `json:"statusUrl"`
}

var errJobsNotConfigured = &reprocess.Problem{Status: http.StatusServiceUnavailable, Code: "JobStoreUnavailable",
	Message: "Jobs are not configured on this runtime: it needs the jobs queue and table (see the README's Jobs section)."}

var errJobNotFound = &reprocess.Problem{Status: http.StatusNotFound, Code: "JobNotFound",
	Message: "There is no such job: its id is wrong, or it ended more than 30 days ago."}

// startJob serves POST /api/jobs: the job runs on the platform's queue,
// and the 202's Location is its status, for the Logic Apps asynchronous pattern.
func startJob(d Deps) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := readJSON(r)
		if err != nil {
			writeError(w, r, err)
			return
		}
		spec, err := jobs.ParseSpec(body)
		if err != nil {
			writeError(w, r, err)
			return
		}
		if d.Jobs == nil {
			writeError(w, r, errJobsNotConfigured)
			return
		}
		j, err := d.Jobs.Start(r.Context(), spec)
		if err != nil {
			writeError(w, r, err)
			return
		}
		rec := recordOf(r)
		rec.code = "JobStarted"
		rec.attrs = append(rec.attrs, slog.String("jobId", j.ID))
		statusURL := pollAt(w, r, "/api/jobs/"+j.ID)
		writeJSON(w, http.StatusAccepted, jobStarted{JobID: j.ID, State: j.State, StatusURL: statusURL})
	})
}

// jobStatus serves GET /api/jobs/{jobId}: 202 with Location and
// Retry-After while the job runs, so a Logic Apps HTTP action polls it to
// the end; 200 once it completed or failed.
func jobStatus(d Deps) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id, err := jobs.ParseJobID(r.PathValue("jobId"))
		if err != nil {
			writeError(w, r, err)
			return
		}
		if d.Jobs == nil {
			writeError(w, r, errJobsNotConfigured)
			return
		}
		j, err := d.Jobs.Status(r.Context(), id)
		if errors.Is(err, jobs.ErrNotFound) {
			err = errJobNotFound
		}
		if err != nil {
			writeError(w, r, err)
			return
		}
		rec := recordOf(r)
		rec.code = string(j.State)
		rec.attrs = append(rec.attrs, slog.String("jobId", j.ID))
		status := http.StatusOK
		if j.State == jobs.Running {
			status = http.StatusAccepted
			pollAt(w, r, "/api/jobs/"+j.ID)
		}
		writeJSON(w, status, bodyOf(j))
	})
}

// JobBody is a job as GET /api/jobs/{jobId} answers it: the terminal
// command's --json report is the same body.
func JobBody(j jobs.Job) any { return bodyOf(j) }

func bodyOf(j jobs.Job) jobBody {
	b := jobBody{JobID: j.ID, State: j.State, Scope: j.Scope, Mode: j.Mode, DryRun: j.DryRun, CreatedAt: j.CreatedAt,
		CompletedAt: j.CompletedAt, Counts: j.Counts, Failures: j.Failures, Drift: j.Drift, Error: j.Error}
	if b.Failures == nil {
		b.Failures = []jobs.Failure{}
	}
	b.Drift = make([]jobs.Drift, len(j.Drift))
	for i, d := range j.Drift {
		if d.MissingGroupIDs == nil {
			d.MissingGroupIDs = []string{}
		}
		b.Drift[i] = d
	}
	return b
}
