package sandbox_test

import (
	"encoding/base64"
	"errors"
	"strings"
	"testing"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/to"
	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"
	"github.com/Azure/azure-sdk-for-go/sdk/security/keyvault/azsecrets"

	"github.com/entra-tools/reprocess/shared/sandbox"
)

// The Graph app's certificate, read from Key Vault in either form, works as
// a ClientCertificateCredential against the real default authority.
func TestClientCertificateCredentialFromKeyVault(t *testing.T) {
	t.Parallel()
	tenant := sandbox.NewForTest(t, sandbox.Options{})
	kv := vaultClient(t, tenant, readerCredential(t, tenant))
	tests := []struct {
		name            string
		opts            *azsecrets.GetSecretOptions
		wantContentType string
	}{
		{"PEM", &azsecrets.GetSecretOptions{OutContentType: to.Ptr(azsecrets.ContentTypePEM)}, "application/x-pem-file"},
		{"PFX", nil, "application/x-pkcs12"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, err := kv.GetSecret(ctx(t), sandbox.GraphCertificateName, "", tc.opts)
			if err != nil {
				t.Fatalf("GetSecret: %v", err)
			}
			if s.ContentType == nil || *s.ContentType != tc.wantContentType || s.Managed == nil || !*s.Managed || s.KID == nil {
				t.Fatalf("secret contentType %v managed %v kid %v, want %s, managed and a kid", s.ContentType, s.Managed, s.KID, tc.wantContentType)
			}
			data := []byte(*s.Value)
			if tc.wantContentType == "application/x-pkcs12" {
				if data, err = base64.StdEncoding.DecodeString(*s.Value); err != nil {
					t.Fatalf("PFX value is not base64: %v", err)
				}
			} else if !strings.HasPrefix(*s.Value, "-----BEGIN PRIVATE KEY-----") || !strings.Contains(*s.Value, "-----BEGIN CERTIFICATE-----") {
				t.Fatalf("PEM value does not hold PRIVATE KEY then CERTIFICATE")
			}
			certs, key, err := azidentity.ParseCertificates(data, nil)
			if err != nil {
				t.Fatalf("ParseCertificates: %v", err)
			}
			cred, err := azidentity.NewClientCertificateCredential(sandbox.TenantID, sandbox.GraphAppClientID, certs, key,
				&azidentity.ClientCertificateCredentialOptions{ClientOptions: clientOptions(tenant)})
			if err != nil {
				t.Fatalf("NewClientCertificateCredential: %v", err)
			}
			tok, err := cred.GetToken(ctx(t), policyScopes("https://graph.microsoft.com/.default"))
			if err != nil {
				t.Fatalf("GetToken with the certificate: %v", err)
			}
			if r := do(t, tenant.HTTPClient(), "GET", assignmentURL(tenant.Seeds.Expired), tok.Token, nil); r.status != 200 {
				t.Errorf("Graph with the certificate's token = %d %s", r.status, r.body)
			}
		})
	}
}

// A certificate the app does not have is refused with AADSTS700027.
func TestClientCertificateCredentialUnknownCertificate(t *testing.T) {
	t.Parallel()
	tenant := sandbox.NewForTest(t, sandbox.Options{})
	other := sandbox.NewForTest(t, sandbox.Options{}) // its Graph certificate is a different one
	kv := vaultClient(t, other, readerCredential(t, other))
	s, err := kv.GetSecret(ctx(t), sandbox.GraphCertificateName, "", &azsecrets.GetSecretOptions{OutContentType: to.Ptr(azsecrets.ContentTypePEM)})
	if err != nil {
		t.Fatalf("GetSecret: %v", err)
	}
	certs, key, err := azidentity.ParseCertificates([]byte(*s.Value), nil)
	if err != nil {
		t.Fatal(err)
	}
	cred, err := azidentity.NewClientCertificateCredential(sandbox.TenantID, sandbox.GraphAppClientID, certs, key,
		&azidentity.ClientCertificateCredentialOptions{ClientOptions: clientOptions(tenant)})
	if err != nil {
		t.Fatal(err)
	}
	_, err = cred.GetToken(ctx(t), policyScopes("https://graph.microsoft.com/.default"))
	var af *azidentity.AuthenticationFailedError
	if !errors.As(err, &af) || !strings.Contains(err.Error(), "AADSTS700027") {
		t.Fatalf("GetToken with a foreign certificate: %v, want AADSTS700027", err)
	}
}

func TestManagedIdentityCredential(t *testing.T) {
	tenant := sandbox.NewForTest(t, sandbox.Options{})
	for k, v := range tenant.ManagedIdentityEnv() {
		t.Setenv(k, v)
	}
	tests := []struct {
		name   string
		id     azidentity.ManagedIDKind
		client string
	}{
		{"system-assigned", nil, sandbox.SystemIdentityClientID},
		{"user-assigned by client id", azidentity.ClientID(sandbox.UserIdentityClientID), sandbox.UserIdentityClientID},
		{"user-assigned by object id", azidentity.ObjectID(sandbox.UserIdentityObjectID), sandbox.UserIdentityClientID},
		{"user-assigned by resource id", azidentity.ResourceID(sandbox.UserIdentityResourceID), sandbox.UserIdentityClientID},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tenant.Reset()
			cred, err := azidentity.NewManagedIdentityCredential(&azidentity.ManagedIdentityCredentialOptions{
				ClientOptions: clientOptions(tenant), ID: tc.id})
			if err != nil {
				t.Fatalf("NewManagedIdentityCredential: %v", err)
			}
			// MSAL caches managed-identity tokens process-wide; a secret read
			// still proves the identity and the vault agree.
			s, err := vaultClient(t, tenant, cred).GetSecret(ctx(t), "webhook-github", "", nil)
			if err != nil {
				t.Fatalf("GetSecret: %v", err)
			}
			if want, _ := tenant.SecretValue("webhook-github"); *s.Value != want {
				t.Errorf("value mismatch")
			}
			for _, r := range tenant.Requests() {
				if r.Service == sandbox.KeyVault && r.Status == 200 && r.Client != tc.client {
					t.Errorf("Key Vault read as %q, want %q", r.Client, tc.client)
				}
			}
		})
	}
}

func TestManagedIdentityEndpointChecks(t *testing.T) {
	t.Parallel()
	tenant := sandbox.NewForTest(t, sandbox.Options{})
	env := tenant.ManagedIdentityEnv()
	base := env["IDENTITY_ENDPOINT"] + "?api-version=2019-08-01&resource=https%3A%2F%2Fvault.azure.net"
	tests := []struct {
		name, url, header string
		status            int
	}{
		{"ok", base, env["IDENTITY_HEADER"], 200},
		{"wrong header", base, "nope", 401},
		{"no header", base, "", 401},
		{"old api-version", strings.Replace(base, "2019-08-01", "2017-09-01", 1), env["IDENTITY_HEADER"], 400},
		{"unknown resource", env["IDENTITY_ENDPOINT"] + "?api-version=2019-08-01&resource=https%3A%2F%2Fexample.com", env["IDENTITY_HEADER"], 400},
		{"unknown client id", base + "&client_id=11111111-1111-4111-8111-111111111111", env["IDENTITY_HEADER"], 400},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var h []string
			if tc.header != "" {
				h = []string{"X-IDENTITY-HEADER", tc.header}
			}
			if r := do(t, tenant.HTTPClient(), "GET", tc.url, "", nil, h...); r.status != tc.status {
				t.Errorf("GET = %d %s, want %d", r.status, r.body, tc.status)
			}
		})
	}
	tenant.ManagedIdentity.SetDown(true)
	if r := do(t, tenant.HTTPClient(), "GET", base, "", nil, "X-IDENTITY-HEADER", env["IDENTITY_HEADER"]); r.status != 503 {
		t.Errorf("down: GET = %d, want 503", r.status)
	}
}

// After rotation the old secret is refused as expired, and the new one,
// read from Key Vault, works.
func TestRotateGraphSecret(t *testing.T) {
	t.Parallel()
	tenant := sandbox.NewForTest(t, sandbox.Options{})
	kv := vaultClient(t, tenant, readerCredential(t, tenant))
	old, err := kv.GetSecret(ctx(t), sandbox.GraphSecretName, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	newValue := tenant.RotateGraphSecret()
	if newValue == *old.Value {
		t.Fatal("RotateGraphSecret returned the old value")
	}

	graphCred := func(secret string) (azcore.AccessToken, error) {
		cred, err := azidentity.NewClientSecretCredential(sandbox.TenantID, sandbox.GraphAppClientID, secret,
			&azidentity.ClientSecretCredentialOptions{ClientOptions: clientOptions(tenant)})
		if err != nil {
			t.Fatal(err)
		}
		return cred.GetToken(ctx(t), policyScopes("https://graph.microsoft.com/.default"))
	}
	_, err = graphCred(*old.Value)
	var af *azidentity.AuthenticationFailedError
	if !errors.As(err, &af) || !strings.Contains(err.Error(), "AADSTS7000222") {
		t.Fatalf("GetToken with the rotated-out secret: %v, want AADSTS7000222 AuthenticationFailedError", err)
	}
	if _, err = graphCred("not-a-secret-of-this-app"); !errors.As(err, &af) || !strings.Contains(err.Error(), "AADSTS7000215") {
		t.Fatalf("GetToken with a wrong secret: %v, want AADSTS7000215", err)
	}

	latest, err := kv.GetSecret(ctx(t), sandbox.GraphSecretName, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	if *latest.Value != newValue || latest.ID.Version() == old.ID.Version() {
		t.Errorf("latest secret = version %s, want a new version with the new value", latest.ID.Version())
	}
	if _, err := graphCred(*latest.Value); err != nil {
		t.Errorf("GetToken with the new secret: %v", err)
	}
}
