package main

import (
	"net/http"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"

	"github.com/entra-tools/reprocess/shared/config"
	"github.com/entra-tools/reprocess/shared/jobs"
)

// jobBackend picks where job work and state live: SQS and DynamoDB on
// Lambda, Azure Storage (queue and table) when AzureWebJobsStorage is set,
// otherwise (local only) an in-process queue and store. ok is false when
// this runtime has none: the job routes then answer 503. The platform
// stores also hold what every instance must share besides jobs: webhook
// replay records (webhook.SharedReplays) and, where the table has no TTL
// (Azure Table Storage), the sweep's purge of expired jobs
// (azurefunc.Purger); the in-process store holds neither.
func jobBackend(cfg config.Config, platform azcore.TokenCredential, awsCreds awsChain, hc *http.Client) (q jobs.Queue, s jobs.Store, ok bool, err error) {
	switch {
	case cfg.Runtime == config.Lambda:
		return awsJobBackend(cfg, awsCreds, hc)
	case cfg.Jobs.Storage.Configured():
		return azureJobBackend(cfg, platform, hc)
	case cfg.Runtime == config.Local:
		return nil, nil, false, nil // the in-process queue and store (wired with the engine)
	}
	return nil, nil, false, nil
}
