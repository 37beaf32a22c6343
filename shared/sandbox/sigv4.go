package sandbox

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

// sigV4Auth is the parsed Authorization header of a SigV4-signed request
// (header form, AWS4-HMAC-SHA256).
type sigV4Auth struct {
	accessKeyID   string
	date          string // yyyymmdd of the credential scope
	region        string
	service       string
	signedHeaders []string
	signature     string
	amzDate       time.Time // X-Amz-Date
}

var errNoSigV4 = errors.New("no SigV4 Authorization header")

// parseSigV4 reads the Authorization and X-Amz-Date headers. Errors name
// what a service would complain about; they never include the signature.
func parseSigV4(r *http.Request) (sigV4Auth, error) {
	raw := r.Header.Get("Authorization")
	if raw == "" {
		return sigV4Auth{}, errNoSigV4
	}
	rest, ok := strings.CutPrefix(raw, "AWS4-HMAC-SHA256 ")
	if !ok {
		return sigV4Auth{}, errors.New("unsupported signing algorithm")
	}
	fields := map[string]string{}
	for _, part := range strings.Split(rest, ",") {
		k, v, _ := strings.Cut(strings.TrimSpace(part), "=")
		fields[k] = v
	}
	scope := strings.Split(fields["Credential"], "/")
	if len(scope) != 5 || scope[4] != "aws4_request" || scope[0] == "" {
		return sigV4Auth{}, errors.New("malformed Credential in the Authorization header")
	}
	a := sigV4Auth{
		accessKeyID: scope[0], date: scope[1], region: scope[2], service: scope[3],
		signedHeaders: strings.Split(fields["SignedHeaders"], ";"), signature: fields["Signature"],
	}
	if a.signature == "" || fields["SignedHeaders"] == "" {
		return sigV4Auth{}, errors.New("the Authorization header lacks SignedHeaders or Signature")
	}
	if !slices.IsSorted(a.signedHeaders) || !slices.Contains(a.signedHeaders, "host") {
		return sigV4Auth{}, errors.New("SignedHeaders must be sorted and include host")
	}
	t, err := time.Parse("20060102T150405Z", r.Header.Get("X-Amz-Date"))
	if err != nil || !slices.Contains(a.signedHeaders, "x-amz-date") {
		return sigV4Auth{}, errors.New("the request must carry a signed X-Amz-Date")
	}
	if t.Format("20060102") != a.date {
		return sigV4Auth{}, errors.New("the credential scope date is not the date of X-Amz-Date")
	}
	a.amzDate = t
	return a, nil
}

// verify recomputes the signature of r with body from secret. It is
// written from the SigV4 specification, independently of any signer in
// this module, so a signer bug cannot hide behind a matching verifier bug.
func (a sigV4Auth) verify(r *http.Request, body []byte, secret string) bool {
	want, ok := a.expected(r, body, secret)
	return ok && hmac.Equal([]byte(want), []byte(a.signature))
}

// expected is the signature r must carry; false when a signed header is
// missing or the declared payload hash is wrong.
func (a sigV4Auth) expected(r *http.Request, body []byte, secret string) (string, bool) {
	var canon strings.Builder
	canon.WriteString(r.Method + "\n")
	canon.WriteString(sigV4Path(r.URL.Path) + "\n")
	canon.WriteString(sigV4Query(r.URL.Query()) + "\n")
	for _, name := range a.signedHeaders {
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
	canon.WriteString("\n" + strings.Join(a.signedHeaders, ";") + "\n" + payload)

	canonSum := sha256.Sum256([]byte(canon.String()))
	scope := a.date + "/" + a.region + "/" + a.service + "/aws4_request"
	toSign := "AWS4-HMAC-SHA256\n" + a.amzDate.Format("20060102T150405Z") + "\n" + scope + "\n" + hex.EncodeToString(canonSum[:])
	key := []byte("AWS4" + secret)
	for _, part := range []string{a.date, a.region, a.service, "aws4_request"} {
		key = hmacSum(key, part)
	}
	return hex.EncodeToString(hmacSum(key, toSign)), true
}

func hmacSum(key []byte, data string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(data))
	return m.Sum(nil)
}

// sigV4Path is the canonical URI: each segment of the path URI-encoded.
func sigV4Path(p string) string {
	if p == "" {
		return "/"
	}
	segments := strings.Split(p, "/")
	for i, s := range segments {
		segments[i] = sigV4Escape(s)
	}
	return strings.Join(segments, "/")
}

// sigV4Query is the canonical query string: encoded pairs sorted by name,
// then value.
func sigV4Query(q url.Values) string {
	var pairs []string
	for k, vs := range q {
		for _, v := range vs {
			pairs = append(pairs, sigV4Escape(k)+"="+sigV4Escape(v))
		}
	}
	slices.Sort(pairs)
	return strings.Join(pairs, "&")
}

// sigV4Escape percent-encodes every byte but the RFC 3986 unreserved ones.
func sigV4Escape(s string) string {
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
