package sandbox

import (
	"crypto/x509"
	"maps"
	"net/http"
	"net/url"
	"slices"
)

// Transport returns the tenant's shared client transport: non-loopback
// requests go through the sandbox proxy (so production hostnames reach the
// sandbox), loopback requests (the managed-identity endpoint) go direct, and
// only the sandbox CA is trusted. Clone it before changing it.
func (t *Tenant) Transport() *http.Transport { return t.transport }

// HTTPClient returns a client using Transport. It satisfies azcore's
// policy.Transporter, so it fits azcore.ClientOptions.Transport.
func (t *Tenant) HTTPClient() *http.Client { return &http.Client{Transport: t.transport} }

// CertPool returns a pool holding only the sandbox CA.
func (t *Tenant) CertPool() *x509.CertPool { return t.ca.pool.Clone() }

// CAFile is the path of the sandbox CA certificate (PEM), removed by Close.
func (t *Tenant) CAFile() string { return t.caFile }

// CACertPEM returns the sandbox CA certificate in PEM form.
func (t *Tenant) CACertPEM() []byte { return slices.Clone(t.ca.certPEM) }

// ProxyURL is the CONNECT proxy's URL (http://127.0.0.1:port).
func (t *Tenant) ProxyURL() *url.URL { return &url.URL{Scheme: "http", Host: t.proxyAddr} }

// Addr is the TLS listener's address, for clients that dial it directly.
func (t *Tenant) Addr() string { return t.tlsAddr }

// Vars is a set of environment variables.
type Vars map[string]string

// Environ returns v as KEY=value lines, sorted, for exec.Cmd.Env.
func (v Vars) Environ() []string {
	out := make([]string, 0, len(v))
	for k, val := range v {
		out = append(out, k+"="+val)
	}
	slices.Sort(out)
	return out
}

// Getenv looks a name up in v, in the shape of os.Getenv.
func (v Vars) Getenv(key string) string { return v[key] }

// Env returns the settings that point the binary at this tenant: the Graph
// app read from Key Vault by client secret, and the Key Vault reader app as
// the azidentity environment credential.
func (t *Tenant) Env() Vars {
	return Vars{
		"GRAPH_TENANT_ID":          TenantID,
		"GRAPH_CLIENT_ID":          GraphAppClientID,
		"KEYVAULT_URL":             VaultURL,
		"GRAPH_CLIENT_SECRET_NAME": GraphSecretName,
		"AZURE_TENANT_ID":          TenantID,
		"AZURE_CLIENT_ID":          KeyVaultReaderClientID,
		"AZURE_CLIENT_SECRET":      t.readerSecret,
	}
}

// ProcessEnv is Env plus what makes a subprocess's default Go transport use
// the sandbox: the proxy, and the sandbox CA as the only trusted root.
func (t *Tenant) ProcessEnv() Vars {
	v := t.Env()
	maps.Copy(v, t.proxyEnv())
	return v
}

func (t *Tenant) proxyEnv() Vars {
	return Vars{"HTTPS_PROXY": t.ProxyURL().String(), "NO_PROXY": "", "SSL_CERT_FILE": t.caFile, "SSL_CERT_DIR": t.certDir}
}

// ManagedIdentityEnv returns the App Service managed-identity variables.
func (t *Tenant) ManagedIdentityEnv() Vars {
	return Vars{
		"IDENTITY_ENDPOINT": "http://" + t.identityAddr + "/msi/token",
		"IDENTITY_HEADER":   t.identityHeader,
	}
}

// KeyVaultReaderSecret is the Key Vault reader app's client secret.
func (t *Tenant) KeyVaultReaderSecret() string { return t.readerSecret }
