package awssts

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
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
			sign(r, []byte(c.body), c.creds, "us-east-1", "service", suiteTime)
			want := "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=" +
				c.wantSignedHeaders + ", Signature=" + c.wantSignature
			if got := r.Header.Get("Authorization"); got != want {
				t.Errorf("Authorization = %q,\nwant %q", got, want)
			}
			if got := r.Header.Get("X-Amz-Date"); got != "20150830T123600Z" {
				t.Errorf("X-Amz-Date = %q", got)
			}
			if err := verifySigV4(r, []byte(c.body), c.creds.SecretAccessKey); err != nil {
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
		sign(r, []byte(c.body), c.creds, "us-east-1", "service", suiteTime)
		if err := verifySigV4(r, tamper(r), c.creds.SecretAccessKey); err == nil {
			t.Errorf("verifySigV4 accepts a request with a changed %s", name)
		}
	}
}

// verifySigV4 checks r's signature the way a service does: from the signed
// header list in Authorization, independently of sign.
func verifySigV4(r *http.Request, body []byte, secret string) error {
	auth, ok := strings.CutPrefix(r.Header.Get("Authorization"), "AWS4-HMAC-SHA256 ")
	if !ok {
		return errors.New("no SigV4 Authorization header")
	}
	fields := map[string]string{}
	for _, part := range strings.Split(auth, ", ") {
		k, v, _ := strings.Cut(part, "=")
		fields[k] = v
	}
	scope := strings.SplitN(fields["Credential"], "/", 2)
	if len(scope) != 2 {
		return errors.New("malformed Credential")
	}
	scopeParts := strings.Split(scope[1], "/") // date/region/service/aws4_request
	if len(scopeParts) != 4 || scopeParts[3] != "aws4_request" {
		return errors.New("malformed credential scope")
	}
	amzDate := r.Header.Get("X-Amz-Date")
	if !strings.HasPrefix(amzDate, scopeParts[0]) {
		return errors.New("X-Amz-Date does not match the credential scope")
	}
	signed := strings.Split(fields["SignedHeaders"], ";")
	if !slices.IsSorted(signed) || !slices.Contains(signed, "host") {
		return errors.New("signed headers not sorted or without host")
	}
	var canon strings.Builder
	canon.WriteString(r.Method + "\n/\n")
	q, _ := url.ParseQuery(r.URL.RawQuery)
	var pairs []string
	for k, vs := range q {
		for _, v := range vs {
			pairs = append(pairs, url.QueryEscape(k)+"="+url.QueryEscape(v))
		}
	}
	slices.Sort(pairs)
	canon.WriteString(strings.Join(pairs, "&") + "\n")
	for _, h := range signed {
		v := r.Header.Get(h)
		if h == "host" {
			v = r.Host
		}
		canon.WriteString(h + ":" + strings.TrimSpace(v) + "\n")
	}
	bodySum := sha256.Sum256(body)
	canon.WriteString("\n" + fields["SignedHeaders"] + "\n" + hex.EncodeToString(bodySum[:]))
	canonSum := sha256.Sum256([]byte(canon.String()))
	toSign := "AWS4-HMAC-SHA256\n" + amzDate + "\n" + scope[1] + "\n" + hex.EncodeToString(canonSum[:])
	key := []byte("AWS4" + secret)
	for _, p := range append(scopeParts[:3:3], "aws4_request") {
		m := hmac.New(sha256.New, key)
		m.Write([]byte(p))
		key = m.Sum(nil)
	}
	m := hmac.New(sha256.New, key)
	m.Write([]byte(toSign))
	if want := hex.EncodeToString(m.Sum(nil)); !hmac.Equal([]byte(want), []byte(fields["Signature"])) {
		return errors.New("signature mismatch")
	}
	return nil
}
