package msgraph

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
)

type countingCredential struct {
	calls int
	tok   azcore.AccessToken
	err   error
}

func (c *countingCredential) GetToken(context.Context, policy.TokenRequestOptions) (azcore.AccessToken, error) {
	c.calls++
	return c.tok, c.err
}

func TestTokenCache(t *testing.T) {
	now := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	graph := policy.TokenRequestOptions{Scopes: []string{"https://graph.microsoft.com/.default"}}
	tests := []struct {
		name      string
		tok       azcore.AccessToken
		err       error
		later     time.Duration
		opts      policy.TokenRequestOptions
		wantCalls int
	}{
		{"an hour's token is reused", azcore.AccessToken{Token: "a", ExpiresOn: now.Add(time.Hour)}, nil, 30 * time.Minute, graph, 1},
		{"renewed five minutes before expiry", azcore.AccessToken{Token: "a", ExpiresOn: now.Add(time.Hour)}, nil, 56 * time.Minute, graph, 2},
		{"renewed at RefreshOn", azcore.AccessToken{Token: "a", ExpiresOn: now.Add(time.Hour), RefreshOn: now.Add(30 * time.Minute)}, nil, 31 * time.Minute, graph, 2},
		{"a short-lived token is never reused", azcore.AccessToken{Token: "a", ExpiresOn: now.Add(time.Minute)}, nil, 0, graph, 2},
		{"failures are not cached", azcore.AccessToken{}, errors.New("entra down"), 0, graph, 2},
		{"another scope asks again", azcore.AccessToken{Token: "a", ExpiresOn: now.Add(time.Hour)}, nil, 0, policy.TokenRequestOptions{Scopes: []string{"https://vault.azure.net/.default"}}, 2},
		{"a claims challenge always asks", azcore.AccessToken{Token: "a", ExpiresOn: now.Add(time.Hour)}, nil, 0, policy.TokenRequestOptions{Scopes: graph.Scopes, Claims: `{"access_token":{}}`}, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cred := &countingCredential{tok: tt.tok, err: tt.err}
			c := newTokenCache(cred)
			clock := now
			c.now = func() time.Time { return clock }
			if _, err := c.GetToken(context.Background(), graph); !errors.Is(err, tt.err) {
				t.Fatalf("first GetToken: %v", err)
			}
			clock = now.Add(tt.later)
			tok, err := c.GetToken(context.Background(), tt.opts)
			if !errors.Is(err, tt.err) || tok.Token != tt.tok.Token {
				t.Fatalf("second GetToken = %q, %v", tok.Token, err)
			}
			if cred.calls != tt.wantCalls {
				t.Errorf("credential asked %d times, want %d", cred.calls, tt.wantCalls)
			}
		})
	}
}
