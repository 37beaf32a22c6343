package sandbox

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"
)

// EntraServer emulates the Microsoft Entra endpoints MSAL calls for the
// client-credentials flow: instance discovery, OpenID metadata, the v2.0 token
// endpoint and the signing keys.
type EntraServer struct {
	t          *Tenant
	mu         sync.Mutex
	down       bool
	failStatus int // FailTokens
}

// SetDown makes the token endpoint answer 503 temporarily_unavailable (true)
// or work again (false). Discovery and metadata keep answering.
func (e *EntraServer) SetDown(down bool) {
	e.mu.Lock()
	e.down = down
	e.mu.Unlock()
}

// FailTokens makes the token endpoint answer status (500 server_error, as
// Entra does when it fails inside; any other status with
// temporarily_unavailable) until FailTokens(0).
func (e *EntraServer) FailTokens(status int) {
	e.mu.Lock()
	e.failStatus = status
	e.mu.Unlock()
}

func (e *EntraServer) failing() int {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.failStatus
}

// RevokeTokens forgets every access token issued so far, so Graph and Key
// Vault answer 401 to them and clients must fetch new ones.
func (e *EntraServer) RevokeTokens() { e.t.tokens.revokeAll() }

func (e *EntraServer) isDown() bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.down
}

func (e *EntraServer) handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /common/discovery/instance", e.instanceDiscovery)
	mux.HandleFunc("GET /{tenant}/v2.0/.well-known/openid-configuration", e.openIDConfiguration)
	mux.HandleFunc("POST /{tenant}/oauth2/v2.0/token", e.token)
	mux.HandleFunc("GET /{tenant}/discovery/v2.0/keys", e.keys)
	mux.HandleFunc("GET /{tenant}/discovery/keys", e.keys)
	return mux
}

// instanceDiscovery answers MSAL's authority validation. For a host Entra
// does not know it answers 400 invalid_instance, as the real service does.
func (e *EntraServer) instanceDiscovery(w http.ResponseWriter, r *http.Request) {
	authz, err := url.Parse(r.URL.Query().Get("authorization_endpoint"))
	if err != nil {
		authz = &url.URL{}
	}
	c, known := cloudByLogin(hostOnly(authz.Host))
	if !known {
		e.writeError(w, r, http.StatusBadRequest, "invalid_instance", 50049,
			"Unknown or invalid instance.")
		return
	}
	tenant := strings.Split(strings.TrimPrefix(authz.Path, "/"), "/")[0]
	if tenant == "" {
		tenant = "common"
	}
	type metadata struct {
		PreferredNetwork string   `json:"preferred_network"`
		PreferredCache   string   `json:"preferred_cache"`
		Aliases          []string `json:"aliases"`
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"tenant_discovery_endpoint": "https://" + c.login + "/" + tenant + "/v2.0/.well-known/openid-configuration",
		"api-version":               "1.1",
		"metadata": []metadata{{
			PreferredNetwork: c.login, PreferredCache: c.preferredCache,
			Aliases: c.loginAliases,
		}},
	})
}

func (e *EntraServer) openIDConfiguration(w http.ResponseWriter, r *http.Request) {
	tenant := r.PathValue("tenant")
	if !strings.EqualFold(tenant, TenantID) {
		e.tenantNotFound(w, r, tenant)
		return
	}
	base := "https://" + hostOnly(r.Host) + "/" + TenantID
	writeJSON(w, http.StatusOK, map[string]any{
		"token_endpoint":                        base + "/oauth2/v2.0/token",
		"token_endpoint_auth_methods_supported": []string{"client_secret_post", "private_key_jwt", "client_secret_basic"},
		"jwks_uri":                              base + "/discovery/v2.0/keys",
		"response_modes_supported":              []string{"query", "fragment", "form_post"},
		"subject_types_supported":               []string{"pairwise"},
		"id_token_signing_alg_values_supported": []string{"RS256"},
		"response_types_supported":              []string{"code", "id_token", "code id_token", "id_token token"},
		"scopes_supported":                      []string{"openid", "profile", "email", "offline_access"},
		"issuer":                                base + "/v2.0",
		"request_uri_parameter_supported":       false,
		"authorization_endpoint":                base + "/oauth2/v2.0/authorize",
		"device_authorization_endpoint":         base + "/oauth2/v2.0/devicecode",
		"end_session_endpoint":                  base + "/oauth2/v2.0/logout",
		"tenant_region_scope":                   "EU",
		"cloud_instance_name":                   strings.TrimPrefix(hostOnly(r.Host), "login."),
	})
}

func (e *EntraServer) keys(w http.ResponseWriter, r *http.Request) {
	if tenant := r.PathValue("tenant"); !strings.EqualFold(tenant, TenantID) {
		e.tenantNotFound(w, r, tenant)
		return
	}
	writeJSON(w, http.StatusOK, e.t.jwks())
}

func (e *EntraServer) tenantNotFound(w http.ResponseWriter, r *http.Request, tenant string) {
	e.writeError(w, r, http.StatusBadRequest, "invalid_request", 90002, fmt.Sprintf(
		"Tenant '%s' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud.",
		truncate(tenant, 64)))
}

// entraError is the OAuth error body Entra sends.
type entraError struct {
	Error         string `json:"error"`
	Description   string `json:"error_description"`
	Codes         []int  `json:"error_codes"`
	Timestamp     string `json:"timestamp"`
	TraceID       string `json:"trace_id"`
	CorrelationID string `json:"correlation_id"`
	ErrorURI      string `json:"error_uri"`
}

func (e *EntraServer) writeError(w http.ResponseWriter, r *http.Request, status int, code string, aadsts int, message string) {
	now := time.Now().UTC().Format("2006-01-02 15:04:05Z")
	trace, correlation := newGUID(), r.Header.Get("client-request-id")
	if correlation == "" {
		correlation = newGUID()
	}
	writeJSON(w, status, entraError{
		Error: code,
		Description: fmt.Sprintf("AADSTS%d: %s Trace ID: %s Correlation ID: %s Timestamp: %s",
			aadsts, message, trace, correlation, now),
		Codes: []int{aadsts}, Timestamp: now, TraceID: trace, CorrelationID: correlation,
		ErrorURI: fmt.Sprintf("https://%s/error?code=%d", hostOnly(r.Host), aadsts),
	})
}

// writeJSON writes v as Entra and Key Vault do.
func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Cache-Control", "no-store, no-cache")
	writeBody(w, status, "application/json; charset=utf-8", v)
}

func writeBody(w http.ResponseWriter, status int, contentType string, v any) {
	body, err := json.Marshal(v)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", contentType)
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n] + "..."
	}
	return s
}
