package bearer

import (
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"math/big"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

const (
	testTenant   = "7a3c1f52-0b1e-4d6e-9a55-2f3c8d7e6b10"
	otherTenant  = "0f9e8d7c-6b5a-4f3e-8d2c-1b0a9f8e7d6c"
	testAudience = "3b2f9a1c-5d4e-4c3b-9a8f-7e6d5c4b3a21" // the API's client id
	testRole     = "Reprocess.Invoke"
)

// rsaKeys are generated once per test binary: 2048-bit generation is slow.
var rsaKeys = sync.OnceValue(func() []*rsa.PrivateKey {
	keys := make([]*rsa.PrivateKey, 3)
	for i := range keys {
		k, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			panic(err)
		}
		keys[i] = k
	}
	return keys
})

// tenant is a fake Entra key endpoint over TLS that counts its fetches.
type tenant struct {
	srv     *httptest.Server
	fetches atomic.Int32
	delay   time.Duration

	mu   sync.Mutex
	keys map[string]*rsa.PublicKey
	raw  []byte // served instead of keys when set
	down bool
}

func newTenant(tb testing.TB) *tenant {
	tb.Helper()
	tn := &tenant{keys: map[string]*rsa.PublicKey{}}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{tenant}/discovery/v2.0/keys", tn.serveKeys)
	tn.srv = httptest.NewTLSServer(mux)
	tb.Cleanup(tn.srv.Close)
	return tn
}

func (tn *tenant) serveKeys(w http.ResponseWriter, r *http.Request) {
	tn.fetches.Add(1)
	time.Sleep(tn.delay)
	tn.mu.Lock()
	defer tn.mu.Unlock()
	if tn.down {
		http.Error(w, "unavailable", http.StatusServiceUnavailable)
		return
	}
	if r.PathValue("tenant") != testTenant {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	if tn.raw != nil {
		w.Write(tn.raw)
		return
	}
	type jwk struct {
		Kty string `json:"kty"`
		Use string `json:"use"`
		Kid string `json:"kid"`
		N   string `json:"n"`
		E   string `json:"e"`
	}
	set := struct {
		Keys []jwk `json:"keys"`
	}{Keys: []jwk{}}
	for kid, k := range tn.keys {
		set.Keys = append(set.Keys, jwk{Kty: "RSA", Use: "sig", Kid: kid,
			N: base64.RawURLEncoding.EncodeToString(k.N.Bytes()),
			E: base64.RawURLEncoding.EncodeToString(big.NewInt(int64(k.E)).Bytes())})
	}
	json.NewEncoder(w).Encode(set)
}

func (tn *tenant) publish(kid string, k *rsa.PrivateKey) {
	tn.mu.Lock()
	defer tn.mu.Unlock()
	tn.keys[kid] = &k.PublicKey
}

func (tn *tenant) setDown(down bool) {
	tn.mu.Lock()
	defer tn.mu.Unlock()
	tn.down = down
}

func (tn *tenant) config() Config {
	return Config{
		TenantID:      testTenant,
		Audiences:     []string{testAudience},
		RequiredRole:  testRole,
		AuthorityHost: tn.srv.URL,
		HTTPClient:    tn.srv.Client(),
	}
}

func (tn *tenant) issuer() string { return tn.srv.URL + "/" + testTenant + "/v2.0" }

func newTestVerifier(tb testing.TB, cfg Config) *Verifier {
	tb.Helper()
	v, err := New(cfg)
	if err != nil {
		tb.Fatalf("New = %v", err)
	}
	return v
}

// appClaims are the claims of an app-only v2 access token as Entra issues
// it to a managed identity that was granted the app role.
func appClaims(issuer string, now time.Time) jwt.MapClaims {
	return jwt.MapClaims{
		"aud":    testAudience,
		"iss":    issuer,
		"iat":    now.Add(-5 * time.Minute).Unix(),
		"nbf":    now.Add(-5 * time.Minute).Unix(),
		"exp":    now.Add(55 * time.Minute).Unix(),
		"aio":    "k2BgYDjW3u7m3t/7Hm3JxQA=",
		"azp":    "9d5c4e3f-2a1b-4c0d-8e7f-6a5b4c3d2e1f",
		"azpacr": "2",
		"idtyp":  "app",
		"oid":    "5e4d3c2b-1a09-4f8e-9d7c-6b5a4f3e2d1c",
		"rh":     "0.AAAAUh88eh4Lbk2aVS88jX5rEA.",
		"roles":  []string{testRole},
		"sub":    "5e4d3c2b-1a09-4f8e-9d7c-6b5a4f3e2d1c",
		"tid":    testTenant,
		"uti":    "dGVzdC11dGktdmFsdWU",
		"ver":    "2.0",
	}
}

func mint(tb testing.TB, method jwt.SigningMethod, key any, kid string, c jwt.MapClaims) string {
	tb.Helper()
	t := jwt.NewWithClaims(method, c)
	if kid != "" {
		t.Header["kid"] = kid
	}
	s, err := t.SignedString(key)
	if err != nil {
		tb.Fatalf("sign: %v", err)
	}
	return s
}

func request(token string) *http.Request {
	r := httptest.NewRequest(http.MethodPost, "/api/assignments/x/reprocess", nil)
	if token != "" {
		r.Header.Set("Authorization", "Bearer "+token)
	}
	return r
}
