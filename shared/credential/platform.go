package credential

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/cloud"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"

	"github.com/entra-tools/reprocess/shared/config"
)

// ErrUnavailable is wrapped by every failed token request: Entra or the
// managed-identity endpoint was unreachable or refused the function's own
// identity. It is a setup or platform fault, never the caller's.
var ErrUnavailable = errors.New("token endpoint unavailable")

// AssertionFunc returns a signed assertion for client-assertion federation.
type AssertionFunc func(ctx context.Context) (string, error)

// tokenRetry keeps a failing token endpoint from eating the caller's
// deadline: one quick retry, then the caller hears 503 and Retry-After.
var tokenRetry = policy.RetryOptions{MaxRetries: 1, RetryDelay: 300 * time.Millisecond, MaxRetryDelay: time.Second}

// clientOptions is what every credential shares: one transport, one cloud.
func clientOptions(c config.Cloud, hc *http.Client) azcore.ClientOptions {
	o := azcore.ClientOptions{Cloud: cloud.Configuration{ActiveDirectoryAuthorityHost: c.AuthorityHost}, Retry: tokenRetry}
	if hc != nil {
		o.Transport = tracedTransport{hc}
	}
	return o
}

// knownAuthority reports whether instance discovery can vouch for host; for
// any other authority (Azure Stack, a private cloud) it must be skipped.
func knownAuthority(host string) bool {
	for _, h := range []string{"https://login.microsoftonline.com/", "https://login.microsoftonline.us/", "https://login.chinacloudapi.cn/"} {
		if strings.EqualFold(host, h) {
			return true
		}
	}
	return false
}

// Platform returns the platform identity's credential. It is built on first
// use. assertion is used only for config.AWSFederation.
func Platform(id config.Identity, c config.Cloud, hc *http.Client, assertion AssertionFunc) azcore.TokenCredential {
	opts := clientOptions(c, hc)
	noDiscovery := !knownAuthority(c.AuthorityHost)
	return &lazy{kind: string(id.Kind), build: func() (azcore.TokenCredential, error) {
		switch id.Kind {
		case config.ManagedIdentity:
			o := &azidentity.ManagedIdentityCredentialOptions{ClientOptions: opts}
			if id.ClientID != "" {
				o.ID = azidentity.ClientID(id.ClientID)
			}
			return azidentity.NewManagedIdentityCredential(o)
		case config.ClientSecret:
			return azidentity.NewClientSecretCredential(id.TenantID, id.ClientID, id.ClientSecret,
				&azidentity.ClientSecretCredentialOptions{ClientOptions: opts, DisableInstanceDiscovery: noDiscovery})
		case config.AWSFederation:
			if assertion == nil {
				return nil, errors.New("no assertion source for AWS federation")
			}
			return azidentity.NewClientAssertionCredential(id.TenantID, id.ClientID, assertion,
				&azidentity.ClientAssertionCredentialOptions{ClientOptions: opts, DisableInstanceDiscovery: noDiscovery})
		}
		return nil, fmt.Errorf("no platform identity is configured")
	}}
}

// lazy builds a credential on first use; a failed build is retried next time.
type lazy struct {
	kind  string
	build func() (azcore.TokenCredential, error)

	mu   sync.Mutex
	cred azcore.TokenCredential
}

func (l *lazy) GetToken(ctx context.Context, opts policy.TokenRequestOptions) (azcore.AccessToken, error) {
	l.mu.Lock()
	if l.cred == nil {
		cred, err := l.build()
		if err != nil {
			l.mu.Unlock()
			return azcore.AccessToken{}, fmt.Errorf("%w: build %s credential: %w", ErrUnavailable, l.kind, err)
		}
		l.cred = cred
	}
	cred := l.cred
	l.mu.Unlock()
	tok, err := cred.GetToken(ctx, opts)
	return tok, wrapTokenError(ctx, err)
}

// wrapTokenError marks a failed token request as ErrUnavailable, unless the
// request's own deadline or cancellation is what stopped it.
func wrapTokenError(ctx context.Context, err error) error {
	switch {
	case err == nil:
		return nil
	case ctx.Err() != nil:
		return fmt.Errorf("get token: %w", ctx.Err())
	case errors.Is(err, ErrUnavailable):
		return err
	}
	return fmt.Errorf("%w: %w", ErrUnavailable, err)
}
