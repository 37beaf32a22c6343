//go:build sandbox

package main

import (
	"context"
	"fmt"
	"io"
	"net/http"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/cloud"
	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"

	"github.com/entra-tools/reprocess/shared/config"
	"github.com/entra-tools/reprocess/shared/credential"
	"github.com/entra-tools/reprocess/shared/jobs"
	"github.com/entra-tools/reprocess/shared/msgraph"
	"github.com/entra-tools/reprocess/shared/reprocess"
	"github.com/entra-tools/reprocess/shared/secrets"
)

// jobGraph is the Graph client the terminal command's job runs over: the
// admin's own sign-in, the Azure CLI's account or else a device code
// prompted on stderr (delegated permissions).
func jobGraph(getenv func(string) string, stderr io.Writer, throttle *reprocess.Throttle) (jobs.Graph, error) {
	c, err := config.LoadCloud(getenv)
	if err != nil {
		return nil, usageError(err)
	}
	cred, err := adminCredential(c, getenv, stderr)
	if err != nil {
		return nil, err
	}
	return graphClient(c, cred, newTransport(), throttle), nil
}

// sandboxJobGraph is the emulated tenant's Graph, through its Graph app as
// the function reaches it, and the tenant (stop it when done).
func sandboxJobGraph(ctx context.Context, getenv func(string) string, throttle *reprocess.Throttle) (jobs.Graph, *devTenant, error) {
	d, err := startSandbox(ctx, getenv, false)
	if err != nil {
		return nil, nil, err
	}
	cfg, err := config.Load(d.getenv)
	if err != nil {
		d.stop()
		return nil, nil, fmt.Errorf("sandbox configuration: %w", err)
	}
	hc := d.client
	platform := credential.Platform(cfg.Identity, cfg.Cloud, hc, awsAssertion(cfg.Identity, hc))
	var store *secrets.Store
	if cfg.NeedsKeyVault() {
		store = secrets.New(cfg.KeyVaultURL, platform, hc, secrets.DefaultTTL)
	}
	return graphClient(cfg.Cloud, credential.Graph(cfg, platform, store, hc), hc.Transport, throttle), d, nil
}

func graphClient(c config.Cloud, cred azcore.TokenCredential, transport http.RoundTripper, throttle *reprocess.Throttle) *msgraph.Client {
	return msgraph.New(msgraph.Options{
		BaseURL: c.GraphBaseURL, Scope: c.GraphScope(), Host: c.GraphHost(),
		Credential: cred, Transport: transport, OnThrottle: throttle.Hold,
	})
}

// adminCredential signs the admin in: the Azure CLI's account first (no
// prompt), then a device code whose instructions go to stderr. The tenant
// is AZURE_TENANT_ID or GRAPH_TENANT_ID when set, else the account's own.
func adminCredential(c config.Cloud, getenv func(string) string, stderr io.Writer) (azcore.TokenCredential, error) {
	tenant := getenv("AZURE_TENANT_ID")
	if tenant == "" {
		tenant = getenv("GRAPH_TENANT_ID")
	}
	opts := azcore.ClientOptions{Cloud: cloud.Configuration{ActiveDirectoryAuthorityHost: c.AuthorityHost}}
	cli, err := azidentity.NewAzureCLICredential(&azidentity.AzureCLICredentialOptions{TenantID: tenant})
	if err != nil {
		return nil, err
	}
	deviceTenant := tenant
	if deviceTenant == "" {
		deviceTenant = "organizations"
	}
	device, err := azidentity.NewDeviceCodeCredential(&azidentity.DeviceCodeCredentialOptions{
		ClientOptions: opts, TenantID: deviceTenant,
		UserPrompt: func(_ context.Context, m azidentity.DeviceCodeMessage) error {
			_, err := fmt.Fprintln(stderr, m.Message)
			return err
		},
	})
	if err != nil {
		return nil, err
	}
	return azidentity.NewChainedTokenCredential([]azcore.TokenCredential{cli, device}, nil)
}
