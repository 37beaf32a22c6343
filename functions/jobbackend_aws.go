//go:build !azureonly

package main

import (
	"net/http"

	"github.com/entra-tools/reprocess/shared/config"
	"github.com/entra-tools/reprocess/shared/jobs"
	"github.com/entra-tools/reprocess/shared/jobs/awsjobs"
)

// awsJobBackend is SQS (JOBS_QUEUE_URL) and DynamoDB (JOBS_TABLE). Without
// JOBS_QUEUE_URL the function has no jobs (the routes answer 503): the
// template sets it with the queue it declares. The clients come to life on
// the first job call, not at start.
func awsJobBackend(cfg config.Config, hc *http.Client) (jobs.Queue, jobs.Store, bool, error) {
	j := cfg.Jobs
	if j.QueueURL == "" {
		return nil, nil, false, nil
	}
	c := awsjobs.Config{
		Region: j.AWSRegion, Table: j.Table, QueueURL: j.QueueURL,
		Credentials:      awsjobs.Credentials{AccessKeyID: j.AWSAccessKeyID, SecretAccessKey: j.AWSSecretAccessKey, SessionToken: j.AWSSessionToken},
		DynamoDBEndpoint: j.DynamoDBEndpoint, SQSEndpoint: j.SQSEndpoint,
		HTTPClient: hc,
	}
	return awsjobs.NewQueue(c), awsjobs.NewStore(c), true, nil
}
