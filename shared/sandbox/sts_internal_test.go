package sandbox

import (
	"html"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/entra-tools/reprocess/shared/sigv4/sigv4test"
)

// signedSTS is a GetWebIdentityToken request body signed for the tenant's
// session; the signing uses the verifier's canonical form, which the suite
// above pins.
func signedSTS(tb testing.TB, tenant *Tenant, body string) *http.Request {
	tb.Helper()
	r := httptest.NewRequest("POST", "https://sts.eu-west-1.amazonaws.com/", strings.NewReader(body))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
	now := time.Now().UTC()
	r.Header.Set("X-Amz-Date", now.Format("20060102T150405Z"))
	r.Header.Set("X-Amz-Security-Token", tenant.aws.sessionToken)
	a := sigv4test.Auth{AccessKeyID: tenant.aws.accessKeyID, Date: now.Format("20060102"), Region: "eu-west-1", Service: "sts",
		SignedHeaders: []string{"content-type", "host", "x-amz-date", "x-amz-security-token"}, AmzDate: now.Truncate(time.Second)}
	sig, _ := a.Expected(r, []byte(body), tenant.aws.secretAccessKey)
	r.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential="+a.AccessKeyID+"/"+a.Date+"/eu-west-1/sts/aws4_request, SignedHeaders="+
		strings.Join(a.SignedHeaders, ";")+", Signature="+sig)
	return r
}

func TestGetWebIdentityTokenValidation(t *testing.T) {
	tenant := NewForTest(t, Options{})
	const base = "Action=GetWebIdentityToken&Version=2011-06-15"
	tests := []struct {
		name, body string
		wantStatus int
		wantInBody string
	}{
		{"RS256", base + "&Audience.member.1=api%3A%2F%2FAzureADTokenExchange&SigningAlgorithm=RS256", 200, "<WebIdentityToken>ey"},
		{"ES384", base + "&Audience.member.1=a&SigningAlgorithm=ES384&DurationSeconds=3600", 200, "<Expiration>"},
		{"no audience", base + "&SigningAlgorithm=RS256", 400, "Value null at 'audience'"},
		{"no algorithm", base + "&Audience.member.1=a", 400, "Value null at 'signingAlgorithm'"},
		{"HS256", base + "&Audience.member.1=a&SigningAlgorithm=HS256", 400, "enum value set: [RS256, ES384]"},
		{"too short", base + "&Audience.member.1=a&SigningAlgorithm=RS256&DurationSeconds=59", 400, "between 60 and 3600"},
		{"too long", base + "&Audience.member.1=a&SigningAlgorithm=RS256&DurationSeconds=3601", 400, "between 60 and 3600"},
		{"two problems", base, 400, "2 validation errors detected"},
		{"other action", "Action=AssumeRole&Version=2011-06-15", 400, "<Code>InvalidAction</Code>"},
		{"other version", "Action=GetWebIdentityToken&Version=2010-01-01", 400, "<Code>InvalidAction</Code>"},
	}
	h := tenant.STS.handler()
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			w := httptest.NewRecorder()
			h.ServeHTTP(w, signedSTS(t, tenant, tc.body))
			if w.Code != tc.wantStatus || !strings.Contains(html.UnescapeString(w.Body.String()), tc.wantInBody) {
				t.Errorf("status %d %s, want %d with %q", w.Code, w.Body, tc.wantStatus, tc.wantInBody)
			}
			if w.Header().Get("x-amzn-RequestId") == "" {
				t.Errorf("no x-amzn-RequestId")
			}
		})
	}
}

func TestSTSRegion(t *testing.T) {
	for host, want := range map[string]string{
		"sts.eu-west-1.amazonaws.com": "eu-west-1", "sts.cn-north-1.amazonaws.com.cn": "cn-north-1",
		"sts.amazonaws.com": "", "sts.moon-1.amazonaws.com": "", "sts.cn-north-1.amazonaws.com": "", "sts.eu-west-1.amazonaws.com.cn": "",
	} {
		if got, ok := stsRegion(host); got != want && ok || ok != (want != "") {
			t.Errorf("stsRegion(%q) = %q, %v; want %q", host, got, ok, want)
		}
	}
}
