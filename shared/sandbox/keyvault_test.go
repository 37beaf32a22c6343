package sandbox_test

import (
	"encoding/json"
	"testing"

	"github.com/entra-tools/reprocess/shared/sandbox"
)

func TestKeyVaultRaw(t *testing.T) {
	t.Parallel()
	tenant := sandbox.NewForTest(t, sandbox.Options{})
	hc := tenant.HTTPClient()
	reader := tokenFor(t, tenant, sandbox.KeyVaultReaderClientID, tenant.KeyVaultReaderSecret(), "https://vault.azure.net")
	graphSecret, _ := tenant.SecretValue(sandbox.GraphSecretName)
	graphApp := tokenFor(t, tenant, sandbox.GraphAppClientID, graphSecret, "https://vault.azure.net")
	const vault = "https://sandbox.vault.azure.net"
	challenge := `Bearer authorization="https://login.microsoftonline.com/` + sandbox.TenantID + `", resource="https://vault.azure.net"`
	tests := []struct {
		name, url, token string
		status           int
		code             string
	}{
		{"no token: challenge", vault + "/secrets/webhook-github/?api-version=2026-04-01", "", 401, "Unauthorized"},
		{"Graph token: challenge", vault + "/secrets/webhook-github/?api-version=2026-04-01", graphToken(t, tenant), 401, "Unauthorized"},
		{"latest, trailing slash", vault + "/secrets/webhook-github/?api-version=2026-04-01", reader, 200, ""},
		{"latest, no slash", vault + "/secrets/webhook-github?api-version=7.6", reader, 200, ""},
		{"unknown version", vault + "/secrets/webhook-github/00000000000000000000000000000000?api-version=7.6", reader, 404, "SecretNotFound"},
		{"no api-version", vault + "/secrets/webhook-github/", reader, 400, "BadParameter"},
		{"caller without vault access", vault + "/secrets/webhook-github/?api-version=7.6", graphApp, 403, "Forbidden"},
		{"another vault", "https://other.vault.azure.net/secrets/webhook-github/?api-version=7.6", reader, 404, "VaultNotFound"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := do(t, hc, "GET", tc.url, tc.token, nil)
			if r.status != tc.status || r.errorCode() != tc.code {
				t.Fatalf("GET = %d %s, want %d %q", r.status, r.body, tc.status, tc.code)
			}
			if tc.status == 401 && r.header.Get("WWW-Authenticate") != challenge {
				t.Errorf("WWW-Authenticate = %q, want %q", r.header.Get("WWW-Authenticate"), challenge)
			}
			if tc.status != 200 {
				return
			}
			var s struct {
				Value, ID  string
				Attributes struct {
					Enabled bool
					Created int64
				}
			}
			_ = json.Unmarshal(r.body, &s)
			want, _ := tenant.SecretValue("webhook-github")
			if s.Value != want || len(s.ID) != len(vault+"/secrets/webhook-github/")+32 || !s.Attributes.Enabled || s.Attributes.Created < 1e9 || s.Attributes.Created > 1e11 {
				t.Errorf("secret = %s", r.body)
			}
		})
	}
	if r := tenant.Requests(); r[len(r)-1].Query != "api-version=7.6" {
		t.Errorf("logged query = %q, want the api-version", r[len(r)-1].Query)
	}
}

func TestSeededWebhookSecrets(t *testing.T) {
	t.Parallel()
	tenant := sandbox.NewForTest(t, sandbox.Options{})
	for _, name := range []string{"webhook-github", "webhook-jira", "webhook-standard", "webhook-zendesk", "webhook-pagerduty", sandbox.GraphSecretName} {
		v, ok := tenant.SecretValue(name)
		if !ok || len(v) < 16 {
			t.Errorf("SecretValue(%s) = %q, %v", name, v, ok)
		}
	}
	if v, _ := tenant.SecretValue("webhook-standard"); v[:6] != "whsec_" {
		t.Errorf("webhook-standard = %q..., want the whsec_ prefix", v[:6])
	}
}
