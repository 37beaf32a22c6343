package main

import (
	"net/http"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"

	"github.com/entra-tools/reprocess/shared/azurefunc"
	"github.com/entra-tools/reprocess/shared/config"
	"github.com/entra-tools/reprocess/shared/jobs"
	"github.com/entra-tools/reprocess/shared/webhook"
)

// jobBackend picks where job work and state live: SQS and DynamoDB on
// Lambda, Azure Storage (queue and table) when AzureWebJobsStorage is set,
// otherwise (local only) an in-process queue and store. ok is false when
// this runtime has none: the job routes then answer 503.
func jobBackend(cfg config.Config, platform azcore.TokenCredential, hc *http.Client) (q jobs.Queue, s jobs.Store, ok bool, err error) {
	switch {
	case cfg.Runtime == config.Lambda:
		return awsJobBackend(cfg, hc)
	case cfg.Jobs.Storage.Configured():
		return azureJobBackend(cfg, platform, hc)
	case cfg.Runtime == config.Local:
		return nil, nil, false, nil // the in-process queue and store (wired with the engine)
	}
	return nil, nil, false, nil
}

// sharedTable is what the platform's table holds besides jobs: webhook
// replay records for every instance, and (Azure Table Storage has no TTL)
// the purge of expired jobs that the sweep runs.
type sharedTable interface {
	webhook.SharedReplays
	azurefunc.Purger
}
