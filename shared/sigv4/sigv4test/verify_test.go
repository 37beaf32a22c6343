package sigv4test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
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
			a, err := Parse(r)
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if !a.Verify(r, []byte(tc.body), secret) {
				t.Errorf("verify rejects the suite's signature")
			}
			if a.Verify(r, []byte(tc.body+"x"), secret) || a.Verify(r, []byte(tc.body), secret+"x") {
				t.Errorf("verify accepts a changed body or secret")
			}
			r.Host = "evil.example"
			if a.Verify(r, []byte(tc.body), secret) {
				t.Errorf("verify accepts a changed host")
			}
		})
	}
}
