package sandbox

import (
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/entra-tools/reprocess/shared/sigv4/sigv4test"
)

// STSServer emulates the regional AWS STS endpoints
// (https://sts.<region>.amazonaws.com) for GetWebIdentityToken, the call of
// IAM outbound identity federation, and the account's federation issuer
// (AWSIssuer: OpenID metadata and JWKS) that Entra checks the tokens
// against. Requests must be SigV4-signed with the role session AWSEnv
// hands out.
type STSServer struct {
	t    *Tenant
	keys *webIdentityKeys

	mu       sync.Mutex
	disabled bool
}

// SetFederationEnabled turns the account's outbound identity federation
// off (GetWebIdentityToken answers OutboundWebIdentityFederationDisabledException)
// or on again.
func (s *STSServer) SetFederationEnabled(enabled bool) {
	s.mu.Lock()
	s.disabled = !enabled
	s.mu.Unlock()
}

func (s *STSServer) federationDisabled() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.disabled
}

// maxSkew is how far X-Amz-Date may be from the server's clock.
const maxSkew = 5 * time.Minute

// handler serves the Query API at / of a regional endpoint.
func (s *STSServer) handler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("x-amzn-RequestId", newGUID())
		region, _ := stsRegion(hostOnly(r.Host))
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 64<<10))
		if err != nil {
			stsError(w, http.StatusRequestEntityTooLarge, "Sender", "RequestEntityTooLarge", "The request body is too large.")
			return
		}
		if !s.authenticate(w, r, body, region) {
			return
		}
		params := r.URL.Query()
		if r.Method == http.MethodPost {
			form, err := url.ParseQuery(string(body))
			if err != nil {
				stsError(w, http.StatusBadRequest, "Sender", "MalformedQueryString", "The request body is not a valid form.")
				return
			}
			for k, vs := range form {
				params[k] = append(params[k], vs...)
			}
		}
		if action, version := params.Get("Action"), params.Get("Version"); action != "GetWebIdentityToken" || version != "2011-06-15" {
			stsError(w, http.StatusBadRequest, "Sender", "InvalidAction",
				fmt.Sprintf("Could not find operation %s for version %s", truncate(action, 64), truncate(version, 16)))
			return
		}
		s.getWebIdentityToken(w, params, region)
	})
}

// authenticate checks the SigV4 signature and the session token as STS
// does, and writes its error when they fail.
func (s *STSServer) authenticate(w http.ResponseWriter, r *http.Request, body []byte, region string) bool {
	auth, err := sigv4test.Parse(r)
	switch {
	case err == sigv4test.ErrNoSignature:
		stsError(w, http.StatusForbidden, "Sender", "MissingAuthenticationToken", "Request is missing Authentication Token")
		return false
	case err != nil:
		stsError(w, http.StatusBadRequest, "Sender", "IncompleteSignature", err.Error())
		return false
	}
	session := s.t.aws
	if auth.AccessKeyID != session.accessKeyID || r.Header.Get("X-Amz-Security-Token") != session.sessionToken {
		stsError(w, http.StatusForbidden, "Sender", "InvalidClientTokenId", "The security token included in the request is invalid.")
		return false
	}
	if auth.Region != region {
		stsError(w, http.StatusForbidden, "Sender", "SignatureDoesNotMatch", "Credential should be scoped to a valid region.")
		return false
	}
	if auth.Service != "sts" {
		stsError(w, http.StatusForbidden, "Sender", "SignatureDoesNotMatch", "Credential should be scoped to correct service: 'sts'.")
		return false
	}
	now := time.Now().UTC()
	const stamp = "20060102T150405Z"
	if auth.AmzDate.Before(now.Add(-maxSkew)) {
		stsError(w, http.StatusForbidden, "Sender", "SignatureDoesNotMatch", fmt.Sprintf(
			"Signature expired: %s is now earlier than %s (%s - 5 min.)", auth.AmzDate.Format(stamp), now.Add(-maxSkew).Format(stamp), now.Format(stamp)))
		return false
	}
	if auth.AmzDate.After(now.Add(maxSkew)) {
		stsError(w, http.StatusForbidden, "Sender", "SignatureDoesNotMatch", fmt.Sprintf(
			"Signature not yet current: %s is still later than %s (%s + 5 min.)", auth.AmzDate.Format(stamp), now.Add(maxSkew).Format(stamp), now.Format(stamp)))
		return false
	}
	if !auth.Verify(r, body, session.secretAccessKey) {
		stsError(w, http.StatusForbidden, "Sender", "SignatureDoesNotMatch",
			"The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.")
		return false
	}
	return true
}

// getWebIdentityToken validates the parameters as the API reference
// describes them and issues the token.
func (s *STSServer) getWebIdentityToken(w http.ResponseWriter, p url.Values, region string) {
	if s.federationDisabled() {
		stsError(w, http.StatusBadRequest, "Sender", "OutboundWebIdentityFederationDisabledException",
			"Outbound web identity federation is not enabled for this account.")
		return
	}
	var audiences []string
	for i := 1; p.Has("Audience.member." + strconv.Itoa(i)); i++ {
		audiences = append(audiences, p.Get("Audience.member."+strconv.Itoa(i)))
	}
	alg := p.Get("SigningAlgorithm")
	duration := 300
	var problems []string
	switch {
	case len(audiences) == 0:
		problems = append(problems, "Value null at 'audience' failed to satisfy constraint: Member must not be null")
	case len(audiences) > 10:
		problems = append(problems, "Value at 'audience' failed to satisfy constraint: Member must have length less than or equal to 10")
	}
	for _, a := range audiences {
		if a == "" || len(a) > 1000 {
			problems = append(problems, "Value at 'audience' failed to satisfy constraint: Member must have length between 1 and 1000")
			break
		}
	}
	switch {
	case alg == "":
		problems = append(problems, "Value null at 'signingAlgorithm' failed to satisfy constraint: Member must not be null")
	case !slices.Contains([]string{"RS256", "ES384"}, alg):
		problems = append(problems, fmt.Sprintf("Value '%s' at 'signingAlgorithm' failed to satisfy constraint: Member must satisfy enum value set: [RS256, ES384]", truncate(alg, 16)))
	}
	if v := p.Get("DurationSeconds"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 60 || n > 3600 {
			problems = append(problems, fmt.Sprintf("Value '%s' at 'durationSeconds' failed to satisfy constraint: Member must have value between 60 and 3600", truncate(v, 16)))
		}
		duration = n
	}
	if len(problems) > 0 {
		msg := fmt.Sprintf("%d validation error detected: %s", len(problems), problems[0])
		if len(problems) > 1 {
			msg = fmt.Sprintf("%d validation errors detected: %s", len(problems), joinSemicolon(problems))
		}
		stsError(w, http.StatusBadRequest, "Sender", "ValidationError", msg)
		return
	}
	now := time.Now()
	expires := now.Add(time.Duration(duration) * time.Second)
	token := s.keys.mint(WebIdentityTokenOptions{Audience: audiences, Alg: alg, Expiry: expires, region: region}, now)

	type result struct {
		WebIdentityToken string `xml:"WebIdentityToken"`
		Expiration       string `xml:"Expiration"`
	}
	writeXML(w, http.StatusOK, struct {
		XMLName  xml.Name `xml:"https://sts.amazonaws.com/doc/2011-06-15/ GetWebIdentityTokenResponse"`
		Result   result   `xml:"GetWebIdentityTokenResult"`
		Metadata struct {
			RequestID string `xml:"RequestId"`
		} `xml:"ResponseMetadata"`
	}{Result: result{WebIdentityToken: token, Expiration: expires.UTC().Format(time.RFC3339)},
		Metadata: struct {
			RequestID string `xml:"RequestId"`
		}{w.Header().Get("x-amzn-RequestId")}})
}

func joinSemicolon(parts []string) string {
	out := parts[0]
	for _, p := range parts[1:] {
		out += "; " + p
	}
	return out
}

// stsError writes STS's XML error body.
func stsError(w http.ResponseWriter, status int, typ, code, message string) {
	type detail struct {
		Type    string `xml:"Type"`
		Code    string `xml:"Code"`
		Message string `xml:"Message"`
	}
	writeXML(w, status, struct {
		XMLName   xml.Name `xml:"https://sts.amazonaws.com/doc/2011-06-15/ ErrorResponse"`
		Error     detail   `xml:"Error"`
		RequestID string   `xml:"RequestId"`
	}{Error: detail{typ, code, message}, RequestID: w.Header().Get("x-amzn-RequestId")})
}

func writeXML(w http.ResponseWriter, status int, v any) {
	if w.Header().Get("x-amzn-RequestId") == "" {
		w.Header().Set("x-amzn-RequestId", newGUID())
	}
	body, err := xml.Marshal(v)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/xml")
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	_, _ = w.Write(body)
}
