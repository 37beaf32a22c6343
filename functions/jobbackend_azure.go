//go:build !lambdaonly

package main

import (
	"fmt"
	"net/http"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"

	"github.com/entra-tools/reprocess/shared/azurefunc"
	"github.com/entra-tools/reprocess/shared/config"
	"github.com/entra-tools/reprocess/shared/jobs"
	"github.com/entra-tools/reprocess/shared/jobs/azstorage"
	"github.com/entra-tools/reprocess/shared/webhook"
)

// azureJobBackend is the jobs queue and table in the function app's
// storage account (AzureWebJobsStorage). Nothing is sent until the first
// job: the queue and table are created then.
func azureJobBackend(cfg config.Config, platform azcore.TokenCredential, hc *http.Client) (jobs.Queue, jobs.Store, bool, error) {
	a, err := azstorage.ParseAccount(cfg.Jobs.Storage)
	if err != nil {
		return nil, nil, false, err
	}
	o := azstorage.Options{Account: a}
	if a.Identity {
		if o.Credential, err = storageCredential(cfg, a.ClientID, platform, hc); err != nil {
			return nil, nil, false, fmt.Errorf("AzureWebJobsStorage: %w", err)
		}
	}
	q, err := azstorage.NewQueue(o, cfg.Jobs.Queue)
	if err != nil {
		return nil, nil, false, fmt.Errorf("AzureWebJobsStorage: %w", err)
	}
	s, err := azstorage.NewStore(o, cfg.Jobs.Table)
	if err != nil {
		return nil, nil, false, fmt.Errorf("AzureWebJobsStorage: %w", err)
	}
	return q, s, true, nil
}

// storageCredential is the managed identity the host uses for its storage:
// the process's platform credential when it is that same identity (one
// credential, one token cache), else the identity __clientId names (or the
// system-assigned one).
func storageCredential(cfg config.Config, clientID string, platform azcore.TokenCredential, hc *http.Client) (azcore.TokenCredential, error) {
	if platform != nil && cfg.Identity.Kind == config.ManagedIdentity && clientID == cfg.Identity.ClientID {
		return platform, nil
	}
	o := &azidentity.ManagedIdentityCredentialOptions{}
	if hc != nil {
		o.Transport = hc
	}
	if clientID != "" {
		o.ID = azidentity.ClientID(clientID)
	}
	return azidentity.NewManagedIdentityCredential(o)
}

// The Table Storage store is also the replay record and the purge newTracedCore finds in it.
var _ interface {
	webhook.SharedReplays
	azurefunc.Purger
} = (*azstorage.Store)(nil)
