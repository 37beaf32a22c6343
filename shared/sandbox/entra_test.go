package sandbox_test

import (
	"encoding/json"
	"net/url"
	"strings"
	"testing"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/cloud"
	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"

	"github.com/entra-tools/reprocess/shared/sandbox"
)

func TestInstanceDiscoveryAndMetadata(t *testing.T) {
	t.Parallel()
	tenant := sandbox.NewForTest(t, sandbox.Options{})
	hc := tenant.HTTPClient()
	for _, host := range []string{"login.microsoftonline.com", "login.microsoftonline.us", "login.chinacloudapi.cn"} {
		t.Run(host, func(t *testing.T) {
			q := url.Values{"api-version": {"1.1"}, "authorization_endpoint": {"https://" + host + "/" + sandbox.TenantID + "/oauth2/v2.0/authorize"}}
			r := do(t, hc, "GET", "https://login.microsoftonline.com/common/discovery/instance?"+q.Encode(), "", nil)
			var disc struct {
				TenantDiscoveryEndpoint string `json:"tenant_discovery_endpoint"`
				Metadata                []struct {
					PreferredNetwork string   `json:"preferred_network"`
					Aliases          []string `json:"aliases"`
				} `json:"metadata"`
			}
			if err := json.Unmarshal(r.body, &disc); err != nil || r.status != 200 {
				t.Fatalf("discovery = %d %s", r.status, r.body)
			}
			want := "https://" + host + "/" + sandbox.TenantID + "/v2.0/.well-known/openid-configuration"
			if disc.TenantDiscoveryEndpoint != want || len(disc.Metadata) != 1 || disc.Metadata[0].PreferredNetwork != host {
				t.Errorf("discovery = %s", r.body)
			}
			r = do(t, hc, "GET", want, "", nil)
			var oidc map[string]any
			if err := json.Unmarshal(r.body, &oidc); err != nil || r.status != 200 {
				t.Fatalf("openid-configuration = %d %s", r.status, r.body)
			}
			base := "https://" + host + "/" + sandbox.TenantID
			if oidc["issuer"] != base+"/v2.0" || oidc["token_endpoint"] != base+"/oauth2/v2.0/token" ||
				oidc["authorization_endpoint"] != base+"/oauth2/v2.0/authorize" || oidc["jwks_uri"] != base+"/discovery/v2.0/keys" {
				t.Errorf("openid-configuration = %s", r.body)
			}
		})
	}
	q := url.Values{"api-version": {"1.1"}, "authorization_endpoint": {"https://login.example.com/x/oauth2/v2.0/authorize"}}
	r := do(t, hc, "GET", "https://login.microsoftonline.com/common/discovery/instance?"+q.Encode(), "", nil)
	if r.status != 400 || !strings.Contains(string(r.body), "invalid_instance") {
		t.Errorf("discovery of an unknown host = %d %s, want 400 invalid_instance", r.status, r.body)
	}
}

func TestTokenEndpointErrors(t *testing.T) {
	t.Parallel()
	tenant := sandbox.NewForTest(t, sandbox.Options{})
	secret, _ := tenant.SecretValue(sandbox.GraphSecretName)
	good := url.Values{"grant_type": {"client_credentials"}, "client_id": {sandbox.GraphAppClientID},
		"client_secret": {secret}, "scope": {"https://graph.microsoft.com/.default openid profile offline_access"}}
	with := func(k, v string) url.Values {
		f := url.Values{}
		for key, vals := range good {
			f[key] = vals
		}
		if v == "" {
			f.Del(k)
		} else {
			f.Set(k, v)
		}
		return f
	}
	tests := []struct {
		name   string
		host   string
		tenant string
		form   url.Values
		status int
		errorS string
		code   string
	}{
		{"ok", "login.microsoftonline.com", sandbox.TenantID, good, 200, "", ""},
		{"unknown tenant", "login.microsoftonline.com", "11111111-1111-4111-8111-111111111111", good, 400, "invalid_request", "AADSTS90002"},
		{"unknown client", "login.microsoftonline.com", sandbox.TenantID, with("client_id", "22222222-2222-4222-8222-222222222222"), 400, "unauthorized_client", "AADSTS700016"},
		{"wrong secret", "login.microsoftonline.com", sandbox.TenantID, with("client_secret", "nope"), 401, "invalid_client", "AADSTS7000215"},
		{"no credential", "login.microsoftonline.com", sandbox.TenantID, with("client_secret", ""), 401, "invalid_client", "AADSTS7000218"},
		{"no .default scope", "login.microsoftonline.com", sandbox.TenantID, with("scope", "openid profile"), 400, "invalid_scope", "AADSTS1002012"},
		{"unknown resource", "login.microsoftonline.com", sandbox.TenantID, with("scope", "https://example.com/.default"), 400, "invalid_resource", "AADSTS500011"},
		{"another cloud's resource", "login.microsoftonline.com", sandbox.TenantID, with("scope", "https://graph.microsoft.us/.default"), 400, "invalid_resource", "AADSTS500011"},
		{"US Government", "login.microsoftonline.us", sandbox.TenantID, with("scope", "https://graph.microsoft.us/.default"), 200, "", ""},
		{"DoD", "login.microsoftonline.us", sandbox.TenantID, with("scope", "https://dod-graph.microsoft.us/.default"), 200, "", ""},
		{"China", "login.chinacloudapi.cn", sandbox.TenantID, with("scope", "https://microsoftgraph.chinacloudapi.cn/.default"), 200, "", ""},
		{"password grant", "login.microsoftonline.com", sandbox.TenantID, with("grant_type", "password"), 400, "unsupported_grant_type", "AADSTS70003"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := do(t, tenant.HTTPClient(), "POST", "https://"+tc.host+"/"+tc.tenant+"/oauth2/v2.0/token",
				"", strings.NewReader(tc.form.Encode()), "Content-Type", "application/x-www-form-urlencoded", "client-request-id", "corr-1")
			var e struct {
				Error       string `json:"error"`
				Description string `json:"error_description"`
				Codes       []int  `json:"error_codes"`
				Correlation string `json:"correlation_id"`
			}
			_ = json.Unmarshal(r.body, &e)
			if r.status != tc.status || e.Error != tc.errorS || !strings.HasPrefix(e.Description, tc.code) {
				t.Fatalf("token = %d %s, want %d %s %s", r.status, r.body, tc.status, tc.errorS, tc.code)
			}
			if tc.status != 200 && (len(e.Codes) != 1 || e.Correlation != "corr-1") {
				t.Errorf("error body = %s", r.body)
			}
		})
	}
}

// The national clouds work end to end with the SDK's own cloud settings.
func TestNationalCloudKeyVault(t *testing.T) {
	t.Parallel()
	tenant := sandbox.NewForTest(t, sandbox.Options{})
	for _, tc := range []struct {
		name  string
		cloud cloud.Configuration
		vault string
	}{
		{"US Government", cloud.AzureGovernment, "https://sandbox.vault.usgovcloudapi.net/"},
		{"China", cloud.AzureChina, "https://sandbox.vault.azure.cn/"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			opts := clientOptions(tenant)
			opts.Cloud = tc.cloud
			cred, err := azidentity.NewClientSecretCredential(sandbox.TenantID, sandbox.KeyVaultReaderClientID, tenant.KeyVaultReaderSecret(),
				&azidentity.ClientSecretCredentialOptions{ClientOptions: opts})
			if err != nil {
				t.Fatal(err)
			}
			kv := vaultClientAt(t, tenant, tc.vault, cred, opts)
			if _, err := kv.GetSecret(ctx(t), "webhook-jira", "", nil); err != nil {
				t.Errorf("GetSecret at %s: %v", tc.vault, err)
			}
		})
	}
}
