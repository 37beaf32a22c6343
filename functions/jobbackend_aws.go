//go:build !azureonly

package main

import (
	"net/http"

	"github.com/entra-tools/reprocess/shared/config"
	"github.com/entra-tools/reprocess/shared/jobs"
)

// awsJobBackend is SQS (JOBS_QUEUE_URL) and DynamoDB (JOBS_TABLE).
func awsJobBackend(cfg config.Config, hc *http.Client) (jobs.Queue, jobs.Store, bool, error) {
	return nil, nil, false, nil // not built yet
}
