package sandbox

import (
	"context"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// FederatedCredential is a federated identity credential of an app
// registration: Entra accepts, as the app's client assertion, a token from
// Issuer whose sub is Subject and whose aud holds Audiences[0], signed with
// a key Issuer publishes. Matching is exact and case-sensitive.
type FederatedCredential struct {
	Name      string
	Issuer    string
	Subject   string
	Audiences []string // exactly one, normally FederationAudience
}

// maxFederatedCredentials is Entra's limit per app or identity.
const maxFederatedCredentials = 20

// SetFederatedCredentials replaces the federated identity credentials of
// the app clientID, as an operator editing them in Entra would.
func (e *EntraServer) SetFederatedCredentials(clientID string, fcs ...FederatedCredential) error {
	if len(fcs) > maxFederatedCredentials {
		return fmt.Errorf("sandbox: at most %d federated credentials per app", maxFederatedCredentials)
	}
	for _, fc := range fcs {
		if len(fc.Audiences) != 1 {
			return fmt.Errorf("sandbox: federated credential %q must have exactly one audience", fc.Name)
		}
	}
	if !e.t.dir.setFederated(clientID, slices.Clone(fcs)) {
		return fmt.Errorf("sandbox: no app %s", clientID)
	}
	return nil
}

// tokenError is a refusal of the token endpoint.
type tokenError struct {
	status int
	code   string // OAuth error
	aadsts int
	msg    string
}

func federationError(aadsts int, msg string) *tokenError {
	return &tokenError{status: http.StatusUnauthorized, code: "invalid_client", aadsts: aadsts, msg: msg}
}

const federationDoc = " https://learn.microsoft.com/entra/workload-id/workload-identity-federation"

// Entra accepts only RSA signatures on external tokens.
var federationAlgs = []string{"RS256", "RS384", "RS512", "PS256", "PS384", "PS512"}

// verifyFederated checks an external token presented as a client assertion
// in Entra's order: a credential matching its issuer, subject and audience,
// the signing algorithm, then the signature against the issuer's published
// keys and the token's lifetime.
func (e *EntraServer) verifyFederated(ctx context.Context, typ, assertion string, fcs []FederatedCredential) *tokenError {
	if typ != assertionType {
		return federationError(700027, "Client assertion type is not valid.")
	}
	claims := jwt.MapClaims{}
	tok, _, err := jwt.NewParser().ParseUnverified(assertion, claims)
	if err != nil {
		return &tokenError{status: http.StatusBadRequest, code: "invalid_request", aadsts: 50027, msg: "JWT token is invalid or malformed."}
	}
	iss, _ := claims.GetIssuer()
	sub, _ := claims.GetSubject()
	aud, _ := claims.GetAudience()
	byIssuer := slices.DeleteFunc(slices.Clone(fcs), func(fc FederatedCredential) bool { return fc.Issuer != iss })
	if len(byIssuer) == 0 {
		return federationError(700211, fmt.Sprintf(
			"No matching federated identity record found for presented assertion issuer '%s'. Please check your federated identity credential Subject, Audience and Issuer against the presented assertion.%s",
			truncate(iss, 200), federationDoc))
	}
	bySubject := slices.DeleteFunc(byIssuer, func(fc FederatedCredential) bool { return fc.Subject != sub })
	if len(bySubject) == 0 {
		return federationError(700213, fmt.Sprintf(
			"No matching federated identity record found for presented assertion subject '%s'. Check your federated identity credential Subject, Audience and Issuer against the presented assertion.%s",
			truncate(sub, 200), federationDoc))
	}
	if !slices.ContainsFunc(bySubject, func(fc FederatedCredential) bool { return slices.Contains(aud, fc.Audiences[0]) }) {
		return federationError(70021, fmt.Sprintf(
			"No matching federated identity record found for presented assertion. Assertion Issuer: '%s'. Assertion Subject: '%s'. Assertion Audience: '%s'.%s",
			truncate(iss, 200), truncate(sub, 200), truncate(strings.Join(aud, ","), 200), federationDoc))
	}
	if alg := tok.Method.Alg(); !slices.Contains(federationAlgs, alg) {
		return federationError(5002738, fmt.Sprintf("Invalid JWT token. '%s' is not a supported signature algorithm. Supported signing algorithms are: '%s'",
			truncate(alg, 16), strings.Join(federationAlgs, ", ")))
	}
	keys, err := e.t.issuerKeys(ctx, iss)
	if err != nil {
		return &tokenError{status: http.StatusBadRequest, code: "invalid_request", aadsts: 50166, msg: "Request to External OIDC endpoint failed."}
	}
	_, err = jwt.NewParser(jwt.WithValidMethods(federationAlgs), jwt.WithExpirationRequired(), jwt.WithLeeway(5*time.Minute)).
		Parse(assertion, func(t *jwt.Token) (any, error) {
			kid, _ := t.Header["kid"].(string)
			if k, ok := keys[kid]; ok {
				return k, nil
			}
			return nil, errors.New("unknown kid")
		})
	switch {
	case err == nil:
		return nil
	case errors.Is(err, jwt.ErrTokenExpired), errors.Is(err, jwt.ErrTokenNotValidYet), errors.Is(err, jwt.ErrTokenRequiredClaimMissing):
		return federationError(700024, "Client assertion is not within its valid time range.")
	}
	return federationError(700027, "Client assertion failed signature validation.")
}

// issuerKeys fetches an issuer's RSA signing keys by kid through its
// discovery document, as Entra does: over HTTPS, from the issuer's host.
func (t *Tenant) issuerKeys(ctx context.Context, issuer string) (map[string]*rsa.PublicKey, error) {
	if !strings.HasPrefix(issuer, "https://") {
		return nil, errors.New("the issuer is not an https URL")
	}
	var meta struct {
		Issuer  string `json:"issuer"`
		JWKSURI string `json:"jwks_uri"`
	}
	if err := t.fetchJSON(ctx, strings.TrimSuffix(issuer, "/")+"/.well-known/openid-configuration", &meta); err != nil {
		return nil, err
	}
	if meta.Issuer != issuer || !strings.HasPrefix(meta.JWKSURI, "https://") {
		return nil, errors.New("the discovery document names another issuer or no https jwks_uri")
	}
	var set struct {
		Keys []struct {
			Kty, Kid, N, E string
		} `json:"keys"`
	}
	if err := t.fetchJSON(ctx, meta.JWKSURI, &set); err != nil {
		return nil, err
	}
	keys := map[string]*rsa.PublicKey{}
	for _, k := range set.Keys {
		n, errN := base64.RawURLEncoding.DecodeString(k.N)
		e, errE := base64.RawURLEncoding.DecodeString(k.E)
		if k.Kty != "RSA" || errN != nil || errE != nil || len(e) > 4 {
			continue
		}
		keys[k.Kid] = &rsa.PublicKey{N: new(big.Int).SetBytes(n), E: int(new(big.Int).SetBytes(e).Int64())}
	}
	return keys, nil
}

// fetchJSON GETs url from the sandbox's own TLS listener.
func (t *Tenant) fetchJSON(ctx context.Context, url string, v any) error {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	resp, err := t.direct.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: %s", url, resp.Status)
	}
	return json.NewDecoder(io.LimitReader(resp.Body, 1<<20)).Decode(v)
}
