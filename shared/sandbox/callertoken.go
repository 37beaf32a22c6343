package sandbox

import (
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"math/big"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// The API app registration callers get tokens for, and the default caller.
const (
	// APIClientID is the default audience of caller tokens: the client id of
	// the project's own API app (v2 tokens carry it as aud).
	APIClientID = "c7d6e5f4-a3b2-4c1d-9e0f-1a2b3c4d5e6f"
	// CallerRole is the app role the default caller token carries.
	CallerRole = "Reprocess.Invoke"
	// CallerClientID and CallerObjectID identify the default caller (for
	// example a Logic App's managed identity): azp and oid.
	CallerClientID = "e1f2a3b4-c5d6-4e7f-8a9b-0c1d2e3f4a5b"
	CallerObjectID = "f0e1d2c3-b4a5-4697-8a8b-9c0d1e2f3a4b"
)

// Signing forms for CallerTokenOptions.Alg. The last two are attacks a
// validator must refuse.
const (
	AlgRS256          = "RS256" // the default: signed with the JWKS key
	AlgNone           = "none"  // unsigned
	AlgHS256PublicKey = "HS256" // HMAC keyed with the JWKS key's public PEM
)

// CallerTokenOptions shape MintCallerToken's token. Zero values give a
// valid token for APIClientID carrying CallerRole.
type CallerTokenOptions struct {
	Audience  string    // aud; default APIClientID
	Issuer    string    // iss; default Issuer() of TenantID
	TenantID  string    // tid (and the default issuer's tenant); default TenantID
	Roles     []string  // roles; default [CallerRole]
	NoRoles   bool      // send no roles claim at all
	ObjectID  string    // oid; default CallerObjectID
	ClientID  string    // azp; default CallerClientID
	Expiry    time.Time // exp; default an hour from now
	NotBefore time.Time // nbf; default five minutes ago
	KeyID     string    // kid header; default the JWKS key's (set another to test an unknown kid)
	Alg       string    // AlgRS256 (default), AlgNone or AlgHS256PublicKey
	Claims    map[string]any
}

// Issuer is the v2.0 issuer of tokens from the sandbox tenant.
func (t *Tenant) Issuer() string { return "https://login.microsoftonline.com/" + TenantID + "/v2.0" }

// JWKSURL is where the caller-token signing keys are published.
func (t *Tenant) JWKSURL() string {
	return "https://login.microsoftonline.com/" + TenantID + "/discovery/v2.0/keys"
}

// MintCallerToken returns a compact JWT like the one Entra issues to a caller
// of the project's API (an app-only v2.0 access token).
func (t *Tenant) MintCallerToken(o CallerTokenOptions) string {
	key, cert := t.signingKey.mustGet()
	now := time.Now()
	tenant := or(o.TenantID, TenantID)
	claims := jwt.MapClaims{
		"aud":    or(o.Audience, APIClientID),
		"iss":    or(o.Issuer, "https://login.microsoftonline.com/"+tenant+"/v2.0"),
		"tid":    tenant,
		"oid":    or(o.ObjectID, CallerObjectID),
		"sub":    or(o.ObjectID, CallerObjectID),
		"azp":    or(o.ClientID, CallerClientID),
		"azpacr": "2",
		"idtyp":  "app",
		"ver":    "2.0",
		"iat":    now.Unix(),
		"nbf":    now.Add(-5 * time.Minute).Unix(),
		"exp":    now.Add(time.Hour).Unix(),
		"uti":    randomToken(16),
	}
	if !o.NotBefore.IsZero() {
		claims["nbf"] = o.NotBefore.Unix()
	}
	if !o.Expiry.IsZero() {
		claims["exp"] = o.Expiry.Unix()
	}
	switch {
	case o.NoRoles:
	case o.Roles != nil:
		claims["roles"] = o.Roles
	default:
		claims["roles"] = []string{CallerRole}
	}
	for k, v := range o.Claims {
		claims[k] = v
	}

	var method jwt.SigningMethod = jwt.SigningMethodRS256
	var signKey any = key
	switch o.Alg {
	case AlgNone:
		method, signKey = jwt.SigningMethodNone, jwt.UnsafeAllowNoneSignatureType
	case AlgHS256PublicKey:
		der, err := x509.MarshalPKIXPublicKey(&key.PublicKey)
		if err != nil {
			panic(err)
		}
		method, signKey = jwt.SigningMethodHS256, pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})
	}
	tok := jwt.NewWithClaims(method, claims)
	tok.Header["kid"] = or(o.KeyID, keyID(cert))
	if o.Alg == "" || o.Alg == AlgRS256 {
		tok.Header["x5t"] = keyID(cert)
	}
	s, err := tok.SignedString(signKey)
	if err != nil {
		panic(err) // signing with a freshly generated key does not fail
	}
	return s
}

func or(v, fallback string) string {
	if v != "" {
		return v
	}
	return fallback
}

// keyID is Entra's kid: the base64url SHA-1 thumbprint, the same as x5t.
func keyID(cert *x509.Certificate) string {
	return base64.RawURLEncoding.EncodeToString(thumbprintSHA1(cert))
}

type jwk struct {
	Kty    string   `json:"kty"`
	Use    string   `json:"use"`
	Kid    string   `json:"kid"`
	X5t    string   `json:"x5t"`
	N      string   `json:"n"`
	E      string   `json:"e"`
	X5c    []string `json:"x5c"`
	Alg    string   `json:"alg"`
	Issuer string   `json:"issuer"`
}

func (t *Tenant) jwks() map[string][]jwk {
	key, cert := t.signingKey.mustGet()
	return map[string][]jwk{"keys": {{
		Kty: "RSA", Use: "sig", Kid: keyID(cert), X5t: keyID(cert),
		N:      base64.RawURLEncoding.EncodeToString(key.N.Bytes()),
		E:      base64.RawURLEncoding.EncodeToString(big.NewInt(int64(key.E)).Bytes()),
		X5c:    []string{base64.StdEncoding.EncodeToString(cert.Raw)},
		Alg:    "RS256",
		Issuer: t.Issuer(),
	}}}
}
