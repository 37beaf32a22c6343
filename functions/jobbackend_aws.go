//go:build !azureonly

package main

import (
	"net/http"

	"github.com/entra-tools/reprocess/shared/config"
	"github.com/entra-tools/reprocess/shared/jobs"
	"github.com/entra-tools/reprocess/shared/jobs/awsjobs"
	"github.com/entra-tools/reprocess/shared/webhook"
)

// awsJobBackend is SQS (JOBS_QUEUE_URL) and DynamoDB (JOBS_TABLE). Without
// JOBS_QUEUE_URL the function has no jobs (the routes answer 503): the
// template sets it with the queue it declares. The clients come to life on
// the first job call, not at start, signed with the process's chain.
func awsJobBackend(cfg config.Config, chain awsChain, hc *http.Client) (jobs.Queue, jobs.Store, bool, error) {
	c, ok := awsJobsConfig(cfg, chain, hc)
	if !ok {
		return nil, nil, false, nil
	}
	return awsjobs.NewQueue(c), awsjobs.NewStore(c), true, nil
}

func awsJobsConfig(cfg config.Config, chain awsChain, hc *http.Client) (awsjobs.Config, bool) {
	j := cfg.Jobs
	if j.QueueURL == "" || j.Table == "" {
		return awsjobs.Config{}, false
	}
	return awsjobs.Config{
		Region: j.AWSRegion, Table: j.Table, QueueURL: j.QueueURL,
		Credentials:      chain.creds,
		DynamoDBEndpoint: j.DynamoDBEndpoint, SQSEndpoint: j.SQSEndpoint,
		HTTPClient: hc,
	}, true
}

// The DynamoDB store is also the replay record newTracedCore finds in it.
var _ webhook.SharedReplays = (*awsjobs.Store)(nil)
