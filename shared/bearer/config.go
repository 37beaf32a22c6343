package bearer

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/entra-tools/reprocess/shared/assignment"
)

// Config says which tokens to accept. The zero values of the optional
// fields take the defaults noted.
type Config struct {
	// TenantID is the tenant's GUID; issuer and tid must name it.
	TenantID string
	// Audiences are the exact aud values accepted: the API's client id for
	// v2 tokens (AUTH_AUDIENCE); add its App ID URI only on purpose.
	Audiences []string
	// RequiredRole is the app role the token's roles claim must carry
	// (AUTH_REQUIRED_ROLE).
	RequiredRole string

	// AuthorityHost is the Entra login host; default
	// https://login.microsoftonline.com. It gives the issuer and key URL.
	AuthorityHost string
	// Issuer overrides <AuthorityHost>/<TenantID>/v2.0 where a cloud's
	// issuer host differs from its login host.
	Issuer string
	// HTTPClient fetches the keys; default a client with FetchTimeout.
	// Tests pass one that trusts their TLS server.
	HTTPClient *http.Client
	// FetchTimeout bounds one key fetch; default 5s.
	FetchTimeout time.Duration
	// Leeway is the clock skew allowed on exp, nbf and iat; default and
	// maximum one minute.
	Leeway time.Duration
}

const (
	defaultAuthorityHost = "https://login.microsoftonline.com"
	defaultFetchTimeout  = 5 * time.Second
	maxLeeway            = time.Minute
)

// resolved is a validated Config with the defaults applied.
type resolved struct {
	tenant, issuer, keysURL, role string
	audiences                     []string
	client                        *http.Client
	fetchTimeout, leeway          time.Duration
}

// resolve checks cfg and reports every problem at once.
func (cfg Config) resolve() (resolved, error) {
	var errs []error
	r := resolved{
		tenant:       strings.ToLower(cfg.TenantID),
		role:         cfg.RequiredRole,
		audiences:    cfg.Audiences,
		client:       cfg.HTTPClient,
		fetchTimeout: cfg.FetchTimeout,
		leeway:       cfg.Leeway,
	}
	if _, err := assignment.ParseID(r.tenant); err != nil { // the same GUID syntax
		errs = append(errs, errors.New("tenant id must be the tenant's GUID (the issuer names it so)"))
	}
	if len(r.audiences) == 0 {
		errs = append(errs, errors.New("no audience configured"))
	}
	for _, a := range r.audiences {
		if a == "" || strings.ContainsAny(a, " \t\r\n") {
			errs = append(errs, fmt.Errorf("audience %q is empty or has spaces", a))
		}
	}
	if r.role == "" {
		errs = append(errs, errors.New("no required app role configured"))
	}
	host := cfg.AuthorityHost
	if host == "" {
		host = defaultAuthorityHost
	}
	host = strings.TrimRight(host, "/")
	if u, err := url.Parse(host); err != nil || u.Scheme != "https" || u.Host == "" || u.RawQuery != "" {
		errs = append(errs, fmt.Errorf("authority host %q is not an https URL", cfg.AuthorityHost))
	}
	r.issuer = cfg.Issuer
	if r.issuer == "" {
		r.issuer = host + "/" + r.tenant + "/v2.0"
	}
	r.keysURL = host + "/" + r.tenant + "/discovery/v2.0/keys"
	if r.fetchTimeout == 0 {
		r.fetchTimeout = defaultFetchTimeout
	}
	if r.fetchTimeout < 0 {
		errs = append(errs, errors.New("fetch timeout is negative"))
	}
	if r.leeway == 0 {
		r.leeway = maxLeeway
	}
	if r.leeway < 0 || r.leeway > maxLeeway {
		errs = append(errs, fmt.Errorf("leeway %s is outside 0 to %s", cfg.Leeway, maxLeeway))
	}
	if r.client == nil {
		r.client = &http.Client{Timeout: r.fetchTimeout}
	}
	if len(errs) > 0 {
		return resolved{}, fmt.Errorf("bearer: %w", errors.Join(errs...))
	}
	return r, nil
}
