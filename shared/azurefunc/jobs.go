package azurefunc

import (
	"context"
	"time"

	"github.com/entra-tools/reprocess/shared/jobs"
)

// The jobs functions: the job-worker queue trigger (JOBS_QUEUE) and the
// sweep timer trigger (SWEEP_SCHEDULE).
const (
	FunctionJobWorker = "job-worker"
	FunctionSweep     = "sweep"
	timerBinding      = "timer"
)

// maxDequeueCount is host.json's extensions.queues.maxDequeueCount: the
// delivery that sees it is the last before the poison queue.
const maxDequeueCount = 5

// sweepTimeout bounds a sweep invocation (host.json's functionTimeout is 3 minutes).
const sweepTimeout = 2 * time.Minute

// JobWorker is what the jobs functions need of the jobs core (jobs.Engine).
type JobWorker interface {
	Handle(ctx context.Context, m jobs.Message, d jobs.Delivery) error
	Sweep(ctx context.Context, accessPackageIDs []string, mode jobs.Mode) ([]jobs.Job, error)
}

// Purger removes expired job records; the sweep calls it where the table
// has no TTL of its own (Azure Table Storage).
type Purger interface {
	Purge(ctx context.Context, now time.Time) (int, error)
}

// SweepPlan is what the sweep function starts: one job per access package
// id (SWEEP_ACCESS_PACKAGE_IDS) with Mode (SWEEP_MODE); Purge may be nil.
type SweepPlan struct {
	AccessPackageIDs []string
	Mode             jobs.Mode
	Purge            Purger
}

// WithJobs gives the job-worker and sweep functions the jobs core. Without
// it (no job backend), job-worker fails its invocations and sweep only
// reports that it has nothing to run on.
func WithJobs(w JobWorker, plan SweepPlan) Option {
	return func(e *edge) { e.jobs, e.sweep = w, plan }
}
