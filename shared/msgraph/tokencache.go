package msgraph

import (
	"context"
	"strings"
	"sync"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
)

// tokenCache answers the SDK's per-request GetToken from the last token
// while it is good, instead of walking azidentity and MSAL's cache on every
// Graph call (7% of the handler's CPU under load). It asks the credential
// again when MSAL itself would: at the token's RefreshOn, or five minutes
// before it expires; and always for a claims challenge. Failures are not
// cached.
type tokenCache struct {
	cred azcore.TokenCredential
	now  func() time.Time

	mu   sync.RWMutex
	key  string
	tok  azcore.AccessToken
	good time.Time // ask again from here on
}

// refreshBefore is how long before expiry a token is renewed, as MSAL does.
const refreshBefore = 5 * time.Minute

func newTokenCache(cred azcore.TokenCredential) *tokenCache {
	return &tokenCache{cred: cred, now: time.Now}
}

func (c *tokenCache) GetToken(ctx context.Context, opts policy.TokenRequestOptions) (azcore.AccessToken, error) {
	if opts.Claims != "" {
		return c.cred.GetToken(ctx, opts)
	}
	key := opts.TenantID + "\x00" + strings.Join(opts.Scopes, " ")
	if opts.EnableCAE {
		key += "\x00cae"
	}
	c.mu.RLock()
	if c.key == key && c.now().Before(c.good) {
		tok := c.tok
		c.mu.RUnlock()
		return tok, nil
	}
	c.mu.RUnlock()
	tok, err := c.cred.GetToken(ctx, opts)
	if err != nil {
		return tok, err
	}
	good := tok.ExpiresOn.Add(-refreshBefore)
	if !tok.RefreshOn.IsZero() && tok.RefreshOn.Before(good) {
		good = tok.RefreshOn
	}
	c.mu.Lock()
	c.key, c.tok, c.good = key, tok, good
	c.mu.Unlock()
	return tok, nil
}
