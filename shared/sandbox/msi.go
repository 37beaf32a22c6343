package sandbox

import (
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// IdentityServer emulates the App Service managed-identity endpoint
// (IDENTITY_ENDPOINT, api-version 2019-08-01). It is plain HTTP on loopback,
// as on App Service and Azure Functions.
type IdentityServer struct {
	t    *Tenant
	mu   sync.Mutex
	down bool
}

// SetDown makes the endpoint answer 503 (true) or work again (false).
func (s *IdentityServer) SetDown(down bool) {
	s.mu.Lock()
	s.down = down
	s.mu.Unlock()
}

func (s *IdentityServer) isDown() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.down
}

func (s *IdentityServer) handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /msi/token", s.token)
	return mux
}

// msiError is App Service's error body.
type msiError struct {
	StatusCode    int    `json:"statusCode"`
	Message       string `json:"message"`
	CorrelationID string `json:"correlationId"`
}

func (s *IdentityServer) fail(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, msiError{StatusCode: status, Message: msg, CorrelationID: newGUID()})
}

func (s *IdentityServer) token(w http.ResponseWriter, r *http.Request) {
	if s.isDown() {
		s.fail(w, http.StatusServiceUnavailable, "The managed identity endpoint is temporarily unavailable.")
		return
	}
	if !constantTimeEqual(r.Header.Get("X-IDENTITY-HEADER"), s.t.identityHeader) {
		s.fail(w, http.StatusUnauthorized, "The X-IDENTITY-HEADER header is missing or not valid.")
		return
	}
	q := r.URL.Query()
	if q.Get("api-version") != "2019-08-01" {
		s.fail(w, http.StatusBadRequest, "The api-version parameter is missing or not supported; use 2019-08-01.")
		return
	}
	resource := strings.TrimRight(q.Get("resource"), "/")
	if !knownResource(resource) {
		s.fail(w, http.StatusBadRequest, "AADSTS500011: The resource principal named "+truncate(resource, 200)+" was not found in the tenant named "+TenantID+".")
		return
	}
	clientID := SystemIdentityClientID
	switch {
	case q.Has("client_id"):
		clientID = strings.ToLower(q.Get("client_id"))
	case q.Has("object_id") || q.Has("principal_id"):
		if id := q.Get("object_id") + q.Get("principal_id"); strings.EqualFold(id, UserIdentityObjectID) {
			clientID = UserIdentityClientID
		} else {
			clientID = ""
		}
	case q.Has("mi_res_id"):
		if strings.EqualFold(q.Get("mi_res_id"), UserIdentityResourceID) {
			clientID = UserIdentityClientID
		} else {
			clientID = ""
		}
	}
	if clientID != SystemIdentityClientID && clientID != UserIdentityClientID {
		s.fail(w, http.StatusBadRequest, "No User Assigned or Delegated Managed Identity found for specified ClientId/ResourceId/PrincipalId.")
		return
	}
	setClient(w, clientID)
	client, _ := s.t.dir.lookup(clientID)
	tr := s.t.issue(client, resource)
	writeJSON(w, http.StatusOK, map[string]string{
		"access_token": tr.AccessToken,
		"expires_on":   strconv.FormatInt(time.Now().Add(s.t.opts.TokenLifetime).Unix(), 10),
		"resource":     resource,
		"token_type":   "Bearer",
		"client_id":    clientID,
	})
}

func knownResource(resource string) bool {
	for _, c := range clouds {
		if resource == c.graphResource() || resource == c.vaultResource {
			return true
		}
	}
	return false
}

func isGraphResource(resource string) bool {
	for _, c := range clouds {
		if resource == c.graphResource() {
			return true
		}
	}
	return false
}
