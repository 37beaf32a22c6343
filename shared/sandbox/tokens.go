package sandbox

import (
	"strings"
	"sync"
	"time"
)

// issuedToken is what the sandbox remembers about an access token it issued.
// Access tokens are opaque random strings: clients must not parse tokens for
// Graph or Key Vault, and opaque tokens keep RSA signing off the hot path.
type issuedToken struct {
	clientID string
	objectID string
	resource string // audience, e.g. https://graph.microsoft.com
	expires  time.Time
}

// tokenStore maps issued tokens to what they grant. Safe for concurrent use.
type tokenStore struct {
	mu     sync.Mutex
	tokens map[string]issuedToken
}

func newTokenStore() *tokenStore { return &tokenStore{tokens: map[string]issuedToken{}} }

func (s *tokenStore) issue(it issuedToken) string {
	tok := "sbx." + randomToken(32)
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.tokens) > 10000 {
		now := time.Now()
		for k, v := range s.tokens {
			if now.After(v.expires) {
				delete(s.tokens, k)
			}
		}
	}
	s.tokens[tok] = it
	return tok
}

type tokenCheck int

const (
	tokenOK tokenCheck = iota
	tokenMissing
	tokenUnknown
	tokenExpired
	tokenWrongAudience
)

// check validates an Authorization header value against resource.
func (s *tokenStore) check(authorization, resource string) (issuedToken, tokenCheck) {
	scheme, tok, ok := strings.Cut(authorization, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(tok) == "" {
		return issuedToken{}, tokenMissing
	}
	s.mu.Lock()
	it, found := s.tokens[strings.TrimSpace(tok)]
	s.mu.Unlock()
	switch {
	case !found:
		return it, tokenUnknown
	case time.Now().After(it.expires):
		return it, tokenExpired
	case !strings.EqualFold(it.resource, resource):
		return it, tokenWrongAudience
	}
	return it, tokenOK
}

func (s *tokenStore) revokeAll() {
	s.mu.Lock()
	s.tokens = map[string]issuedToken{}
	s.mu.Unlock()
}

// resourceFromScope turns "<resource>/.default" into the resource. Only
// client-credential scopes (ending in /.default) are accepted; the OpenID
// scopes MSAL adds are ignored. The bool is false when no usable scope is present.
func resourceFromScope(scope string) (string, bool) {
	var found []string
	for _, s := range strings.Fields(scope) {
		if r, ok := strings.CutSuffix(s, "/.default"); ok {
			found = append(found, strings.TrimRight(r, "/"))
		}
	}
	if len(found) != 1 {
		return "", false
	}
	return found[0], true
}
