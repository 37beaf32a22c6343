package awscreds_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/entra-tools/reprocess/shared/awscreds"
	"github.com/entra-tools/reprocess/shared/config"
)

// containerEndpoint answers as the Lambda SnapStart / ECS credentials
// endpoint does: GET with the authorization token in the Authorization
// header, the role session as JSON.
type containerEndpoint struct {
	token   string
	expires time.Time
	calls   atomic.Int32
}

func (c *containerEndpoint) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	c.calls.Add(1)
	if r.Method != http.MethodGet || r.Header.Get("Authorization") != c.token {
		w.WriteHeader(http.StatusForbidden)
		json.NewEncoder(w).Encode(map[string]string{"code": "AccessDenied", "message": "wrong token"})
		return
	}
	json.NewEncoder(w).Encode(map[string]string{
		"AccessKeyId": "ASIACONTAINER", "SecretAccessKey": "container-secret", "Token": "container-session",
		"Expiration": c.expires.UTC().Format(time.RFC3339),
	})
}

func serve(t *testing.T, token string) (*containerEndpoint, string) {
	t.Helper()
	c := &containerEndpoint{token: token, expires: time.Now().Add(time.Hour)}
	srv := httptest.NewServer(c)
	t.Cleanup(srv.Close)
	return c, srv.URL + "/2021-04-23/credentials"
}

func tokenFile(t *testing.T, token string) string {
	t.Helper()
	f := filepath.Join(t.TempDir(), "token")
	if err := os.WriteFile(f, []byte(token+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	return f
}

func TestChain(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name    string
		creds   func(t *testing.T, uri string) config.AWSCredentials
		wantKey string
		wantErr bool
		calls   int32 // container endpoint calls for two retrievals (failures are not cached)
	}{
		{"environment keys", func(t *testing.T, uri string) config.AWSCredentials {
			return config.AWSCredentials{AccessKeyID: "ASIAENV", SecretAccessKey: "env-secret", SessionToken: "env-session", ContainerURI: uri, ContainerToken: "good"}
		}, "ASIAENV", false, 0},
		{"container endpoint, token", func(t *testing.T, uri string) config.AWSCredentials {
			return config.AWSCredentials{ContainerURI: uri, ContainerToken: "good"}
		}, "ASIACONTAINER", false, 1},
		{"container endpoint, token file", func(t *testing.T, uri string) config.AWSCredentials {
			return config.AWSCredentials{ContainerURI: uri, ContainerToken: "stale", ContainerTokenFile: tokenFile(t, "good")}
		}, "ASIACONTAINER", false, 1},
		{"container endpoint, wrong token", func(t *testing.T, uri string) config.AWSCredentials {
			return config.AWSCredentials{ContainerURI: uri, ContainerToken: "bad"}
		}, "", true, 2},
		{"nothing", func(*testing.T, string) config.AWSCredentials { return config.AWSCredentials{} }, "", true, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			endpoint, uri := serve(t, "good")
			chain := awscreds.New(tt.creds(t, uri), &http.Client{Timeout: 5 * time.Second})
			for range 2 { // the second retrieval comes from the cache
				got, err := chain.Retrieve(ctx)
				if (err != nil) != tt.wantErr || got.AccessKeyID != tt.wantKey {
					t.Fatalf("Retrieve = %q, %v; want %q, error %v", got.AccessKeyID, err, tt.wantKey, tt.wantErr)
				}
			}
			if n := endpoint.calls.Load(); n != tt.calls {
				t.Errorf("container endpoint calls = %d, want %d", n, tt.calls)
			}
		})
	}
}

// The session the container endpoint gives is used whole, and refreshed
// only when it nears its expiry.
func TestContainerSessionIsCachedUntilExpiry(t *testing.T) {
	endpoint, uri := serve(t, "good")
	endpoint.expires = time.Now().Add(time.Hour)
	chain := awscreds.New(config.AWSCredentials{ContainerURI: uri, ContainerToken: "good"}, nil)
	got, err := chain.Retrieve(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if got.SecretAccessKey != "container-secret" || got.SessionToken != "container-session" || !got.CanExpire ||
		got.Expires.Sub(endpoint.expires) > time.Second || endpoint.expires.Sub(got.Expires) > time.Second {
		t.Errorf("credentials = %+v", got)
	}
	chain.Invalidate() // as after an expiry
	if _, err := chain.Retrieve(context.Background()); err != nil || endpoint.calls.Load() != 2 {
		t.Errorf("after invalidation: %v, %d calls; want a second call", err, endpoint.calls.Load())
	}
}

func TestNoCredentialsSaysWhatToSet(t *testing.T) {
	_, err := awscreds.New(config.AWSCredentials{}, nil).Retrieve(context.Background())
	if !errors.Is(err, awscreds.ErrNone) {
		t.Errorf("Retrieve = %v, want ErrNone", err)
	}
}
