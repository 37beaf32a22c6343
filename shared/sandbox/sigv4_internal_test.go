package sandbox

import (
	"html"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// Vectors of AWS's published SigV4 test suite (aws-sig-v4-test-suite): the
// verifier must accept exactly these signatures.
func TestSigV4VerifierAcceptsTheAWSSuite(t *testing.T) {
	const secret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
	tests := []struct {
		name, method, target, contentType, body, signed, signature string
	}{
		{"get-vanilla", "GET", "/", "", "", "host;x-amz-date", "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"},
		{"post-vanilla", "POST", "/", "", "", "host;x-amz-date", "5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b"},
		{"get-vanilla-query-order-key-case", "GET", "/?Param2=value2&Param1=value1", "", "", "host;x-amz-date", "b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500"},
		{"post-x-www-form-urlencoded", "POST", "/", "application/x-www-form-urlencoded", "Param1=value1", "content-type;host;x-amz-date", "ff11897932ad3f4e8b18135d722051e5ac45fc38421b1da7b9d196a0fe09473a"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := httptest.NewRequest(tc.method, "https://example.amazonaws.com"+tc.target, strings.NewReader(tc.body))
			r.Header = http.Header{}
			if tc.contentType != "" {
				r.Header.Set("Content-Type", tc.contentType)
			}
			r.Header.Set("X-Amz-Date", "20150830T123600Z")
			r.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders="+tc.signed+", Signature="+tc.signature)
			a, err := parseSigV4(r)
			if err != nil {
				t.Fatalf("parseSigV4: %v", err)
			}
			if !a.verify(r, []byte(tc.body), secret) {
				t.Errorf("verify rejects the suite's signature")
			}
			if a.verify(r, []byte(tc.body+"x"), secret) || a.verify(r, []byte(tc.body), secret+"x") {
				t.Errorf("verify accepts a changed body or secret")
			}
			r.Host = "evil.example"
			if a.verify(r, []byte(tc.body), secret) {
				t.Errorf("verify accepts a changed host")
			}
		})
	}
}

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
	a := sigV4Auth{accessKeyID: tenant.aws.accessKeyID, date: now.Format("20060102"), region: "eu-west-1", service: "sts",
		signedHeaders: []string{"content-type", "host", "x-amz-date", "x-amz-security-token"}, amzDate: now.Truncate(time.Second)}
	sig, _ := a.expected(r, []byte(body), tenant.aws.secretAccessKey)
	r.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential="+a.accessKeyID+"/"+a.date+"/eu-west-1/sts/aws4_request, SignedHeaders="+
		strings.Join(a.signedHeaders, ";")+", Signature="+sig)
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
