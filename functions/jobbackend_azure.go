//go:build !lambdaonly

package main

import (
	"net/http"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"

	"github.com/entra-tools/reprocess/shared/config"
	"github.com/entra-tools/reprocess/shared/jobs"
)

// azureJobBackend is the jobs queue and table in the function app's
// storage account (AzureWebJobsStorage).
func azureJobBackend(cfg config.Config, platform azcore.TokenCredential, hc *http.Client) (jobs.Queue, jobs.Store, bool, error) {
	return nil, nil, false, nil // not built yet
}
