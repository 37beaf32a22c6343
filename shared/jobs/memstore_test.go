package jobs_test

import (
	"testing"

	"github.com/entra-tools/reprocess/shared/jobs"
	"github.com/entra-tools/reprocess/shared/jobs/jobstest"
)

func TestMemoryStore(t *testing.T) {
	jobstest.StoreSuite(t, func(*testing.T) jobs.Store { return jobs.NewMemoryStore() })
}
