package sandbox_test

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"net/http"
	"net/url"
	"os"
	"testing"
	"time"

	"github.com/entra-tools/reprocess/shared/sandbox"
)

// A client configured like a subprocess given ProcessEnv reaches Graph by
// its production name through the proxy, trusting only the written CA.
func TestProcessStyleClient(t *testing.T) {
	t.Parallel()
	tenant := sandbox.NewForTest(t, sandbox.Options{})
	env := tenant.ProcessEnv()
	proxy, err := url.Parse(env["HTTPS_PROXY"])
	if err != nil {
		t.Fatalf("HTTPS_PROXY %q: %v", env["HTTPS_PROXY"], err)
	}
	pemBytes, err := os.ReadFile(env["SSL_CERT_FILE"])
	if err != nil {
		t.Fatalf("SSL_CERT_FILE: %v", err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pemBytes) {
		t.Fatal("SSL_CERT_FILE holds no certificate")
	}
	if entries, err := os.ReadDir(env["SSL_CERT_DIR"]); err != nil || len(entries) != 0 {
		t.Errorf("SSL_CERT_DIR = %v entries, %v; want an empty directory", len(entries), err)
	}
	hc := &http.Client{Transport: &http.Transport{Proxy: http.ProxyURL(proxy), TLSClientConfig: &tls.Config{RootCAs: pool}}}
	r := do(t, hc, "GET", assignmentURL(tenant.Seeds.Delivered[0]), graphToken(t, tenant), nil)
	if r.status != 200 {
		t.Fatalf("GET through the proxy = %d %s", r.status, r.body)
	}
	for _, k := range []string{"GRAPH_TENANT_ID", "GRAPH_CLIENT_ID", "KEYVAULT_URL", "GRAPH_CLIENT_SECRET_NAME", "AZURE_TENANT_ID", "AZURE_CLIENT_ID", "AZURE_CLIENT_SECRET", "NO_PROXY"} {
		if _, ok := env[k]; !ok {
			t.Errorf("ProcessEnv has no %s", k)
		}
	}
}

// The sandbox CA is trusted by nobody else: a client with the system roots
// refuses the certificate.
func TestSystemRootsDoNotTrustSandbox(t *testing.T) {
	t.Parallel()
	tenant := sandbox.NewForTest(t, sandbox.Options{})
	hc := &http.Client{Transport: &http.Transport{Proxy: http.ProxyURL(tenant.ProxyURL())}, Timeout: 10 * time.Second}
	_, err := hc.Get("https://graph.microsoft.com/v1.0/users/x")
	var unknown x509.UnknownAuthorityError
	var verify *tls.CertificateVerificationError
	if !errors.As(err, &unknown) && !errors.As(err, &verify) {
		t.Fatalf("GET with system roots: %v, want a certificate verification error", err)
	}
}

func TestProxyRefusesOtherHosts(t *testing.T) {
	t.Parallel()
	tenant := sandbox.NewForTest(t, sandbox.Options{})
	tests := []struct {
		host    string
		refused bool
	}{
		{"example.com", true},
		{"graph.microsoft.com.evil.example", true},
		{"a.b.vault.azure.net", true},
		{"management.azure.com", true},
		{"graph.microsoft.com", false},
		{"sandbox.vault.azure.net", false},
		{"login.microsoftonline.us", false},
	}
	for _, tc := range tests {
		t.Run(tc.host, func(t *testing.T) {
			before := tenant.CountFunc(func(r sandbox.Request) bool { return r.Service == sandbox.Proxy && r.Status == 403 })
			_, err := tenant.HTTPClient().Get("https://" + tc.host + ":443/")
			after := tenant.CountFunc(func(r sandbox.Request) bool { return r.Service == sandbox.Proxy && r.Status == 403 })
			if refused := err != nil; refused != tc.refused {
				t.Errorf("GET https://%s: err = %v, want refused %v", tc.host, err, tc.refused)
			}
			if got := after - before; got != map[bool]int{true: 1, false: 0}[tc.refused] {
				t.Errorf("refusals logged = %d", got)
			}
		})
	}
}

func TestRequestLogAndReset(t *testing.T) {
	t.Parallel()
	tenant := sandbox.NewForTest(t, sandbox.Options{})
	tok := graphToken(t, tenant)
	do(t, tenant.HTTPClient(), "GET", graphBase+"/users/adele.vance%40contoso.example?$select=id", tok, nil)
	var found bool
	for _, r := range tenant.Requests() {
		if r.Service == sandbox.Entra && r.Client != sandbox.GraphAppClientID {
			t.Errorf("token request logged with client %q", r.Client)
		}
		if r.Service == sandbox.Graph {
			found = r.Method == "GET" && r.Host == "graph.microsoft.com" && r.Path == "/v1.0/users/adele.vance@contoso.example" &&
				r.Status == 200 && r.Client == sandbox.GraphAppClientID && !r.Time.IsZero()
		}
	}
	if !found {
		t.Errorf("Graph request not logged as expected: %+v", tenant.Requests())
	}
	if tenant.Count(sandbox.Proxy) == 0 {
		t.Error("Count(Proxy) = 0, want the CONNECTs")
	}
	tenant.Reset()
	if n := len(tenant.Requests()); n != 0 {
		t.Errorf("after Reset, %d requests logged", n)
	}
}
