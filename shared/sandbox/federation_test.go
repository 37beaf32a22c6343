package sandbox_test

import (
	"encoding/json"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"

	"github.com/entra-tools/reprocess/shared/sandbox"
)

// The whole keyless path with the real SDKs: the project's STS client
// gets a web identity token, azidentity presents it to Entra as a client
// assertion for the federated app, and azsecrets reads Key Vault with the
// access token Entra issues.
func TestAWSFederationReadsKeyVault(t *testing.T) {
	t.Parallel()
	tenant := sandbox.NewForTest(t, sandbox.Options{})
	cred, err := azidentity.NewClientAssertionCredential(sandbox.TenantID, sandbox.AWSFederatedClientID,
		stsSource(t, tenant, nil).Token, &azidentity.ClientAssertionCredentialOptions{ClientOptions: clientOptions(tenant)})
	if err != nil {
		t.Fatal(err)
	}
	s, err := vaultClient(t, tenant, cred).GetSecret(ctx(t), sandbox.GraphSecretName, "", nil)
	if err != nil {
		t.Fatalf("GetSecret through AWS federation: %v", err)
	}
	if want, _ := tenant.SecretValue(sandbox.GraphSecretName); s.Value == nil || *s.Value != want {
		t.Errorf("GetSecret returned another value")
	}
	if n := tenant.Count(sandbox.STS); n != 1 {
		t.Errorf("STS requests = %d, want 1", n)
	}
	if n := tenant.Count(sandbox.STSIssuer); n != 2 {
		t.Errorf("issuer requests = %d, want 2 (Entra reading the discovery document and the JWKS)", n)
	}
	tokenCalls := tenant.CountFunc(func(r sandbox.Request) bool {
		return r.Service == sandbox.Entra && strings.HasSuffix(r.Path, "/oauth2/v2.0/token") && r.Client == sandbox.AWSFederatedClientID && r.Status == 200
	})
	if tokenCalls != 1 {
		t.Errorf("successful token requests of the federated app = %d, want 1", tokenCalls)
	}
}

// exchange presents assertion for the federated app at the token endpoint.
func exchange(tb testing.TB, tenant *sandbox.Tenant, assertion string) response {
	tb.Helper()
	form := url.Values{
		"grant_type": {"client_credentials"}, "client_id": {sandbox.AWSFederatedClientID}, "scope": {"https://vault.azure.net/.default"},
		"client_assertion_type": {"urn:ietf:params:oauth:client-assertion-type:jwt-bearer"}, "client_assertion": {assertion},
	}
	return do(tb, tenant.HTTPClient(), "POST", "https://login.microsoftonline.com/"+sandbox.TenantID+"/oauth2/v2.0/token", "",
		strings.NewReader(form.Encode()), "Content-Type", "application/x-www-form-urlencoded")
}

func TestFederatedAssertionsEntraRefuses(t *testing.T) {
	t.Parallel()
	tenant := sandbox.NewForTest(t, sandbox.Options{})
	otherIssuer := "https://0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d.tokens.sts.global.api.aws"
	tests := []struct {
		name    string
		fics    []sandbox.FederatedCredential // nil: the default one
		token   sandbox.WebIdentityTokenOptions
		want    int // AADSTS code; 0: accepted
		wantMsg string
	}{
		{"the role's token", nil, sandbox.WebIdentityTokenOptions{}, 0, ""},
		{"another issuer", nil, sandbox.WebIdentityTokenOptions{Issuer: "https://token.actions.githubusercontent.com"}, 700211, "assertion issuer 'https://token.actions.githubusercontent.com'"},
		{"issuer with a trailing slash", nil, sandbox.WebIdentityTokenOptions{Issuer: sandbox.AWSIssuer + "/"}, 700211, "assertion issuer"},
		{"another role", nil, sandbox.WebIdentityTokenOptions{Subject: "arn:aws:iam::123456789012:role/other"}, 700213, "assertion subject 'arn:aws:iam::123456789012:role/other'"},
		{"subject in another case", nil, sandbox.WebIdentityTokenOptions{Subject: strings.ToUpper(sandbox.AWSRoleARN)}, 700213, "assertion subject"},
		{"another audience", nil, sandbox.WebIdentityTokenOptions{Audience: []string{"sts.amazonaws.com"}}, 70021, "Assertion Audience: 'sts.amazonaws.com'"},
		{"several audiences, one right", nil, sandbox.WebIdentityTokenOptions{Audience: []string{"x", sandbox.FederationAudience}}, 0, ""},
		{"expired", nil, sandbox.WebIdentityTokenOptions{Expiry: time.Now().Add(-10 * time.Minute)}, 700024, "valid time range"},
		{"ES384", nil, sandbox.WebIdentityTokenOptions{Alg: "ES384"}, 5002738, "'ES384' is not a supported signature algorithm"},
		{"forged signature", nil, sandbox.WebIdentityTokenOptions{ForeignKey: true}, 700027, "signature validation"},
		{"no federated credential", []sandbox.FederatedCredential{}, sandbox.WebIdentityTokenOptions{}, 700211, "assertion issuer"},
		{"credential for another role", []sandbox.FederatedCredential{{Name: "x", Issuer: sandbox.AWSIssuer, Subject: "arn:aws:iam::123456789012:role/other", Audiences: []string{sandbox.FederationAudience}}},
			sandbox.WebIdentityTokenOptions{}, 700213, "assertion subject"},
		{"issuer that serves no metadata", []sandbox.FederatedCredential{{Name: "x", Issuer: otherIssuer, Subject: sandbox.AWSRoleARN, Audiences: []string{sandbox.FederationAudience}}},
			sandbox.WebIdentityTokenOptions{Issuer: otherIssuer}, 50166, "External OIDC endpoint"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			fics := []sandbox.FederatedCredential{sandbox.AWSFederatedCredential()}
			if tc.fics != nil {
				fics = tc.fics
			}
			if err := tenant.Entra.SetFederatedCredentials(sandbox.AWSFederatedClientID, fics...); err != nil {
				t.Fatal(err)
			}
			r := exchange(t, tenant, tenant.MintWebIdentityToken(tc.token))
			var body struct {
				AccessToken string `json:"access_token"`
				Error       string `json:"error"`
				Description string `json:"error_description"`
				Codes       []int  `json:"error_codes"`
			}
			if err := json.Unmarshal(r.body, &body); err != nil {
				t.Fatalf("token endpoint answered %d %s", r.status, r.body)
			}
			if tc.want == 0 {
				if r.status != 200 || body.AccessToken == "" {
					t.Fatalf("token endpoint = %d %s, want a token", r.status, r.body)
				}
				return
			}
			if r.status < 400 || len(body.Codes) != 1 || body.Codes[0] != tc.want || !strings.Contains(body.Description, tc.wantMsg) {
				t.Fatalf("token endpoint = %d %s, want AADSTS%d (%q)", r.status, r.body, tc.want, tc.wantMsg)
			}
		})
	}
}

func TestSetFederatedCredentialsChecksShape(t *testing.T) {
	t.Parallel()
	tenant := sandbox.NewForTest(t, sandbox.Options{})
	fc := sandbox.AWSFederatedCredential()
	fc.Audiences = append(fc.Audiences, "second")
	if err := tenant.Entra.SetFederatedCredentials(sandbox.AWSFederatedClientID, fc); err == nil {
		t.Errorf("two audiences accepted; Entra allows exactly one")
	}
	many := make([]sandbox.FederatedCredential, 21)
	for i := range many {
		many[i] = sandbox.AWSFederatedCredential()
	}
	if err := tenant.Entra.SetFederatedCredentials(sandbox.AWSFederatedClientID, many...); err == nil {
		t.Errorf("21 credentials accepted; Entra allows 20")
	}
	if err := tenant.Entra.SetFederatedCredentials("00000000-0000-0000-0000-000000000000"); err == nil {
		t.Errorf("an unknown app accepted")
	}
}

// The federated app has no secret: a client secret for it is refused, and
// AWSEnv carries none.
func TestAWSEnvIsKeyless(t *testing.T) {
	t.Parallel()
	tenant := sandbox.NewForTest(t, sandbox.Options{})
	env := tenant.AWSEnv()
	if _, ok := env["AZURE_CLIENT_SECRET"]; ok {
		t.Errorf("AWSEnv has AZURE_CLIENT_SECRET")
	}
	for k, want := range map[string]string{
		"AZURE_TOKEN_FROM_AWS_STS": "true", "AZURE_CLIENT_ID": sandbox.AWSFederatedClientID,
		"AWS_REGION": sandbox.AWSRegion, "AWS_ENDPOINT_URL_STS": "https://sts." + sandbox.AWSRegion + ".amazonaws.com",
	} {
		if env[k] != want {
			t.Errorf("AWSEnv[%s] = %q, want %q", k, env[k], want)
		}
	}
	if pe := tenant.AWSProcessEnv(); pe["HTTPS_PROXY"] == "" || pe["SSL_CERT_FILE"] == "" || pe["AWS_SESSION_TOKEN"] == "" {
		t.Errorf("AWSProcessEnv lacks the proxy, the CA or the session")
	}
	form := url.Values{"grant_type": {"client_credentials"}, "client_id": {sandbox.AWSFederatedClientID},
		"client_secret": {tenant.KeyVaultReaderSecret()}, "scope": {"https://vault.azure.net/.default"}}
	r := do(t, tenant.HTTPClient(), "POST", "https://login.microsoftonline.com/"+sandbox.TenantID+"/oauth2/v2.0/token", "",
		strings.NewReader(form.Encode()), "Content-Type", "application/x-www-form-urlencoded")
	if r.status != 401 || !strings.Contains(string(r.body), "AADSTS7000215") {
		t.Errorf("client secret for the federated app = %d %s, want 401 AADSTS7000215", r.status, r.body)
	}
}
