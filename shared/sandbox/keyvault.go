package sandbox

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"time"
)

// KeyVaultServer emulates the Key Vault secrets data plane for the one vault
// named VaultName, with the challenge authentication azsecrets expects.
type KeyVaultServer struct {
	t       *Tenant
	mu      sync.Mutex
	down    bool
	secrets map[string][]*secretVersion // by lowercase name, oldest first
}

type secretVersion struct {
	name        string
	version     string
	value       string
	contentType string
	created     time.Time
	cert        *rsaCert // set for a certificate-backed secret
}

// SetDown makes every Key Vault request answer 503 ServiceUnavailable (true)
// or work again (false). The connection itself still succeeds: a 503 is what
// a client sees from an overloaded or failing vault, and it is retried.
func (kv *KeyVaultServer) SetDown(down bool) {
	kv.mu.Lock()
	kv.down = down
	kv.mu.Unlock()
}

// SetSecret adds a new version of secret name (creating it) and returns the
// version id. The new version becomes the latest.
func (t *Tenant) SetSecret(name, value string) string {
	return t.KeyVault.add(&secretVersion{name: name, value: value})
}

// SecretValue returns the latest value of a plain secret.
func (t *Tenant) SecretValue(name string) (string, bool) {
	v := t.KeyVault.latest(name)
	if v == nil || v.cert != nil {
		return "", false
	}
	return v.value, true
}

// RotateGraphSecret gives the Graph app a new client secret, stores it as a
// new version of GraphSecretName and expires every older secret of the app
// (using one then fails with AADSTS7000222). It returns the new value.
func (t *Tenant) RotateGraphSecret() string {
	value := newClientSecret()
	t.dir.rotateSecret(GraphAppClientID, value)
	t.SetSecret(GraphSecretName, value)
	return value
}

func (kv *KeyVaultServer) add(v *secretVersion) string {
	v.version = newVersionID()
	v.created = time.Now()
	kv.mu.Lock()
	defer kv.mu.Unlock()
	key := strings.ToLower(v.name)
	kv.secrets[key] = append(kv.secrets[key], v)
	return v.version
}

func (kv *KeyVaultServer) latest(name string) *secretVersion {
	kv.mu.Lock()
	defer kv.mu.Unlock()
	vs := kv.secrets[strings.ToLower(name)]
	if len(vs) == 0 {
		return nil
	}
	return vs[len(vs)-1]
}

func (kv *KeyVaultServer) find(name, version string) *secretVersion {
	if version == "" {
		return kv.latest(name)
	}
	kv.mu.Lock()
	defer kv.mu.Unlock()
	for _, v := range kv.secrets[strings.ToLower(name)] {
		if strings.EqualFold(v.version, version) {
			return v
		}
	}
	return nil
}

func (kv *KeyVaultServer) isDown() bool {
	kv.mu.Lock()
	defer kv.mu.Unlock()
	return kv.down
}

func (kv *KeyVaultServer) handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /secrets/{name}", kv.getSecret)
	mux.HandleFunc("GET /secrets/{name}/{$}", kv.getSecret)
	mux.HandleFunc("GET /secrets/{name}/{version}", kv.getSecret)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		kvError(w, http.StatusNotFound, "NotFound", "The sandbox vault serves only GET /secrets/{name}[/{version}].")
	})
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("x-ms-request-id", newGUID())
		w.Header().Set("x-ms-keyvault-service-version", "1.9.0.0")
		w.Header().Set("x-ms-keyvault-region", "sandbox")
		c, vault, _ := cloudByVault(hostOnly(r.Host))
		switch {
		case kv.isDown():
			kvError(w, http.StatusServiceUnavailable, "ServiceUnavailable", "The service is temporarily unavailable. Please retry.")
			return
		case vault != VaultName:
			// Real Key Vault has no such host (DNS fails); this is the sandbox's answer.
			kvError(w, http.StatusNotFound, "VaultNotFound", fmt.Sprintf("The sandbox has no vault named '%s'; use '%s'.", truncate(vault, 40), VaultName))
			return
		}
		if !kv.authorize(w, r, c) {
			return
		}
		mux.ServeHTTP(w, r)
	})
}

// authorize does Key Vault's challenge: without a valid bearer token for the
// vault resource it answers 401 and tells the client where to get one.
func (kv *KeyVaultServer) authorize(w http.ResponseWriter, r *http.Request, c cloud) bool {
	it, check := kv.t.tokens.check(r.Header.Get("Authorization"), c.vaultResource)
	if check != tokenOK {
		w.Header().Set("WWW-Authenticate", fmt.Sprintf(`Bearer authorization="https://%s/%s", resource="%s"`,
			c.login, TenantID, c.vaultResource))
		msg := map[tokenCheck]string{
			tokenMissing:       "AKV10000: Request is missing a Bearer or PoP token.",
			tokenUnknown:       "AKV10032: Invalid issuer. The token was not issued by the sandbox tenant.",
			tokenExpired:       "AKV10017: The access token has expired.",
			tokenWrongAudience: "AKV10022: Invalid audience. Expected " + c.vaultResource + ", found: " + it.resource + ".",
		}[check]
		kvError(w, http.StatusUnauthorized, "Unauthorized", msg)
		return false
	}
	setClient(w, it.clientID)
	if client, ok := kv.t.dir.lookup(it.clientID); !ok || !client.vault {
		kvError(w, http.StatusForbidden, "Forbidden", fmt.Sprintf(
			"Caller is not authorized to perform action on resource.\r\nIf role assignments, deny assignments or role definitions were changed recently, please observe propagation time.\r\nCaller: appid=%s;oid=%s\r\nAction: 'Microsoft.KeyVault/vaults/secrets/getSecret/action'\r\nResource: '/subscriptions/00000000-0000-0000-0000-000000000000/resourcegroups/sandbox/providers/microsoft.keyvault/vaults/%s'",
			it.clientID, it.objectID, VaultName), "ForbiddenByRbac")
		return false
	}
	return true
}

var secretNamePattern = regexp.MustCompile(`^[0-9A-Za-z-]{1,127}$`)

func (kv *KeyVaultServer) getSecret(w http.ResponseWriter, r *http.Request) {
	name, version := r.PathValue("name"), r.PathValue("version")
	if r.URL.Query().Get("api-version") == "" {
		kvError(w, http.StatusBadRequest, "BadParameter", "The request URI must include an api-version query parameter.")
		return
	}
	if !secretNamePattern.MatchString(name) {
		kvError(w, http.StatusBadRequest, "BadParameter", "The secret name is not valid.")
		return
	}
	v := kv.find(name, version)
	if v == nil {
		what := "(name/id) " + name
		if version != "" {
			what += " with version " + version
		}
		kvError(w, http.StatusNotFound, "SecretNotFound", fmt.Sprintf("A secret with %s was not found in this key vault. If you recently deleted this secret you may be able to recover it using the correct recovery command. For help resolving this issue, please see https://go.microsoft.com/fwlink/?linkid=2125182", truncate(what, 200)))
		return
	}
	writeJSON(w, http.StatusOK, kv.bundle(r, v))
}

type secretAttributes struct {
	Enabled         bool   `json:"enabled"`
	NotBefore       int64  `json:"nbf,omitempty"`
	Expires         int64  `json:"exp,omitempty"`
	Created         int64  `json:"created"`
	Updated         int64  `json:"updated"`
	RecoveryLevel   string `json:"recoveryLevel"`
	RecoverableDays int    `json:"recoverableDays"`
}

type secretBundle struct {
	Value       string            `json:"value"`
	ContentType string            `json:"contentType,omitempty"`
	ID          string            `json:"id"`
	Kid         string            `json:"kid,omitempty"`
	Managed     bool              `json:"managed,omitempty"`
	Attributes  secretAttributes  `json:"attributes"`
	Tags        map[string]string `json:"tags,omitempty"`
}

func (kv *KeyVaultServer) bundle(r *http.Request, v *secretVersion) secretBundle {
	base := "https://" + hostOnly(r.Host)
	b := secretBundle{
		Value: v.value, ContentType: v.contentType,
		ID: base + "/secrets/" + v.name + "/" + v.version,
		Attributes: secretAttributes{Enabled: true, Created: v.created.Unix(), Updated: v.created.Unix(),
			RecoveryLevel: "Recoverable+Purgeable", RecoverableDays: 90},
	}
	if v.cert != nil {
		key, cert := v.cert.mustGet()
		b.Kid = base + "/keys/" + v.name + "/" + v.version
		b.Managed = true
		b.Attributes.NotBefore, b.Attributes.Expires = cert.NotBefore.Unix(), cert.NotAfter.Unix()
		if r.URL.Query().Get("outContentType") == "application/x-pem-file" {
			b.Value, b.ContentType = string(certPEM(key, cert)), "application/x-pem-file"
		} else {
			b.Value, b.ContentType = base64.StdEncoding.EncodeToString(certPFX(key, cert)), "application/x-pkcs12"
		}
	}
	return b
}

func kvError(w http.ResponseWriter, status int, code, message string, inner ...string) {
	body := map[string]any{"code": code, "message": message}
	if len(inner) > 0 {
		body["innererror"] = map[string]string{"code": inner[0]}
	}
	writeJSON(w, status, map[string]any{"error": body})
}

func newVersionID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
