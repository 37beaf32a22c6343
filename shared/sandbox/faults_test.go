package sandbox_test

import (
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"

	"github.com/entra-tools/reprocess/shared/sandbox"
)

func TestGraphFail(t *testing.T) {
	t.Parallel()
	tenant := sandbox.NewForTest(t, sandbox.Options{DeliveringFor: sandbox.StayDelivered})
	tok, hc := graphToken(t, tenant), tenant.HTTPClient()
	a, b := tenant.Seeds.Delivered[0], tenant.Seeds.Delivered[1]
	tenant.Graph.Fail(a, 429, 2, 3*time.Second)
	tenant.Graph.Fail("", 503, 1, sandbox.NoRetryAfter)

	steps := []struct {
		id         string
		status     int
		code       string
		retryAfter string
	}{
		{b, 503, "ServiceNotAvailable", ""}, // the any-request fault, not a's
		{a, 429, "TooManyRequests", "3"},
		{a, 429, "TooManyRequests", "3"},
		{a, 202, "", ""},
		{b, 202, "", ""},
	}
	for i, s := range steps {
		r := do(t, hc, "POST", assignmentURL(s.id, "/reprocess"), tok, nil)
		if r.status != s.status || r.errorCode() != s.code || r.header.Get("Retry-After") != s.retryAfter {
			t.Errorf("step %d: reprocess(%s) = %d %q Retry-After %q, want %d %q %q",
				i, s.id, r.status, r.errorCode(), r.header.Get("Retry-After"), s.status, s.code, s.retryAfter)
		}
	}
}

func TestGraphFailUntilCleared(t *testing.T) {
	t.Parallel()
	tenant := sandbox.NewForTest(t, sandbox.Options{})
	tok, hc := graphToken(t, tenant), tenant.HTTPClient()
	tenant.Graph.Fail("", 504, -1, 0)
	for range 3 {
		if r := do(t, hc, "GET", assignmentURL(tenant.Seeds.Expired), tok, nil); r.status != 504 || r.header.Get("Retry-After") != "0" {
			t.Fatalf("GET = %d Retry-After %q, want 504 and 0", r.status, r.header.Get("Retry-After"))
		}
	}
	tenant.Graph.ClearFaults()
	if r := do(t, hc, "GET", assignmentURL(tenant.Seeds.Expired), tok, nil); r.status != 200 {
		t.Errorf("after ClearFaults GET = %d", r.status)
	}
}

func TestGraphLatency(t *testing.T) {
	t.Parallel()
	tenant := sandbox.NewForTest(t, sandbox.Options{})
	tok, hc := graphToken(t, tenant), tenant.HTTPClient()
	tenant.Graph.SetLatency(200 * time.Millisecond)
	start := time.Now()
	do(t, hc, "GET", assignmentURL(tenant.Seeds.Expired), tok, nil)
	if d := time.Since(start); d < 200*time.Millisecond {
		t.Errorf("GET took %v, want at least the 200ms latency", d)
	}
}

func TestKeyVaultDown(t *testing.T) {
	t.Parallel()
	tenant := sandbox.NewForTest(t, sandbox.Options{})
	kv := vaultClient(t, tenant, readerCredential(t, tenant))
	tenant.KeyVault.SetDown(true)
	_, err := kv.GetSecret(ctx(t), sandbox.GraphSecretName, "", nil)
	var re *azcore.ResponseError
	if !errors.As(err, &re) || re.StatusCode != http.StatusServiceUnavailable {
		t.Fatalf("GetSecret while down: %v, want a 503 ResponseError", err)
	}
	tenant.KeyVault.SetDown(false)
	if _, err := kv.GetSecret(ctx(t), sandbox.GraphSecretName, "", nil); err != nil {
		t.Errorf("GetSecret after recovery: %v", err)
	}
}

func TestEntraDown(t *testing.T) {
	t.Parallel()
	tenant := sandbox.NewForTest(t, sandbox.Options{})
	tenant.Entra.SetDown(true)
	cred := readerCredential(t, tenant)
	_, err := cred.GetToken(ctx(t), policyScopes("https://vault.azure.net/.default"))
	var af *azidentity.AuthenticationFailedError
	if !errors.As(err, &af) || af.RawResponse == nil || af.RawResponse.StatusCode != 503 || !strings.Contains(err.Error(), "temporarily_unavailable") {
		t.Fatalf("GetToken while Entra is down: %v, want a 503 temporarily_unavailable AuthenticationFailedError", err)
	}
	tenant.Entra.SetDown(false)
	if _, err := cred.GetToken(ctx(t), policyScopes("https://vault.azure.net/.default")); err != nil {
		t.Errorf("GetToken after recovery: %v", err)
	}
}
