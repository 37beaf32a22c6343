package sandbox

import (
	"bytes"
	"crypto/x509"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// tokenResponse is the v2.0 token endpoint's success body.
type tokenResponse struct {
	TokenType    string `json:"token_type"`
	ExpiresIn    int    `json:"expires_in"`
	ExtExpiresIn int    `json:"ext_expires_in"`
	AccessToken  string `json:"access_token"`
}

// token serves POST /{tenant}/oauth2/v2.0/token for grant_type
// client_credentials, with a client secret or a certificate assertion.
func (e *EntraServer) token(w http.ResponseWriter, r *http.Request) {
	if e.isDown() {
		e.writeError(w, r, http.StatusServiceUnavailable, "temporarily_unavailable", 90033,
			"A transient error has occurred. Please try again.")
		return
	}
	switch status := e.failing(); status {
	case 0:
	case http.StatusInternalServerError:
		e.writeError(w, r, status, "server_error", 50000,
			"There was an error issuing a token or an issue with our sign-in service.")
		return
	default:
		e.writeError(w, r, status, "temporarily_unavailable", 90033,
			"A transient error has occurred. Please try again.")
		return
	}
	tenant := r.PathValue("tenant")
	if !strings.EqualFold(tenant, TenantID) {
		e.tenantNotFound(w, r, tenant)
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	if err := r.ParseForm(); err != nil {
		e.writeError(w, r, http.StatusBadRequest, "invalid_request", 900144, "The request body must be a form.")
		return
	}
	form := r.PostForm
	clientID := strings.ToLower(form.Get("client_id"))
	setClient(w, clientID)
	if gt := form.Get("grant_type"); gt != "client_credentials" {
		e.writeError(w, r, http.StatusBadRequest, "unsupported_grant_type", 70003,
			fmt.Sprintf("The app requested an unsupported grant type '%s'.", truncate(gt, 40)))
		return
	}
	client, ok := e.t.dir.lookup(clientID)
	if !ok || client.secrets == nil && client.certs == nil && client.federated == nil {
		e.writeError(w, r, http.StatusBadRequest, "unauthorized_client", 700016, fmt.Sprintf(
			"Application with identifier '%s' was not found in the directory '%s'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant.",
			truncate(clientID, 64), TenantID))
		return
	}
	resource, ok := resourceFromScope(form.Get("scope"))
	if !ok {
		e.writeError(w, r, http.StatusBadRequest, "invalid_scope", 1002012, fmt.Sprintf(
			"The provided value for scope %s is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI).",
			truncate(form.Get("scope"), 200)))
		return
	}
	if !resourceAllowedFrom(hostOnly(r.Host), resource) {
		e.writeError(w, r, http.StatusBadRequest, "invalid_resource", 500011, fmt.Sprintf(
			"The resource principal named %s was not found in the tenant named %s. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You might have sent your authentication request to the wrong tenant.",
			truncate(resource, 200), TenantID))
		return
	}

	switch {
	case form.Has("client_secret"):
		switch e.t.dir.checkSecret(clientID, form.Get("client_secret")) {
		case secretExpired:
			e.writeError(w, r, http.StatusUnauthorized, "invalid_client", 7000222, fmt.Sprintf(
				"The provided client secret keys for app '%s' are expired. Visit the Azure portal to create new keys for your app: https://aka.ms/NewClientSecret, or consider using certificate credentials for added security: https://aka.ms/certCreds.", clientID))
			return
		case secretInvalid:
			e.writeError(w, r, http.StatusUnauthorized, "invalid_client", 7000215, fmt.Sprintf(
				"Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '%s'.", clientID))
			return
		}
	case form.Has("client_assertion") && isExternalAssertion(form.Get("client_assertion"), clientID):
		// Not signed by the app itself: an external token for a federated
		// identity credential.
		if fe := e.verifyFederated(r.Context(), form.Get("client_assertion_type"), form.Get("client_assertion"), client.federated); fe != nil {
			e.writeError(w, r, fe.status, fe.code, fe.aadsts, fe.msg)
			return
		}
	case form.Has("client_assertion"):
		endpoint := "https://" + hostOnly(r.Host) + r.URL.Path
		if code, msg := e.verifyAssertion(form.Get("client_assertion_type"), form.Get("client_assertion"), clientID, endpoint); code != 0 {
			e.writeError(w, r, http.StatusUnauthorized, "invalid_client", code, msg)
			return
		}
	default:
		e.writeError(w, r, http.StatusUnauthorized, "invalid_client", 7000218,
			"The request body must contain the following parameter: 'client_assertion' or 'client_secret'.")
		return
	}

	writeJSON(w, http.StatusOK, e.t.issue(client, resource))
}

// issue records a new access token for client and resource.
func (t *Tenant) issue(client app, resource string) tokenResponse {
	lifetime := t.opts.TokenLifetime
	var roles []string
	if client.graph && isGraphResource(resource) {
		roles = []string{graphRole}
	}
	tok := t.tokens.issue(issuedToken{
		clientID: client.clientID, objectID: client.objectID, resource: resource,
		expires: time.Now().Add(lifetime),
	}, roles)
	secs := int(lifetime / time.Second)
	return tokenResponse{TokenType: "Bearer", ExpiresIn: secs, ExtExpiresIn: secs, AccessToken: tok}
}

const assertionType = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"

var errUnknownCertificate = errors.New("certificate not registered")

// verifyAssertion checks a certificate client assertion as Entra does. It
// returns the AADSTS code and message of the failure, or 0.
func (e *EntraServer) verifyAssertion(typ, assertion, clientID, endpoint string) (int, string) {
	if typ != assertionType {
		return 700027, "Client assertion type is not valid."
	}
	certs := e.t.dir.certificates(clientID)
	var thumb string
	parser := jwt.NewParser(
		jwt.WithValidMethods([]string{"PS256", "RS256"}),
		jwt.WithAudience(endpoint), jwt.WithIssuer(clientID), jwt.WithSubject(clientID),
		jwt.WithExpirationRequired(), jwt.WithLeeway(5*time.Minute),
	)
	_, err := parser.Parse(assertion, func(tok *jwt.Token) (any, error) {
		var cert *x509.Certificate
		if s, ok := tok.Header["x5t#S256"].(string); ok {
			thumb = s
			cert = findCert(certs, decodeThumbprint(s), thumbprintSHA256)
		} else if s, ok := tok.Header["x5t"].(string); ok {
			thumb = s
			cert = findCert(certs, decodeThumbprint(s), thumbprintSHA1)
		}
		if cert == nil {
			return nil, errUnknownCertificate
		}
		return cert.PublicKey, nil
	})
	switch {
	case err == nil:
		return 0, ""
	case errors.Is(err, errUnknownCertificate):
		return 700027, fmt.Sprintf("The certificate with identifier used to sign the client assertion is not registered on application. [Reason - The key was not found., Thumbprint of key used by client: '%s', Please visit the Azure Portal, Graph Explorer or directly use MS Graph to see configured keys for app Id '%s'.]",
			truncate(thumb, 64), clientID)
	case errors.Is(err, jwt.ErrTokenExpired), errors.Is(err, jwt.ErrTokenNotValidYet), errors.Is(err, jwt.ErrTokenRequiredClaimMissing):
		return 700024, "Client assertion is not within its valid time range."
	case errors.Is(err, jwt.ErrTokenInvalidAudience):
		return 700027, fmt.Sprintf("Client assertion contains an invalid audience; expected '%s'.", endpoint)
	case errors.Is(err, jwt.ErrTokenInvalidIssuer), errors.Is(err, jwt.ErrTokenInvalidSubject):
		return 700027, "Client assertion contains an invalid issuer or subject; both must be the client id."
	}
	return 700027, "Client assertion failed signature validation."
}

// isExternalAssertion reports whether a JWT names an issuer other than the
// client itself (which signs certificate assertions).
func isExternalAssertion(assertion, clientID string) bool {
	claims := jwt.MapClaims{}
	if _, _, err := jwt.NewParser().ParseUnverified(assertion, claims); err != nil {
		return false
	}
	iss, _ := claims.GetIssuer()
	return iss != "" && !strings.EqualFold(iss, clientID)
}

func findCert(certs []*x509.Certificate, thumb []byte, sum func(*x509.Certificate) []byte) *x509.Certificate {
	for _, c := range certs {
		if len(thumb) > 0 && bytes.Equal(sum(c), thumb) {
			return c
		}
	}
	return nil
}
