package sigv4

import (
	"github.com/entra-tools/reprocess/shared/sigv4/sigv4test"

	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// The credentials, instant, region and service of AWS's published SigV4 test
// suite (aws-sig-v4-test-suite).
var (
	suiteCreds = Credentials{AccessKeyID: "AKIDEXAMPLE", SecretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"}
	suiteTime  = time.Date(2015, 8, 30, 12, 36, 0, 0, time.UTC)
)

const suiteSessionToken = "AQoDYXdzEPT//////////wEXAMPLEtc764bNrC9SAPBSM22wDOk4x4HIZ8j4FZTwdQWLWsKWHGBuFqwAeMicRXmxfpSPfIeoIYRqTflfKD8YUuwthAx7mSEI/qkPpKPi/kMcGdQrmGdeehM4IC1NtBmUpp2wUE8phUZampKsburEDy0KPkyQDYwT7WZ0wq5VSXDvp75YU9HFvlRd8Tx6q6fE8YQcHNVXAkiY9q6d+xo0rKwT38xVqr7ZD0u0iPPkUL64lIZbqBAz+scqKmlzm8FDrypNC9Yjc8fPOLn9FX9KSYvKTr4rvx3iSIlTJabIQwj2ICCR/oLxBA=="

type suiteCase struct {
	name, method, target, contentType, body string
	creds                                   Credentials
	wantSignedHeaders, wantSignature        string
}

var suiteCases = []suiteCase{
	{name: "get-vanilla", method: "GET", target: "/", creds: suiteCreds,
		wantSignedHeaders: "host;x-amz-date", wantSignature: "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"},
	{name: "post-vanilla", method: "POST", target: "/", creds: suiteCreds,
		wantSignedHeaders: "host;x-amz-date", wantSignature: "5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b"},
	{name: "get-vanilla-query-order-key-case", method: "GET", target: "/?Param2=value2&Param1=value1", creds: suiteCreds,
		wantSignedHeaders: "host;x-amz-date", wantSignature: "b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500"},
	{name: "post-x-www-form-urlencoded", method: "POST", target: "/", contentType: "application/x-www-form-urlencoded",
		body: "Param1=value1", creds: suiteCreds,
		wantSignedHeaders: "content-type;host;x-amz-date", wantSignature: "ff11897932ad3f4e8b18135d722051e5ac45fc38421b1da7b9d196a0fe09473a"},
	{name: "post-sts-token/post-sts-header-before", method: "POST", target: "/",
		creds:             Credentials{AccessKeyID: suiteCreds.AccessKeyID, SecretAccessKey: suiteCreds.SecretAccessKey, SessionToken: suiteSessionToken},
		wantSignedHeaders: "host;x-amz-date;x-amz-security-token", wantSignature: "85d96828115b5dc0cfc3bd16ad9e210dd772bbebba041836c64533a82be05ead"},
}

func (c suiteCase) request() *http.Request {
	r := httptest.NewRequest(c.method, "https://example.amazonaws.com"+c.target, strings.NewReader(c.body))
	r.Header = http.Header{}
	if c.contentType != "" {
		r.Header.Set("Content-Type", c.contentType)
	}
	return r
}

func TestSignMatchesTheAWSTestSuite(t *testing.T) {
	for _, c := range suiteCases {
		t.Run(c.name, func(t *testing.T) {
			r := c.request()
			Sign(r, []byte(c.body), c.creds, "us-east-1", "service", suiteTime)
			want := "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=" +
				c.wantSignedHeaders + ", Signature=" + c.wantSignature
			if got := r.Header.Get("Authorization"); got != want {
				t.Errorf("Authorization = %q,\nwant %q", got, want)
			}
			if got := r.Header.Get("X-Amz-Date"); got != "20150830T123600Z" {
				t.Errorf("X-Amz-Date = %q", got)
			}
			if err := sigv4test.Verify(r, []byte(c.body), c.creds.SecretAccessKey); err != nil {
				t.Errorf("the test's own verifier rejects the suite request: %v", err)
			}
		})
	}
}

func TestCanonicalRequestOfTheFormVector(t *testing.T) {
	c := suiteCases[3]
	r := c.request()
	r.Header.Set("X-Amz-Date", "20150830T123600Z")
	got, _ := canonicalRequest(r, []byte(c.body))
	want := "POST\n/\n\ncontent-type:application/x-www-form-urlencoded\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\n" +
		"content-type;host;x-amz-date\n9095672bbd1f56dfc5b65f3e153adc8731a4a654192329106275f4c7b24d0b6e"
	if got != want {
		t.Errorf("canonical request =\n%s\nwant\n%s", got, want)
	}
	sts := stringToSign("20150830T123600Z", "20150830/us-east-1/service/aws4_request", got)
	if !strings.HasSuffix(string(sts), "\n42a5e5bb34198acb3e84da4f085bb7927f2bc277ca766e6d19c73c2154021281") {
		t.Errorf("string to sign =\n%s\nwant the suite's hash of the canonical request", sts)
	}
}

func TestVerifierRejectsTampering(t *testing.T) {
	c := suiteCases[3]
	for name, tamper := range map[string]func(r *http.Request) []byte{
		"body":         func(r *http.Request) []byte { return []byte("Param1=value2") },
		"signed value": func(r *http.Request) []byte { r.Header.Set("Content-Type", "text/plain"); return []byte(c.body) },
		"host":         func(r *http.Request) []byte { r.Host = "evil.example"; return []byte(c.body) },
	} {
		r := c.request()
		Sign(r, []byte(c.body), c.creds, "us-east-1", "service", suiteTime)
		if err := sigv4test.Verify(r, tamper(r), c.creds.SecretAccessKey); err == nil {
			t.Errorf("Verify accepts a request with a changed %s", name)
		}
	}
}
