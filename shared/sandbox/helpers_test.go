package sandbox_test

import (
	"encoding/json"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/entra-tools/reprocess/shared/sandbox"
)

const graphBase = "https://graph.microsoft.com/v1.0"

// tokenFor gets an access token for resource with a client secret through
// the raw token endpoint.
func tokenFor(tb testing.TB, tenant *sandbox.Tenant, clientID, secret, resource string) string {
	tb.Helper()
	form := url.Values{
		"grant_type": {"client_credentials"}, "client_id": {clientID}, "client_secret": {secret},
		"scope": {resource + "/.default openid offline_access profile"},
	}
	resp, err := tenant.HTTPClient().PostForm("https://login.microsoftonline.com/"+sandbox.TenantID+"/oauth2/v2.0/token", form)
	if err != nil {
		tb.Fatalf("token request: %v", err)
	}
	defer resp.Body.Close()
	var body struct {
		AccessToken string `json:"access_token"`
		ExpiresIn   int    `json:"expires_in"`
	}
	if resp.StatusCode != 200 {
		b, _ := io.ReadAll(resp.Body)
		tb.Fatalf("token status = %d: %s", resp.StatusCode, b)
	}
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil || body.AccessToken == "" || body.ExpiresIn != 3599 {
		tb.Fatalf("token body = %+v, %v", body, err)
	}
	return body.AccessToken
}

func graphToken(tb testing.TB, tenant *sandbox.Tenant) string {
	tb.Helper()
	secret, _ := tenant.SecretValue(sandbox.GraphSecretName)
	return tokenFor(tb, tenant, sandbox.GraphAppClientID, secret, "https://graph.microsoft.com")
}

type response struct {
	status int
	header http.Header
	body   []byte
}

// errorCode returns the OData or Key Vault error code of the body.
func (r response) errorCode() string {
	var e struct {
		Error struct {
			Code    string `json:"code"`
			Message string `json:"message"`
		} `json:"error"`
	}
	_ = json.Unmarshal(r.body, &e)
	return e.Error.Code
}

func do(tb testing.TB, client *http.Client, method, u, token string, body io.Reader, header ...string) response {
	tb.Helper()
	req, err := http.NewRequest(method, u, body)
	if err != nil {
		tb.Fatalf("NewRequest: %v", err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := client.Do(req)
	if err != nil {
		tb.Fatalf("%s %s: %v", method, u, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		tb.Fatalf("read body: %v", err)
	}
	return response{status: resp.StatusCode, header: resp.Header, body: b}
}

func assignmentURL(id string, suffix ...string) string {
	return graphBase + "/identityGovernance/entitlementManagement/assignments/" + id + strings.Join(suffix, "")
}

func policyScopes(scopes ...string) policy.TokenRequestOptions {
	return policy.TokenRequestOptions{Scopes: scopes}
}
