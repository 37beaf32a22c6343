package secrets

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"sync"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/security/keyvault/azsecrets"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/trace"

	"github.com/entra-tools/reprocess/shared/telemetry"
)

// hostOf is a vault URL's host, for its spans.
func hostOf(raw string) string {
	if u, err := url.Parse(raw); err == nil {
		return u.Host
	}
	return ""
}

// ErrUnavailable is wrapped by every error of a Key Vault read: the vault was
// unreachable, refused the function's identity, or lacks the secret. It is a
// setup or platform fault, never the caller's.
var ErrUnavailable = errors.New("key vault unavailable")

// DefaultTTL is how long a value is served from memory before it is re-read.
const DefaultTTL = time.Hour

// Secret is one version of a secret.
type Secret struct {
	Value       string `json:"-"`
	Version     string
	ContentType string
}

// String never shows the value.
func (s Secret) String() string { return fmt.Sprintf("secret version %s", s.Version) }

// Store reads secrets from one vault.
type Store struct {
	vaultURL  string
	cred      azcore.TokenCredential
	transport policy.Transporter
	ttl       time.Duration
	now       func() time.Time

	clientMu sync.Mutex
	client   *azsecrets.Client

	mu      sync.Mutex
	entries map[entryKey]*entry
}

type entryKey struct {
	name string
	pem  bool
}

type entry struct {
	mu      sync.Mutex // held while reading this name from Key Vault
	secret  Secret
	fetched time.Time
	// The last failed read: callers that were waiting while it ran share
	// its error instead of each asking a failing vault again in turn.
	failed  time.Time
	lastErr error
}

// New returns a store; it makes no request. transport may be nil.
func New(vaultURL string, cred azcore.TokenCredential, transport *http.Client, ttl time.Duration) *Store {
	s := &Store{vaultURL: vaultURL, cred: cred, ttl: ttl, now: time.Now, entries: map[entryKey]*entry{}}
	if transport != nil {
		s.transport = transport
	}
	if s.ttl <= 0 {
		s.ttl = DefaultTTL
	}
	return s
}

// Get returns the latest version of the secret, from memory while it is
// younger than the TTL.
func (s *Store) Get(ctx context.Context, name string) (Secret, error) {
	return s.get(ctx, entryKey{name: name}, false)
}

// GetPEM returns a certificate-backed secret as PEM (private key and
// certificate), asking Key Vault to convert a PFX: azidentity cannot parse
// modern PFX files.
func (s *Store) GetPEM(ctx context.Context, name string) (Secret, error) {
	return s.get(ctx, entryKey{name: name, pem: true}, false)
}

// Refresh reads the latest version now, whatever the cache holds.
func (s *Store) Refresh(ctx context.Context, name string, pem bool) (Secret, error) {
	return s.get(ctx, entryKey{name: name, pem: pem}, true)
}

func (s *Store) get(ctx context.Context, key entryKey, force bool) (Secret, error) {
	s.mu.Lock()
	e := s.entries[key]
	if e == nil {
		e = &entry{}
		s.entries[key] = e
	}
	s.mu.Unlock()

	started := s.now()
	e.mu.Lock()
	defer e.mu.Unlock()
	fresh := !e.fetched.IsZero() && s.now().Sub(e.fetched) < s.ttl
	// A read that finished while we waited counts as a refresh.
	if fresh && (!force || !e.fetched.Before(started)) {
		return e.secret, nil
	}
	err := e.lastErr
	if e.failed.IsZero() || e.failed.Before(started) {
		var sec Secret
		if sec, err = s.read(ctx, key); err == nil {
			e.secret, e.fetched, e.lastErr = sec, s.now(), nil
			return sec, nil
		}
		if errors.Is(err, ErrUnavailable) { // not the caller's own deadline
			e.failed, e.lastErr = s.now(), err
		}
	}
	if !force && !e.fetched.IsZero() {
		return e.secret, nil // stale beats nothing when Key Vault is down
	}
	return Secret{}, err
}

func (s *Store) read(ctx context.Context, key entryKey) (sec Secret, err error) {
	ctx, span := telemetry.Child(ctx, trace.SpanKindClient, "Key Vault GetSecret",
		attribute.String("server.address", hostOf(s.vaultURL)), attribute.String("keyvault.secret.name", key.name))
	defer func() {
		var re *azcore.ResponseError
		if errors.As(err, &re) {
			telemetry.HTTPStatus(span, trace.SpanKindClient, re.StatusCode)
		}
		telemetry.End(span, err)
	}()
	c, err := s.azClient()
	if err != nil {
		return Secret{}, fmt.Errorf("%w: %w", ErrUnavailable, err)
	}
	var opts *azsecrets.GetSecretOptions
	if key.pem {
		pem := azsecrets.ContentTypePEM
		opts = &azsecrets.GetSecretOptions{OutContentType: &pem}
	}
	resp, err := c.GetSecret(ctx, key.name, "", opts)
	if err != nil {
		if ctx.Err() != nil {
			return Secret{}, fmt.Errorf("read secret %q: %w", key.name, ctx.Err())
		}
		return Secret{}, fmt.Errorf("%w: read secret %q: %w", ErrUnavailable, key.name, err)
	}
	if resp.Value == nil {
		return Secret{}, fmt.Errorf("%w: secret %q has no value", ErrUnavailable, key.name)
	}
	sec = Secret{Value: *resp.Value}
	if resp.ID != nil {
		sec.Version = resp.ID.Version()
	}
	if resp.ContentType != nil {
		sec.ContentType = *resp.ContentType
	}
	return sec, nil
}

func (s *Store) azClient() (*azsecrets.Client, error) {
	s.clientMu.Lock()
	defer s.clientMu.Unlock()
	if s.client != nil {
		return s.client, nil
	}
	opts := &azsecrets.ClientOptions{}
	opts.Transport = s.transport
	// One quick retry: a vault that keeps failing is answered with 503.
	opts.Retry = policy.RetryOptions{MaxRetries: 1, RetryDelay: 300 * time.Millisecond, MaxRetryDelay: time.Second}
	c, err := azsecrets.NewClient(s.vaultURL, s.cred, opts)
	if err != nil {
		return nil, fmt.Errorf("key vault client: %w", err)
	}
	s.client = c
	return c, nil
}
