// Package sigv4test holds an independent SigV4 verifier, for the tests of
// the signer and for the sandbox's AWS services: it recomputes a request's
// signature from the specification, not with package sigv4's code, so a
// signer bug cannot hide behind a matching verifier bug. AWS's published
// test suite pins it (verify_test.go).
package sigv4test

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"
)

// Verify checks r's signature the way a service does, from the signed
// header list in its Authorization header.
func Verify(r *http.Request, body []byte, secret string) error {
	a, err := Parse(r)
	if err != nil {
		return err
	}
	if !a.Verify(r, body, secret) {
		return errors.New("signature mismatch")
	}
	return nil
}

// Auth is the parsed Authorization header of a SigV4-signed request
// (header form, AWS4-HMAC-SHA256).
type Auth struct {
	AccessKeyID   string
	Date          string // yyyymmdd of the credential scope
	Region        string
	Service       string
	SignedHeaders []string
	Signature     string
	AmzDate       time.Time // X-Amz-Date
}

// ErrNoSignature is Parse's error for a request without an Authorization
// header.
var ErrNoSignature = errors.New("no SigV4 Authorization header")

// Parse reads the Authorization and X-Amz-Date headers. Errors name
// what a service would complain about; they never include the signature.
func Parse(r *http.Request) (Auth, error) {
	raw := r.Header.Get("Authorization")
	if raw == "" {
		return Auth{}, ErrNoSignature
	}
	rest, ok := strings.CutPrefix(raw, "AWS4-HMAC-SHA256 ")
	if !ok {
		return Auth{}, errors.New("unsupported signing algorithm")
	}
	fields := map[string]string{}
	for _, part := range strings.Split(rest, ",") {
		k, v, _ := strings.Cut(strings.TrimSpace(part), "=")
		fields[k] = v
	}
	scope := strings.Split(fields["Credential"], "/")
	if len(scope) != 5 || scope[4] != "aws4_request" || scope[0] == "" {
		return Auth{}, errors.New("malformed Credential in the Authorization header")
	}
	a := Auth{
		AccessKeyID: scope[0], Date: scope[1], Region: scope[2], Service: scope[3],
		SignedHeaders: strings.Split(fields["SignedHeaders"], ";"), Signature: fields["Signature"],
	}
	if a.Signature == "" || fields["SignedHeaders"] == "" {
		return Auth{}, errors.New("the Authorization header lacks SignedHeaders or Signature")
	}
	if !slices.IsSorted(a.SignedHeaders) || !slices.Contains(a.SignedHeaders, "host") {
		return Auth{}, errors.New("SignedHeaders must be sorted and include host")
	}
	t, err := time.Parse("20060102T150405Z", r.Header.Get("X-Amz-Date"))
	if err != nil || !slices.Contains(a.SignedHeaders, "x-amz-date") {
		return Auth{}, errors.New("the request must carry a signed X-Amz-Date")
	}
	if t.Format("20060102") != a.Date {
		return Auth{}, errors.New("the credential scope date is not the date of X-Amz-Date")
	}
	a.AmzDate = t
	return a, nil
}

// Verify recomputes the signature of r with body from secret. It is
// written from the SigV4 specification, independently of any signer in
// this module, so a signer bug cannot hide behind a matching verifier bug.
func (a Auth) Verify(r *http.Request, body []byte, secret string) bool {
	want, ok := a.Expected(r, body, secret)
	return ok && hmac.Equal([]byte(want), []byte(a.Signature))
}

// Expected is the signature r must carry; false when a signed header is
// missing or the declared payload hash is wrong.
func (a Auth) Expected(r *http.Request, body []byte, secret string) (string, bool) {
	var canon strings.Builder
	canon.WriteString(r.Method + "\n")
	canon.WriteString(canonicalPath(r.URL.Path) + "\n")
	canon.WriteString(canonicalQuery(r.URL.Query()) + "\n")
	for _, name := range a.SignedHeaders {
		var values []string
		if name == "host" {
			values = []string{r.Host}
		} else {
			values = slices.Clone(r.Header.Values(name))
		}
		if len(values) == 0 {
			return "", false // a signed header that is not there
		}
		for i, v := range values {
			values[i] = strings.Join(strings.Fields(v), " ")
		}
		canon.WriteString(name + ":" + strings.Join(values, ",") + "\n")
	}
	bodySum := sha256.Sum256(body)
	payload := hex.EncodeToString(bodySum[:])
	if declared := r.Header.Get("X-Amz-Content-Sha256"); declared != "" && declared != payload {
		return "", false
	}
	canon.WriteString("\n" + strings.Join(a.SignedHeaders, ";") + "\n" + payload)

	canonSum := sha256.Sum256([]byte(canon.String()))
	scope := a.Date + "/" + a.Region + "/" + a.Service + "/aws4_request"
	toSign := "AWS4-HMAC-SHA256\n" + a.AmzDate.Format("20060102T150405Z") + "\n" + scope + "\n" + hex.EncodeToString(canonSum[:])
	key := []byte("AWS4" + secret)
	for _, part := range []string{a.Date, a.Region, a.Service, "aws4_request"} {
		key = hmacSum(key, part)
	}
	return hex.EncodeToString(hmacSum(key, toSign)), true
}

func hmacSum(key []byte, data string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(data))
	return m.Sum(nil)
}

// canonicalPath is the canonical URI: each segment of the path URI-encoded.
func canonicalPath(p string) string {
	if p == "" {
		return "/"
	}
	segments := strings.Split(p, "/")
	for i, s := range segments {
		segments[i] = uriEncode(s)
	}
	return strings.Join(segments, "/")
}

// canonicalQuery is the canonical query string: encoded pairs sorted by name,
// then value.
func canonicalQuery(q url.Values) string {
	var pairs []string
	for k, vs := range q {
		for _, v := range vs {
			pairs = append(pairs, uriEncode(k)+"="+uriEncode(v))
		}
	}
	slices.Sort(pairs)
	return strings.Join(pairs, "&")
}

// uriEncode percent-encodes every byte but the RFC 3986 unreserved ones.
func uriEncode(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'A' <= c && c <= 'Z', 'a' <= c && c <= 'z', '0' <= c && c <= '9', c == '-', c == '_', c == '.', c == '~':
			b.WriteByte(c)
		default:
			b.WriteString("%" + strings.ToUpper(hex.EncodeToString([]byte{c})))
		}
	}
	return b.String()
}
