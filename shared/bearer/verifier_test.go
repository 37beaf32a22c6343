package bearer

import (
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

func TestAuthenticate(t *testing.T) {
	tn := newTenant(t)
	keys := rsaKeys()
	tn.publish("key-a", keys[0])
	v := newTestVerifier(t, tn.config())
	now := time.Now()

	with := func(change func(jwt.MapClaims)) jwt.MapClaims {
		c := appClaims(tn.issuer(), now)
		change(c)
		return c
	}
	rs256 := func(c jwt.MapClaims) string { return mint(t, jwt.SigningMethodRS256, keys[0], "key-a", c) }
	pubPEM := pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: must(x509.MarshalPKIXPublicKey(&keys[0].PublicKey))})

	tests := []struct {
		name    string
		header  string // the whole Authorization value; "" sends none
		wantErr error
		alsoIs  error
	}{
		{name: "valid", header: "Bearer " + rs256(appClaims(tn.issuer(), now))},
		{name: "scheme is case-insensitive", header: "bearer " + rs256(appClaims(tn.issuer(), now))},
		{name: "no header", wantErr: ErrMissingToken},
		{name: "basic scheme", header: "Basic dXNlcjpwYXNz", wantErr: ErrMissingToken},
		{name: "bearer without token", header: "Bearer ", wantErr: ErrInvalidToken},
		{name: "two tokens", header: "Bearer a.b.c d.e.f", wantErr: ErrInvalidToken},
		{name: "not a JWT", header: "Bearer not-a-jwt", wantErr: ErrInvalidToken, alsoIs: jwt.ErrTokenMalformed},
		{name: "oversized header", header: "Bearer " + strings.Repeat("a", MaxAuthorizationHeader), wantErr: ErrInvalidToken, alsoIs: ErrTokenTooLarge},
		{name: "wrong audience (ARM)", header: "Bearer " + rs256(with(func(c jwt.MapClaims) { c["aud"] = "https://management.azure.com/" })), wantErr: ErrInvalidToken, alsoIs: jwt.ErrTokenInvalidAudience},
		{name: "app id uri not configured", header: "Bearer " + rs256(with(func(c jwt.MapClaims) { c["aud"] = "api://" + testAudience })), wantErr: ErrInvalidToken, alsoIs: jwt.ErrTokenInvalidAudience},
		{name: "no audience", header: "Bearer " + rs256(with(func(c jwt.MapClaims) { delete(c, "aud") })), wantErr: ErrInvalidToken},
		{name: "wrong issuer host", header: "Bearer " + rs256(with(func(c jwt.MapClaims) { c["iss"] = "https://evil.example/" + testTenant + "/v2.0" })), wantErr: ErrInvalidToken, alsoIs: jwt.ErrTokenInvalidIssuer},
		{name: "issuer of another tenant", header: "Bearer " + rs256(with(func(c jwt.MapClaims) {
			c["iss"] = tn.srv.URL + "/" + otherTenant + "/v2.0"
			c["tid"] = otherTenant
		})), wantErr: ErrInvalidToken, alsoIs: jwt.ErrTokenInvalidIssuer},
		{name: "v1 issuer", header: "Bearer " + rs256(with(func(c jwt.MapClaims) { c["iss"] = "https://sts.windows.net/" + testTenant + "/" })), wantErr: ErrInvalidToken, alsoIs: jwt.ErrTokenInvalidIssuer},
		{name: "tid of another tenant", header: "Bearer " + rs256(with(func(c jwt.MapClaims) { c["tid"] = otherTenant })), wantErr: ErrInvalidToken},
		{name: "no tid", header: "Bearer " + rs256(with(func(c jwt.MapClaims) { delete(c, "tid") })), wantErr: ErrInvalidToken},
		{name: "role missing", header: "Bearer " + rs256(with(func(c jwt.MapClaims) { delete(c, "roles") })), wantErr: ErrMissingRole},
		{name: "other role only", header: "Bearer " + rs256(with(func(c jwt.MapClaims) { c["roles"] = []string{"Reprocess.Read"} })), wantErr: ErrMissingRole},
		{name: "role differs in case", header: "Bearer " + rs256(with(func(c jwt.MapClaims) { c["roles"] = []string{strings.ToLower(testRole)} })), wantErr: ErrMissingRole},
		{name: "role only as a scope", header: "Bearer " + rs256(with(func(c jwt.MapClaims) { delete(c, "roles"); c["scp"] = testRole })), wantErr: ErrMissingRole},
		{name: "role only in a name claim", header: "Bearer " + rs256(with(func(c jwt.MapClaims) { delete(c, "roles"); c["name"] = testRole; c["upn"] = testRole })), wantErr: ErrMissingRole},
		{name: "roles not an array", header: "Bearer " + rs256(with(func(c jwt.MapClaims) { c["roles"] = testRole })), wantErr: ErrInvalidToken},
		{name: "expired", header: "Bearer " + rs256(with(func(c jwt.MapClaims) { c["exp"] = now.Add(-2 * time.Minute).Unix() })), wantErr: ErrInvalidToken, alsoIs: jwt.ErrTokenExpired},
		{name: "expired within leeway", header: "Bearer " + rs256(with(func(c jwt.MapClaims) { c["exp"] = now.Add(-30 * time.Second).Unix() }))},
		{name: "no exp", header: "Bearer " + rs256(with(func(c jwt.MapClaims) { delete(c, "exp") })), wantErr: ErrInvalidToken, alsoIs: jwt.ErrTokenRequiredClaimMissing},
		{name: "not yet valid", header: "Bearer " + rs256(with(func(c jwt.MapClaims) { c["nbf"] = now.Add(2 * time.Minute).Unix() })), wantErr: ErrInvalidToken, alsoIs: jwt.ErrTokenNotValidYet},
		{name: "nbf within leeway", header: "Bearer " + rs256(with(func(c jwt.MapClaims) { c["nbf"] = now.Add(30 * time.Second).Unix() }))},
		{name: "issued in the future", header: "Bearer " + rs256(with(func(c jwt.MapClaims) { c["iat"] = now.Add(10 * time.Minute).Unix() })), wantErr: ErrInvalidToken, alsoIs: jwt.ErrTokenUsedBeforeIssued},
		{name: "alg none", header: "Bearer " + unsigned(t, "none", "key-a", appClaims(tn.issuer(), now)), wantErr: ErrInvalidToken},
		{name: "alg None", header: "Bearer " + unsigned(t, "None", "key-a", appClaims(tn.issuer(), now)), wantErr: ErrInvalidToken},
		{name: "HS256 keyed with the public key", header: "Bearer " + mint(t, jwt.SigningMethodHS256, pubPEM, "key-a", appClaims(tn.issuer(), now)), wantErr: ErrInvalidToken, alsoIs: jwt.ErrTokenSignatureInvalid},
		{name: "HS256 keyed with the modulus", header: "Bearer " + mint(t, jwt.SigningMethodHS256, keys[0].N.Bytes(), "key-a", appClaims(tn.issuer(), now)), wantErr: ErrInvalidToken},
		{name: "RS512 by the right key", header: "Bearer " + mint(t, jwt.SigningMethodRS512, keys[0], "key-a", appClaims(tn.issuer(), now)), wantErr: ErrInvalidToken},
		{name: "PS256 by the right key", header: "Bearer " + mint(t, jwt.SigningMethodPS256, keys[0], "key-a", appClaims(tn.issuer(), now)), wantErr: ErrInvalidToken},
		{name: "signed by another key under a known kid", header: "Bearer " + mint(t, jwt.SigningMethodRS256, keys[1], "key-a", appClaims(tn.issuer(), now)), wantErr: ErrInvalidToken, alsoIs: jwt.ErrTokenSignatureInvalid},
		{name: "no kid", header: "Bearer " + mint(t, jwt.SigningMethodRS256, keys[0], "", appClaims(tn.issuer(), now)), wantErr: ErrInvalidToken},
		{name: "tampered payload", header: "Bearer " + tamper(t, rs256(appClaims(tn.issuer(), now))), wantErr: ErrInvalidToken},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := request("")
			if tt.header != "" {
				r.Header.Set("Authorization", tt.header)
			}
			p, err := v.Authenticate(r)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("Authenticate = %v, want %v", err, tt.wantErr)
			}
			if tt.alsoIs != nil && !errors.Is(err, tt.alsoIs) {
				t.Errorf("Authenticate = %v, want it to wrap %v", err, tt.alsoIs)
			}
			if err != nil {
				t.Logf("%s: %v", tt.name, err)
				assertNoToken(t, err, tt.header)
				return
			}
			if p.ObjectID == "" || p.AppID == "" || p.TenantID != testTenant || !slices.Contains(p.Roles, testRole) || p.IDType != "app" {
				t.Errorf("principal = %+v", p)
			}
		})
	}
}

// An error must never carry the token or a piece of it.
func assertNoToken(tb testing.TB, err error, header string) {
	tb.Helper()
	_, token, _ := strings.Cut(header, " ")
	for _, part := range strings.Split(token, ".") {
		if len(part) >= 16 && strings.Contains(err.Error(), part[:16]) {
			tb.Errorf("error %q contains part of the token", err)
		}
	}
}

func TestAuthenticateV1IssuerExplainsTheFix(t *testing.T) {
	tn := newTenant(t)
	tn.publish("key-a", rsaKeys()[0])
	c := appClaims("https://sts.windows.net/"+testTenant+"/", time.Now())
	_, err := newTestVerifier(t, tn.config()).Authenticate(request(mint(t, jwt.SigningMethodRS256, rsaKeys()[0], "key-a", c)))
	if !errors.Is(err, ErrInvalidToken) || !strings.Contains(err.Error(), "accessTokenAcceptedVersion") {
		t.Errorf("Authenticate = %v, want an invalid-token error naming accessTokenAcceptedVersion", err)
	}
}

func TestAuthenticateAppIDURIWhenConfigured(t *testing.T) {
	tn := newTenant(t)
	tn.publish("key-a", rsaKeys()[0])
	cfg := tn.config()
	cfg.Audiences = append(cfg.Audiences, "api://"+testAudience)
	v := newTestVerifier(t, cfg)
	for _, aud := range cfg.Audiences {
		c := appClaims(tn.issuer(), time.Now())
		c["aud"] = aud
		if _, err := v.Authenticate(request(mint(t, jwt.SigningMethodRS256, rsaKeys()[0], "key-a", c))); err != nil {
			t.Errorf("aud %q: Authenticate = %v", aud, err)
		}
	}
}

func TestAuthenticateRepeatedAuthorizationHeader(t *testing.T) {
	tn := newTenant(t)
	tn.publish("key-a", rsaKeys()[0])
	token := mint(t, jwt.SigningMethodRS256, rsaKeys()[0], "key-a", appClaims(tn.issuer(), time.Now()))
	r := request(token)
	r.Header.Add("Authorization", "Bearer "+token)
	if _, err := newTestVerifier(t, tn.config()).Authenticate(r); !errors.Is(err, ErrInvalidToken) {
		t.Errorf("Authenticate = %v, want %v", err, ErrInvalidToken)
	}
}

// The size check comes before any work: no key fetch for a giant header.
func TestAuthenticateOversizedFetchesNothing(t *testing.T) {
	tn := newTenant(t)
	tn.publish("key-a", rsaKeys()[0])
	v := newTestVerifier(t, tn.config())
	r := request("")
	r.Header.Set("Authorization", "Bearer "+strings.Repeat("eyJ.", 4<<10))
	if _, err := v.Authenticate(r); !errors.Is(err, ErrTokenTooLarge) || HTTPStatus(err) != http.StatusUnauthorized {
		t.Errorf("Authenticate = %v (status %d), want %v and 401", err, HTTPStatus(err), ErrTokenTooLarge)
	}
	if n := tn.fetches.Load(); n != 0 {
		t.Errorf("%d key fetches for an oversized header, want 0", n)
	}
}

func TestNewRejectsBadConfig(t *testing.T) {
	good := Config{TenantID: testTenant, Audiences: []string{testAudience}, RequiredRole: testRole}
	tests := []struct {
		name   string
		change func(*Config)
	}{
		{"tenant domain name", func(c *Config) { c.TenantID = "contoso.onmicrosoft.com" }},
		{"no tenant", func(c *Config) { c.TenantID = "" }},
		{"no audience", func(c *Config) { c.Audiences = nil }},
		{"empty audience", func(c *Config) { c.Audiences = []string{""} }},
		{"no role", func(c *Config) { c.RequiredRole = "" }},
		{"http authority", func(c *Config) { c.AuthorityHost = "http://login.microsoftonline.com" }},
		{"leeway over a minute", func(c *Config) { c.Leeway = 5 * time.Minute }},
		{"negative leeway", func(c *Config) { c.Leeway = -time.Second }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := good
			tt.change(&cfg)
			if _, err := New(cfg); err == nil {
				t.Errorf("New(%+v) = nil error", cfg)
			}
		})
	}
	if _, err := New(good); err != nil {
		t.Errorf("New(good) = %v", err)
	}
	// Every problem at once.
	_, err := New(Config{})
	for _, want := range []string{"tenant", "audience", "role"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("New(Config{}) = %v, want it to mention %q", err, want)
		}
	}
}

func TestDefaultsNameThePublicCloud(t *testing.T) {
	r, err := Config{TenantID: strings.ToUpper(testTenant), Audiences: []string{testAudience}, RequiredRole: testRole}.resolve()
	if err != nil {
		t.Fatal(err)
	}
	if want := "https://login.microsoftonline.com/" + testTenant + "/v2.0"; r.issuer != want {
		t.Errorf("issuer = %q, want %q", r.issuer, want)
	}
	if want := "https://login.microsoftonline.com/" + testTenant + "/discovery/v2.0/keys"; r.keysURL != want {
		t.Errorf("keys URL = %q, want %q", r.keysURL, want)
	}
	if r.leeway != time.Minute || r.client == nil || r.client.Timeout != defaultFetchTimeout {
		t.Errorf("leeway %s, client %+v; want 1m and a client with a %s timeout", r.leeway, r.client, defaultFetchTimeout)
	}
}

// unsigned builds a token with an empty signature and the given alg.
func unsigned(tb testing.TB, alg, kid string, c jwt.MapClaims) string {
	tb.Helper()
	h, _ := json.Marshal(map[string]string{"alg": alg, "typ": "JWT", "kid": kid})
	p, _ := json.Marshal(c)
	return base64.RawURLEncoding.EncodeToString(h) + "." + base64.RawURLEncoding.EncodeToString(p) + "."
}

// tamper swaps the payload for one granting an extra role, keeping the
// original signature.
func tamper(tb testing.TB, token string) string {
	tb.Helper()
	parts := strings.Split(token, ".")
	raw, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		tb.Fatal(err)
	}
	var c map[string]any
	if err := json.Unmarshal(raw, &c); err != nil {
		tb.Fatal(err)
	}
	c["roles"] = []string{testRole, "Admin"}
	raw, _ = json.Marshal(c)
	parts[1] = base64.RawURLEncoding.EncodeToString(raw)
	return strings.Join(parts, ".")
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}
