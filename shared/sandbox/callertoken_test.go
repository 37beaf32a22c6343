package sandbox_test

import (
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"testing"
	"time"

	"github.com/MicahParks/keyfunc/v3"
	"github.com/golang-jwt/jwt/v5"

	"github.com/entra-tools/reprocess/shared/sandbox"
)

// A validator built the way the project's bearer auth would be (keys from
// the JWKS URL, RS256 only, exact issuer and audience) accepts the default
// caller token and refuses each malformed or hostile one.
func TestMintCallerToken(t *testing.T) {
	t.Parallel()
	tenant := sandbox.NewForTest(t, sandbox.Options{})
	r := do(t, tenant.HTTPClient(), "GET", tenant.JWKSURL(), "", nil)
	if r.status != 200 {
		t.Fatalf("JWKS = %d %s", r.status, r.body)
	}
	kf, err := keyfunc.NewJWKSetJSON(r.body)
	if err != nil {
		t.Fatalf("keyfunc.NewJWKSetJSON: %v", err)
	}
	parser := jwt.NewParser(jwt.WithValidMethods([]string{"RS256"}), jwt.WithIssuer(tenant.Issuer()),
		jwt.WithAudience(sandbox.APIClientID), jwt.WithExpirationRequired())

	tests := []struct {
		name  string
		opts  sandbox.CallerTokenOptions
		valid bool
	}{
		{"default", sandbox.CallerTokenOptions{}, true},
		{"wrong audience", sandbox.CallerTokenOptions{Audience: "api://someone-else"}, false},
		{"wrong issuer", sandbox.CallerTokenOptions{Issuer: "https://sts.windows.net/" + sandbox.TenantID + "/"}, false},
		{"other tenant", sandbox.CallerTokenOptions{TenantID: "11111111-1111-4111-8111-111111111111"}, false},
		{"expired", sandbox.CallerTokenOptions{Expiry: time.Now().Add(-time.Hour)}, false},
		{"not yet valid", sandbox.CallerTokenOptions{NotBefore: time.Now().Add(time.Hour)}, false},
		{"unknown kid", sandbox.CallerTokenOptions{KeyID: "not-a-published-key"}, false},
		{"alg none", sandbox.CallerTokenOptions{Alg: sandbox.AlgNone}, false},
		{"HS256 keyed with the public key", sandbox.CallerTokenOptions{Alg: sandbox.AlgHS256PublicKey}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			raw := tenant.MintCallerToken(tc.opts)
			tok, err := parser.Parse(raw, kf.Keyfunc)
			if valid := err == nil && tok.Valid; valid != tc.valid {
				t.Fatalf("Parse: valid %v (err %v), want %v", valid, err, tc.valid)
			}
			if !tc.valid {
				return
			}
			c := tok.Claims.(jwt.MapClaims)
			roles, _ := c["roles"].([]any)
			if c["tid"] != sandbox.TenantID || c["ver"] != "2.0" || c["azp"] != sandbox.CallerClientID ||
				c["oid"] != sandbox.CallerObjectID || len(roles) != 1 || roles[0] != sandbox.CallerRole {
				t.Errorf("claims = %v", c)
			}
		})
	}

	roles := func(o sandbox.CallerTokenOptions) any {
		tok, _, err := jwt.NewParser().ParseUnverified(tenant.MintCallerToken(o), jwt.MapClaims{})
		if err != nil {
			t.Fatal(err)
		}
		return tok.Claims.(jwt.MapClaims)["roles"]
	}
	if got := roles(sandbox.CallerTokenOptions{NoRoles: true}); got != nil {
		t.Errorf("NoRoles: roles = %v", got)
	}
	if got := roles(sandbox.CallerTokenOptions{Roles: []string{"A", "B"}}); len(got.([]any)) != 2 {
		t.Errorf("Roles A,B: roles = %v", got)
	}

	// The attack forms are well made: a validator that trusts the header's
	// alg would accept them.
	none := tenant.MintCallerToken(sandbox.CallerTokenOptions{Alg: sandbox.AlgNone})
	if _, err := jwt.Parse(none, func(*jwt.Token) (any, error) { return jwt.UnsafeAllowNoneSignatureType, nil }); err != nil {
		t.Errorf("alg none token is not a well-formed unsigned JWT: %v", err)
	}
	var jwks struct{ Keys []struct{ X5c []string } }
	if err := json.Unmarshal(r.body, &jwks); err != nil || len(jwks.Keys) != 1 || len(jwks.Keys[0].X5c) != 1 {
		t.Fatalf("JWKS x5c: %v %s", err, r.body)
	}
	der, _ := base64.StdEncoding.DecodeString(jwks.Keys[0].X5c[0])
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	spki, _ := x509.MarshalPKIXPublicKey(cert.PublicKey)
	publicPEM := pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: spki})
	hs := tenant.MintCallerToken(sandbox.CallerTokenOptions{Alg: sandbox.AlgHS256PublicKey})
	if _, err := jwt.Parse(hs, func(*jwt.Token) (any, error) { return publicPEM, nil }); err != nil {
		t.Errorf("HS256 token is not keyed with the public key PEM: %v", err)
	}
}
