//go:build lambdaonly

package main

import (
	"errors"
	"net/http"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"

	"github.com/entra-tools/reprocess/shared/config"
	"github.com/entra-tools/reprocess/shared/jobs"
)

// The lambdaonly build (lambda.zip) leaves out the Azure Storage clients.
func azureJobBackend(config.Config, azcore.TokenCredential, *http.Client) (jobs.Queue, jobs.Store, bool, error) {
	return nil, nil, false, errors.New("this build has no Azure Storage job backend: AzureWebJobsStorage is for Azure Functions")
}
