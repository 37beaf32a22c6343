//go:build azureonly

package main

import (
	"errors"
	"net/http"

	"github.com/entra-tools/reprocess/shared/config"
	"github.com/entra-tools/reprocess/shared/jobs"
)

// The azureonly build never runs on Lambda (fitsBuild refuses it first).
func awsJobBackend(config.Config, awsChain, *http.Client) (jobs.Queue, jobs.Store, bool, error) {
	return nil, nil, false, errors.New("this build has no AWS job backend")
}
