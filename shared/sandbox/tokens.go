package sandbox

import (
	"errors"
	"strings"
	"sync/atomic"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// Access tokens for Graph and Key Vault are JWTs shaped like Entra's v1
// app-only tokens (aud, iss, appid, oid, tid, roles, exp), signed HS256 with a
// key fixed in this source. They are verified without server-side state, as
// real tokens are, so a token stays valid across sandbox instances in one
// process. That matters because MSAL caches managed-identity tokens
// process-wide: a test's new tenant may be handed a token a previous tenant
// issued. The fixed key gates nothing real: only clients configured for the
// sandbox can reach it, and it serves only emulated data.
var accessTokenKey = []byte("reprocess-sandbox access tokens; not a secret")

// tokenIssuer issues and checks access tokens. Safe for concurrent use.
type tokenIssuer struct {
	revokedBefore atomic.Int64 // unix nanoseconds; tokens issued earlier are refused
}

// issuedToken is what a valid access token grants.
type issuedToken struct {
	clientID string
	objectID string
	resource string // audience, e.g. https://graph.microsoft.com
	expires  time.Time
}

type accessClaims struct {
	jwt.RegisteredClaims
	AppID    string   `json:"appid"`
	ObjectID string   `json:"oid"`
	TenantID string   `json:"tid"`
	Roles    []string `json:"roles,omitempty"`
	IDType   string   `json:"idtyp"`
	Version  string   `json:"ver"`
	IssuedNS int64    `json:"xms_sandbox_iat_ns"`
}

func (s *tokenIssuer) issue(it issuedToken, roles []string) string {
	now := time.Now()
	claims := accessClaims{
		RegisteredClaims: jwt.RegisteredClaims{
			Audience: jwt.ClaimStrings{it.resource}, Issuer: "https://sts.windows.net/" + TenantID + "/",
			Subject: it.objectID, IssuedAt: jwt.NewNumericDate(now), NotBefore: jwt.NewNumericDate(now.Add(-5 * time.Minute)),
			ExpiresAt: jwt.NewNumericDate(it.expires), ID: randomToken(16),
		},
		AppID: it.clientID, ObjectID: it.objectID, TenantID: TenantID, Roles: roles,
		IDType: "app", Version: "1.0", IssuedNS: now.UnixNano(),
	}
	tok, err := jwt.NewWithClaims(jwt.SigningMethodHS256, claims).SignedString(accessTokenKey)
	if err != nil {
		panic(err) // HMAC signing does not fail
	}
	return tok
}

type tokenCheck int

const (
	tokenOK tokenCheck = iota
	tokenMissing
	tokenUnknown
	tokenExpired
	tokenWrongAudience
)

// check validates an Authorization header value against resource.
func (s *tokenIssuer) check(authorization, resource string) (issuedToken, tokenCheck) {
	scheme, raw, ok := strings.Cut(authorization, " ")
	raw = strings.TrimSpace(raw)
	if !ok || !strings.EqualFold(scheme, "Bearer") || raw == "" {
		return issuedToken{}, tokenMissing
	}
	if len(raw) > 8<<10 {
		return issuedToken{}, tokenUnknown
	}
	var c accessClaims
	_, err := jwt.ParseWithClaims(raw, &c, func(*jwt.Token) (any, error) { return accessTokenKey, nil },
		jwt.WithValidMethods([]string{"HS256"}), jwt.WithIssuer("https://sts.windows.net/"+TenantID+"/"),
		jwt.WithExpirationRequired())
	it := issuedToken{clientID: c.AppID, objectID: c.ObjectID}
	if len(c.Audience) == 1 {
		it.resource = c.Audience[0]
	}
	if c.ExpiresAt != nil {
		it.expires = c.ExpiresAt.Time
	}
	switch {
	case errors.Is(err, jwt.ErrTokenExpired):
		return it, tokenExpired
	case err != nil || c.IssuedNS < s.revokedBefore.Load():
		return it, tokenUnknown
	case !strings.EqualFold(it.resource, resource):
		return it, tokenWrongAudience
	}
	return it, tokenOK
}

// revokeAll refuses every token issued until now.
func (s *tokenIssuer) revokeAll() { s.revokedBefore.Store(time.Now().UnixNano() + 1) }

// resourceFromScope turns "<resource>/.default" into the resource. Only
// client-credential scopes (ending in /.default) are accepted; the OpenID
// scopes MSAL adds are ignored. The bool is false when no usable scope is present.
func resourceFromScope(scope string) (string, bool) {
	var found []string
	for _, s := range strings.Fields(scope) {
		if r, ok := strings.CutSuffix(s, "/.default"); ok {
			found = append(found, strings.TrimRight(r, "/"))
		}
	}
	if len(found) != 1 {
		return "", false
	}
	return found[0], true
}
