package awssts

import (
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/entra-tools/reprocess/shared/sigv4"
)

// AzureADAudience is the audience Entra requires of a federated assertion.
const AzureADAudience = "api://AzureADTokenExchange"

// DefaultDuration is the token lifetime asked of STS when Config.Duration is
// zero; STS allows 60 s to 1 h.
const DefaultDuration = 5 * time.Minute

// Config holds what NewTokenSource needs; the caller reads it from the
// environment.
type Config struct {
	Region      string                  // AWS_REGION; STS has no global endpoint for this call
	Credentials aws.CredentialsProvider // the process's chain (awscreds)

	// EndpointURLSTS and EndpointURL override the regional endpoint
	// https://sts.<region>.amazonaws.com, in that order (AWS_ENDPOINT_URL_STS,
	// AWS_ENDPOINT_URL).
	EndpointURLSTS string
	EndpointURL    string

	Audience   string        // zero means AzureADAudience
	Duration   time.Duration // zero means DefaultDuration
	HTTPClient *http.Client  // required

	Now func() time.Time // zero means time.Now; for tests
}

// TokenSource gets and caches STS web identity tokens. It is safe for
// concurrent use.
type TokenSource struct {
	endpoint string
	region   string
	creds    aws.CredentialsProvider
	audience string
	duration time.Duration
	client   *http.Client
	now      func() time.Time

	lock      chan struct{} // held while reading or refreshing the cache
	token     string
	refreshAt time.Time
}

// NewTokenSource checks cfg and returns a TokenSource. It makes no call.
func NewTokenSource(cfg Config) (*TokenSource, error) {
	var problems []string
	if cfg.Region == "" {
		problems = append(problems, "region is empty")
	}
	if cfg.Credentials == nil {
		problems = append(problems, "no AWS credentials (access key or container endpoint)")
	}
	if cfg.HTTPClient == nil {
		problems = append(problems, "no HTTP client")
	}
	if cfg.Duration == 0 {
		cfg.Duration = DefaultDuration
	}
	if cfg.Duration < time.Minute || cfg.Duration > time.Hour {
		problems = append(problems, fmt.Sprintf("duration %v is outside 1m–1h", cfg.Duration))
	}
	endpoint, err := resolveEndpoint(cfg.EndpointURLSTS, cfg.EndpointURL, cfg.Region)
	if err != nil {
		problems = append(problems, err.Error())
	}
	if len(problems) > 0 {
		return nil, errors.New("awssts: " + strings.Join(problems, "; "))
	}
	if cfg.Audience == "" {
		cfg.Audience = AzureADAudience
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return &TokenSource{
		endpoint: endpoint, region: cfg.Region, creds: cfg.Credentials, audience: cfg.Audience,
		duration: cfg.Duration, client: cfg.HTTPClient, now: cfg.Now, lock: make(chan struct{}, 1),
	}, nil
}

// Token returns a web identity token, from the cache while it has more than
// a minute left (or half its lifetime, if shorter). Its signature is that of
// the getAssertion callback of azidentity.NewClientAssertionCredential.
// Concurrent callers share one STS call.
func (s *TokenSource) Token(ctx context.Context) (string, error) {
	select {
	case s.lock <- struct{}{}:
	case <-ctx.Done():
		return "", ctx.Err()
	}
	defer func() { <-s.lock }()
	if s.token != "" && s.now().Before(s.refreshAt) {
		return s.token, nil
	}
	token, expires, err := s.fetch(ctx)
	if err != nil {
		return "", err
	}
	s.token = token
	s.refreshAt = expires.Add(-min(time.Minute, s.duration/2))
	return token, nil
}

// fetch calls GetWebIdentityToken.
func (s *TokenSource) fetch(ctx context.Context) (string, time.Time, error) {
	body := []byte(url.Values{
		"Action":            {"GetWebIdentityToken"},
		"Version":           {"2011-06-15"},
		"Audience.member.1": {s.audience},
		"SigningAlgorithm":  {"RS256"},
		"DurationSeconds":   {strconv.Itoa(int(s.duration / time.Second))},
	}.Encode())
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.endpoint, bytes.NewReader(body))
	if err != nil {
		return "", time.Time{}, fmt.Errorf("awssts: %w", err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
	creds, err := s.creds.Retrieve(ctx)
	if err != nil {
		return "", time.Time{}, fmt.Errorf("awssts: GetWebIdentityToken: %w", err)
	}
	now := s.now()
	sigv4.Sign(req, body, sigv4.Credentials{AccessKeyID: creds.AccessKeyID, SecretAccessKey: creds.SecretAccessKey, SessionToken: creds.SessionToken},
		s.region, "sts", now)

	resp, err := s.client.Do(req)
	if err != nil {
		return "", time.Time{}, fmt.Errorf("awssts: GetWebIdentityToken: %w", err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return "", time.Time{}, fmt.Errorf("awssts: GetWebIdentityToken: reading the response: %w", err)
	}
	if resp.StatusCode != http.StatusOK {
		return "", time.Time{}, parseError(resp.StatusCode, raw)
	}
	var out struct {
		Result struct {
			WebIdentityToken string `xml:"WebIdentityToken"`
			Expiration       string `xml:"Expiration"`
		} `xml:"GetWebIdentityTokenResult"`
	}
	if err := xml.Unmarshal(raw, &out); err != nil || out.Result.WebIdentityToken == "" {
		return "", time.Time{}, fmt.Errorf("awssts: GetWebIdentityToken: the response has no token (%d bytes)", len(raw))
	}
	expires, err := time.Parse(time.RFC3339, out.Result.Expiration)
	if err != nil {
		// The lifetime asked for, counted from before the call, is a safe
		// lower bound.
		expires = now.Add(s.duration)
	}
	return out.Result.WebIdentityToken, expires, nil
}

// APIError is an error answer of STS.
type APIError struct {
	StatusCode int
	Code       string // e.g. AccessDenied, OutboundWebIdentityFederationDisabledException
	Message    string
	RequestID  string
}

func (e *APIError) Error() string {
	return fmt.Sprintf("awssts: GetWebIdentityToken: HTTP %d %s: %s (request id %s)", e.StatusCode, e.Code, e.Message, e.RequestID)
}

func parseError(status int, raw []byte) error {
	var out struct {
		Error struct {
			Code    string `xml:"Code"`
			Message string `xml:"Message"`
		} `xml:"Error"`
		RequestID string `xml:"RequestId"`
	}
	_ = xml.Unmarshal(raw, &out) // a body that is no ErrorResponse leaves the fields empty
	return &APIError{StatusCode: status, Code: out.Error.Code, Message: out.Error.Message, RequestID: out.RequestID}
}

// resolveEndpoint picks the STS endpoint: an explicit one, else the
// region's.
func resolveEndpoint(stsURL, anyURL, region string) (string, error) {
	raw := stsURL
	if raw == "" {
		raw = anyURL
	}
	if raw == "" {
		if region == "" {
			return "", nil // reported by the caller
		}
		suffix := "amazonaws.com"
		if strings.HasPrefix(region, "cn-") {
			suffix = "amazonaws.com.cn"
		}
		return "https://sts." + region + "." + suffix + "/", nil
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return "", fmt.Errorf("endpoint URL %q is not an http(s) URL", raw)
	}
	if u.Path == "" {
		u.Path = "/"
	}
	return u.String(), nil
}
