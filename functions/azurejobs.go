package main

import (
	"github.com/entra-tools/reprocess/shared/azurefunc"
	"github.com/entra-tools/reprocess/shared/config"
	"github.com/entra-tools/reprocess/shared/jobs"
)

// azureJobOptions give the job-worker and sweep functions the jobs engine,
// the sweep's settings and, where the table has no TTL (Azure Table
// Storage), the purge of expired jobs. Without an engine they have none.
func azureJobOptions(cfg config.Config, ed edges) []azurefunc.Option {
	if ed.jobs == nil {
		return nil
	}
	plan := azurefunc.SweepPlan{AccessPackageIDs: cfg.Jobs.SweepAccessPackageIDs, Mode: jobs.Mode(cfg.Jobs.SweepMode)}
	if ed.purge != nil {
		plan.Purge = ed.purge
	}
	return []azurefunc.Option{azurefunc.WithJobs(ed.jobs, plan)}
}
