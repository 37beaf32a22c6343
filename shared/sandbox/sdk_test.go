package sandbox_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"
	"github.com/Azure/azure-sdk-for-go/sdk/security/keyvault/azsecrets"

	"github.com/entra-tools/reprocess/shared/sandbox"
)

func clientOptions(tenant *sandbox.Tenant) azcore.ClientOptions {
	// No Cloud option: the real default authority host is used.
	return azcore.ClientOptions{Transport: tenant.HTTPClient(), Retry: policy.RetryOptions{MaxRetries: -1}}
}

func readerCredential(tb testing.TB, tenant *sandbox.Tenant) *azidentity.ClientSecretCredential {
	tb.Helper()
	cred, err := azidentity.NewClientSecretCredential(sandbox.TenantID, sandbox.KeyVaultReaderClientID,
		tenant.KeyVaultReaderSecret(), &azidentity.ClientSecretCredentialOptions{ClientOptions: clientOptions(tenant)})
	if err != nil {
		tb.Fatalf("NewClientSecretCredential: %v", err)
	}
	return cred
}

func vaultClient(tb testing.TB, tenant *sandbox.Tenant, cred azcore.TokenCredential) *azsecrets.Client {
	tb.Helper()
	kv, err := azsecrets.NewClient(sandbox.VaultURL, cred, &azsecrets.ClientOptions{ClientOptions: clientOptions(tenant)})
	if err != nil {
		tb.Fatalf("azsecrets.NewClient: %v", err)
	}
	return kv
}

func vaultClientAt(tb testing.TB, tenant *sandbox.Tenant, vaultURL string, cred azcore.TokenCredential, opts azcore.ClientOptions) *azsecrets.Client {
	tb.Helper()
	kv, err := azsecrets.NewClient(vaultURL, cred, &azsecrets.ClientOptions{ClientOptions: opts})
	if err != nil {
		tb.Fatalf("azsecrets.NewClient: %v", err)
	}
	return kv
}

func ctx(tb testing.TB) context.Context {
	c, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	tb.Cleanup(cancel)
	return c
}

func TestClientSecretCredentialReadsKeyVault(t *testing.T) {
	t.Parallel()
	tenant := sandbox.NewForTest(t, sandbox.Options{})
	kv := vaultClient(t, tenant, readerCredential(t, tenant))
	for range 3 {
		resp, err := kv.GetSecret(ctx(t), sandbox.GraphSecretName, "", nil)
		if err != nil {
			t.Fatalf("GetSecret: %v", err)
		}
		want, _ := tenant.SecretValue(sandbox.GraphSecretName)
		if resp.Value == nil || *resp.Value != want {
			t.Errorf("GetSecret value = %v, want the Graph app secret", resp.Value)
		}
		if resp.ID == nil || resp.ID.Name() != sandbox.GraphSecretName || resp.ID.Version() == "" {
			t.Errorf("GetSecret id = %v, want name %s and a version", resp.ID, sandbox.GraphSecretName)
		}
	}
	if n := tenant.Count(sandbox.Entra); n != 3 { // discovery, openid, token: once
		t.Errorf("Count(Entra) = %d, want 3 (discovery, metadata, one token)", n)
	}
	if n := tenant.Count(sandbox.KeyVault); n != 4 { // one challenge, then three reads
		t.Errorf("Count(KeyVault) = %d, want 4", n)
	}
	for _, r := range tenant.Requests() {
		if r.Service == sandbox.Proxy && r.Status != 200 {
			t.Errorf("proxy refused %s", r.Host)
		}
		if r.Service == sandbox.KeyVault && r.Status == 200 && !strings.Contains(r.Query, "api-version=") {
			t.Errorf("Key Vault request %s has no api-version in the log: %q", r.Path, r.Query)
		}
	}
}

func TestGetSecretUnknownIs404(t *testing.T) {
	t.Parallel()
	tenant := sandbox.NewForTest(t, sandbox.Options{})
	kv := vaultClient(t, tenant, readerCredential(t, tenant))
	_, err := kv.GetSecret(ctx(t), "no-such-secret", "", nil)
	var re *azcore.ResponseError
	if !errors.As(err, &re) || re.StatusCode != 404 || re.ErrorCode != "SecretNotFound" {
		t.Fatalf("GetSecret(unknown) error = %v, want 404 SecretNotFound", err)
	}
}

func TestGetSecretVersions(t *testing.T) {
	t.Parallel()
	tenant := sandbox.NewForTest(t, sandbox.Options{})
	v1 := tenant.SetSecret("thing", "one")
	tenant.SetSecret("thing", "two")
	kv := vaultClient(t, tenant, readerCredential(t, tenant))
	for _, tc := range []struct{ version, want string }{{"", "two"}, {v1, "one"}} {
		resp, err := kv.GetSecret(ctx(t), "thing", tc.version, nil)
		if err != nil {
			t.Fatalf("GetSecret(thing, %q): %v", tc.version, err)
		}
		if *resp.Value != tc.want {
			t.Errorf("GetSecret(thing, %q) = %q, want %q", tc.version, *resp.Value, tc.want)
		}
	}
}
