package sandbox_test

import (
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/MicahParks/keyfunc/v3"
	"github.com/golang-jwt/jwt/v5"

	"github.com/entra-tools/reprocess/shared/awscreds"
	"github.com/entra-tools/reprocess/shared/awssts"
	"github.com/entra-tools/reprocess/shared/sandbox"
)

// roleSession is the role session of AWSEnv, which change may edit.
type roleSession struct{ id, secret, session string }

// stsSource is the project's own STS client pointed at the tenant, with
// the role session of AWSEnv unless change says otherwise.
func stsSource(tb testing.TB, tenant *sandbox.Tenant, change func(*awssts.Config, *roleSession)) *awssts.TokenSource {
	tb.Helper()
	var r roleSession
	r.id, r.secret, r.session = tenant.AWSCredentials()
	cfg := awssts.Config{Region: sandbox.AWSRegion, HTTPClient: tenant.HTTPClient()}
	if change != nil {
		change(&cfg, &r)
	}
	cfg.Credentials = awscreds.Static(r.id, r.secret, r.session)
	ts, err := awssts.NewTokenSource(cfg)
	if err != nil {
		tb.Fatalf("NewTokenSource: %v", err)
	}
	return ts
}

// The token STS issues verifies against the keys the issuer publishes and
// carries the claims AWS documents.
func TestSTSIssuesAWebIdentityToken(t *testing.T) {
	t.Parallel()
	tenant := sandbox.NewForTest(t, sandbox.Options{})
	raw, err := stsSource(t, tenant, nil).Token(ctx(t))
	if err != nil {
		t.Fatalf("Token: %v", err)
	}
	meta := do(t, tenant.HTTPClient(), "GET", sandbox.AWSIssuer+"/.well-known/openid-configuration", "", nil)
	if meta.status != 200 || !strings.Contains(string(meta.body), `"jwks_uri":"`+sandbox.AWSIssuer+`/.well-known/jwks.json"`) {
		t.Fatalf("discovery document = %d %s", meta.status, meta.body)
	}
	jwks := do(t, tenant.HTTPClient(), "GET", sandbox.AWSIssuer+"/.well-known/jwks.json", "", nil)
	kf, err := keyfunc.NewJWKSetJSON(jwks.body)
	if err != nil {
		t.Fatalf("JWKS %s: %v", jwks.body, err)
	}
	claims := jwt.MapClaims{}
	tok, err := jwt.ParseWithClaims(raw, claims, kf.Keyfunc, jwt.WithValidMethods([]string{"RS256"}),
		jwt.WithIssuer(sandbox.AWSIssuer), jwt.WithSubject(sandbox.AWSRoleARN), jwt.WithAudience(sandbox.FederationAudience),
		jwt.WithExpirationRequired(), jwt.WithIssuedAt())
	if err != nil {
		t.Fatalf("the token does not verify against the issuer's JWKS: %v", err)
	}
	exp, _ := claims.GetExpirationTime()
	if left := time.Until(exp.Time); left < 4*time.Minute || left > 5*time.Minute+time.Second {
		t.Errorf("token lifetime left = %v, want the 300 s asked for", left)
	}
	aws, _ := claims["https://sts.amazonaws.com/"].(map[string]any)
	if aws["aws_account"] != sandbox.AWSAccountID || aws["source_region"] != sandbox.AWSRegion {
		t.Errorf("https://sts.amazonaws.com/ claims = %v", aws)
	}
	if tok.Header["kid"] == "" {
		t.Errorf("no kid in the header")
	}
	if n := tenant.Count(sandbox.STS); n != 1 {
		t.Errorf("STS requests = %d, want 1", n)
	}
}

func TestSTSRefusesBadRequests(t *testing.T) {
	t.Parallel()
	tenant := sandbox.NewForTest(t, sandbox.Options{})
	tests := []struct {
		name     string
		change   func(*awssts.Config, *roleSession)
		setup    func()
		wantCode string
		wantMsg  string
	}{
		{"wrong secret", func(_ *awssts.Config, r *roleSession) { r.secret += "x" }, nil, "SignatureDoesNotMatch", "does not match"},
		{"unknown key", func(_ *awssts.Config, r *roleSession) { r.id = "ASIAUNKNOWNUNKNOWN00" }, nil, "InvalidClientTokenId", "security token"},
		{"wrong session token", func(_ *awssts.Config, r *roleSession) { r.session = "IQoJstale" }, nil, "InvalidClientTokenId", "security token"},
		{"no session token", func(_ *awssts.Config, r *roleSession) { r.session = "" }, nil, "InvalidClientTokenId", "security token"},
		{"scope of another region", func(c *awssts.Config, _ *roleSession) { c.EndpointURLSTS = "https://sts.us-east-1.amazonaws.com" }, nil, "SignatureDoesNotMatch", "valid region"},
		{"stale clock", func(c *awssts.Config, _ *roleSession) {
			c.Now = func() time.Time { return time.Now().Add(-10 * time.Minute) }
		}, nil, "SignatureDoesNotMatch", "Signature expired"},
		{"federation disabled", nil, func() { tenant.STS.SetFederationEnabled(false) }, "OutboundWebIdentityFederationDisabledException", "not enabled"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if tc.setup != nil {
				tc.setup()
				defer tenant.STS.SetFederationEnabled(true)
			}
			_, err := stsSource(t, tenant, tc.change).Token(ctx(t))
			var apiErr *awssts.APIError
			if !errors.As(err, &apiErr) || apiErr.Code != tc.wantCode || !strings.Contains(apiErr.Message, tc.wantMsg) || apiErr.RequestID == "" {
				t.Fatalf("Token() error = %v, want %s (%q) with a request id", err, tc.wantCode, tc.wantMsg)
			}
		})
	}
}

// The global endpoint does not serve GetWebIdentityToken, and a request
// that is not signed at all is refused.
func TestSTSEndpointsWithoutService(t *testing.T) {
	t.Parallel()
	tenant := sandbox.NewForTest(t, sandbox.Options{})
	r := do(t, tenant.HTTPClient(), "POST", "https://sts.amazonaws.com/", "", strings.NewReader("Action=GetWebIdentityToken&Version=2011-06-15"),
		"Content-Type", "application/x-www-form-urlencoded")
	if r.status != http.StatusMisdirectedRequest {
		t.Errorf("global endpoint = %d, want 421 (nothing served there)", r.status)
	}
	r = do(t, tenant.HTTPClient(), "POST", "https://sts.eu-west-1.amazonaws.com/", "", strings.NewReader("Action=GetWebIdentityToken&Version=2011-06-15"),
		"Content-Type", "application/x-www-form-urlencoded")
	if r.status != http.StatusForbidden || !strings.Contains(string(r.body), "<Code>MissingAuthenticationToken</Code>") {
		t.Errorf("unsigned request = %d %s, want 403 MissingAuthenticationToken", r.status, r.body)
	}
}
