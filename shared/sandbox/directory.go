package sandbox

import (
	"crypto/rand"
	"crypto/subtle"
	"crypto/x509"
	"encoding/base64"
	"strings"
	"sync"
)

// Fixed identities of the emulated tenant. They never change, so `make run`
// can print them and tests can name them.
const (
	TenantID = "5f2b7d9c-3e41-4a8b-9c6d-1e2f3a4b5c6d"

	// GraphAppClientID is the app registration that calls Graph (client
	// secret and certificate credentials).
	GraphAppClientID = "0b6c2d1e-7a3f-4c5b-8d9e-2f1a3b4c5d6e"
	// KeyVaultReaderClientID is the app used through AZURE_CLIENT_ID and
	// AZURE_CLIENT_SECRET to read Key Vault (as on AWS Lambda).
	KeyVaultReaderClientID = "3c9d8e7f-1a2b-4c3d-9e8f-7a6b5c4d3e2f"
	// SystemIdentityClientID is the system-assigned managed identity.
	SystemIdentityClientID = "7e1a2b3c-4d5e-4f60-8a1b-2c3d4e5f6a7b"
	// UserIdentityClientID, UserIdentityObjectID and UserIdentityResourceID
	// name the one user-assigned managed identity.
	UserIdentityClientID   = "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d"
	UserIdentityObjectID   = "2d3e4f5a-6b7c-4d8e-9f0a-1b2c3d4e5f6a"
	UserIdentityResourceID = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/sandbox/providers/Microsoft.ManagedIdentity/userAssignedIdentities/sandbox-identity"

	// VaultName is the one Key Vault; its URL is VaultURL.
	VaultName = "sandbox"
	VaultURL  = "https://sandbox.vault.azure.net/"

	// GraphSecretName and GraphCertificateName are the Key Vault secrets
	// holding the Graph app's client secret and certificate.
	GraphSecretName      = "graph-client-secret"
	GraphCertificateName = "graph-certificate"
)

// Application permissions (roles) the sandbox's Graph checks.
const graphRole = "EntitlementManagement.ReadWrite.All"

// app is one registered client: an app registration or a managed identity.
type app struct {
	clientID  string
	objectID  string
	name      string
	secrets   []*clientSecret
	certs     func() []*x509.Certificate // lazily made; nil when none
	federated []FederatedCredential      // federated identity credentials
	vault     bool                       // may read secrets from Key Vault
	graph     bool                       // holds graphRole
}

type clientSecret struct {
	value   string
	expired bool
}

// directory holds the registered clients. Safe for concurrent use.
type directory struct {
	mu   sync.Mutex
	apps map[string]*app
}

func newDirectory(apps ...*app) *directory {
	d := &directory{apps: map[string]*app{}}
	for _, a := range apps {
		d.apps[a.clientID] = a
	}
	return d
}

func (d *directory) lookup(clientID string) (app, bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	a, ok := d.apps[strings.ToLower(clientID)]
	if !ok {
		return app{}, false
	}
	return *a, true
}

type secretCheck int

const (
	secretOK secretCheck = iota
	secretInvalid
	secretExpired
)

func (d *directory) checkSecret(clientID, value string) secretCheck {
	d.mu.Lock()
	defer d.mu.Unlock()
	a := d.apps[strings.ToLower(clientID)]
	if a == nil {
		return secretInvalid
	}
	for _, s := range a.secrets {
		if constantTimeEqual(s.value, value) {
			if s.expired {
				return secretExpired
			}
			return secretOK
		}
	}
	return secretInvalid
}

// rotateSecret adds a new secret to clientID and expires all older ones.
func (d *directory) rotateSecret(clientID, value string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	a := d.apps[clientID]
	for _, s := range a.secrets {
		s.expired = true
	}
	a.secrets = append(a.secrets, &clientSecret{value: value})
}

// setFederated replaces an app's federated credentials; false when there
// is no such app.
func (d *directory) setFederated(clientID string, fcs []FederatedCredential) bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	a := d.apps[strings.ToLower(clientID)]
	if a == nil {
		return false
	}
	a.federated = fcs
	return true
}

func (d *directory) certificates(clientID string) []*x509.Certificate {
	a, ok := d.lookup(clientID)
	if !ok || a.certs == nil {
		return nil
	}
	return a.certs()
}

// newClientSecret returns a value shaped like an Entra client secret
// ("abc8Q~" and 34 more characters).
func newClientSecret() string {
	b := make([]byte, 30)
	_, _ = rand.Read(b)
	s := base64.RawURLEncoding.EncodeToString(b)
	s = strings.NewReplacer("-", "~", "_", ".").Replace(s)
	return s[:3] + "8Q~" + s[3:37]
}

func randomToken(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

func constantTimeEqual(a, b string) bool {
	return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1
}
