package bearer

import (
	"context"
	"crypto/rsa"
	"errors"
	"net/http"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/entra-tools/reprocess/internal/testkit"

	"github.com/golang-jwt/jwt/v5"
)

// withClock makes the key source of v (not token validation) use a
// settable clock starting now.
func withClock(v *Verifier) *testkit.Clock {
	c := testkit.NewClock(time.Now())
	v.keys.now = c.Now
	return c
}

func authenticate(tb testing.TB, v *Verifier, key *rsa.PrivateKey, kid string) error {
	tb.Helper()
	_, err := v.Authenticate(request(mint(tb, jwt.SigningMethodRS256, key, kid, appClaims(v.cfg.issuer, time.Now()))))
	return err
}

func TestKeysNotFetchedAtStart(t *testing.T) {
	tn := newTenant(t)
	tn.publish("key-a", rsaKeys()[0])
	v := newTestVerifier(t, tn.config())
	if n := tn.fetches.Load(); n != 0 {
		t.Fatalf("New fetched keys %d times, want 0", n)
	}
	if err := authenticate(t, v, rsaKeys()[0], "key-a"); err != nil {
		t.Fatal(err)
	}
	for range 20 {
		if err := authenticate(t, v, rsaKeys()[0], "key-a"); err != nil {
			t.Fatal(err)
		}
	}
	if n := tn.fetches.Load(); n != 1 {
		t.Errorf("21 requests fetched keys %d times, want 1", n)
	}
}

func TestKeysConcurrentFirstUseFetchOnce(t *testing.T) {
	tn := newTenant(t)
	tn.delay = 50 * time.Millisecond
	tn.publish("key-a", rsaKeys()[0])
	v := newTestVerifier(t, tn.config())
	token := mint(t, jwt.SigningMethodRS256, rsaKeys()[0], "key-a", appClaims(tn.issuer(), time.Now()))
	var wg sync.WaitGroup
	errs := make(chan error, 20)
	for range 20 {
		wg.Go(func() {
			_, err := v.Authenticate(request(token))
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Errorf("Authenticate = %v", err)
		}
	}
	if n := tn.fetches.Load(); n != 1 {
		t.Errorf("20 concurrent first requests fetched keys %d times, want 1", n)
	}
}

// A token under an unknown kid triggers one refresh; many more such tokens,
// sequential or concurrent, trigger none until the limiter allows.
func TestKeysUnknownKIDRefreshesOnce(t *testing.T) {
	tn := newTenant(t)
	tn.publish("key-a", rsaKeys()[0])
	v := newTestVerifier(t, tn.config())
	if err := authenticate(t, v, rsaKeys()[0], "key-a"); err != nil {
		t.Fatal(err)
	}
	forged := request(mint(t, jwt.SigningMethodRS256, rsaKeys()[1], "forged-kid", appClaims(tn.issuer(), time.Now())))
	for range 50 {
		if _, err := v.Authenticate(forged); !errors.Is(err, ErrInvalidToken) {
			t.Fatalf("unknown kid: Authenticate = %v, want %v", err, ErrInvalidToken)
		}
	}
	forged2 := mint(t, jwt.SigningMethodRS256, rsaKeys()[1], "forged-kid-2", appClaims(tn.issuer(), time.Now()))
	var wg sync.WaitGroup
	for range 20 {
		wg.Go(func() {
			if _, err := v.Authenticate(request(forged2)); HTTPStatus(err) != http.StatusUnauthorized {
				t.Errorf("unknown kid: Authenticate = %v, want 401", err)
			}
		})
	}
	wg.Wait()
	if n := tn.fetches.Load(); n != 2 {
		t.Errorf("key fetches = %d, want 2 (the first load and one refresh)", n)
	}
	// Known keys keep working without further fetches.
	if err := authenticate(t, v, rsaKeys()[0], "key-a"); err != nil || tn.fetches.Load() != 2 {
		t.Errorf("after the refresh: Authenticate = %v, fetches %d", err, tn.fetches.Load())
	}
}

// Entra publishes a new key before signing with it: the first token under
// it refreshes the set and is accepted.
func TestKeysRotation(t *testing.T) {
	tn := newTenant(t)
	tn.publish("key-a", rsaKeys()[0])
	v := newTestVerifier(t, tn.config())
	if err := authenticate(t, v, rsaKeys()[0], "key-a"); err != nil {
		t.Fatal(err)
	}
	tn.publish("key-b", rsaKeys()[1])
	if err := authenticate(t, v, rsaKeys()[1], "key-b"); err != nil {
		t.Errorf("rotated key: Authenticate = %v", err)
	}
	if n := tn.fetches.Load(); n != 2 {
		t.Errorf("key fetches = %d, want 2", n)
	}
}

func TestKeysEndpointDownAtFirstUse(t *testing.T) {
	tn := newTenant(t)
	tn.publish("key-a", rsaKeys()[0])
	tn.setDown(true)
	v := newTestVerifier(t, tn.config())
	clock := withClock(v)

	err := authenticate(t, v, rsaKeys()[0], "key-a")
	if !errors.Is(err, ErrKeysUnavailable) || HTTPStatus(err) != http.StatusServiceUnavailable || Challenge(err) != "" {
		t.Fatalf("Authenticate = %v (status %d), want %v and 503 without a challenge", err, HTTPStatus(err), ErrKeysUnavailable)
	}
	// Within the retry interval no request hammers the endpoint.
	for range 10 {
		if err := authenticate(t, v, rsaKeys()[0], "key-a"); !errors.Is(err, ErrKeysUnavailable) {
			t.Fatalf("Authenticate = %v, want %v", err, ErrKeysUnavailable)
		}
	}
	if n := tn.fetches.Load(); n != 1 {
		t.Errorf("key fetches while down = %d, want 1", n)
	}
	tn.setDown(false)
	clock.Advance(loadRetry + time.Second)
	if err := authenticate(t, v, rsaKeys()[0], "key-a"); err != nil {
		t.Errorf("after recovery: Authenticate = %v", err)
	}
}

// Once loaded, keys outlive an outage of the endpoint, even past their age.
func TestKeysCachedThroughOutage(t *testing.T) {
	tn := newTenant(t)
	tn.publish("key-a", rsaKeys()[0])
	v := newTestVerifier(t, tn.config())
	clock := withClock(v)
	if err := authenticate(t, v, rsaKeys()[0], "key-a"); err != nil {
		t.Fatal(err)
	}
	tn.setDown(true)
	clock.Advance(keysMaxAge + time.Minute)
	for range 5 {
		if err := authenticate(t, v, rsaKeys()[0], "key-a"); err != nil {
			t.Fatalf("during outage: Authenticate = %v", err)
		}
	}
	if n := tn.fetches.Load(); n != 2 {
		t.Errorf("key fetches = %d, want 2 (the load and one failed reload)", n)
	}
	// A successful reload replaces the set: a withdrawn key stops working.
	tn.setDown(false)
	tn.mu.Lock()
	delete(tn.keys, "key-a")
	tn.mu.Unlock()
	tn.publish("key-b", rsaKeys()[1])
	clock.Advance(loadRetry + time.Second)
	if err := authenticate(t, v, rsaKeys()[1], "key-b"); err != nil {
		t.Errorf("after reload: new key: Authenticate = %v", err)
	}
	if err := authenticate(t, v, rsaKeys()[0], "key-a"); !errors.Is(err, ErrInvalidToken) {
		t.Errorf("after reload: withdrawn key: Authenticate = %v, want %v", err, ErrInvalidToken)
	}
}

func TestKeysEmptySetIsUnavailable(t *testing.T) {
	tn := newTenant(t)
	v := newTestVerifier(t, tn.config())
	if err := authenticate(t, v, rsaKeys()[0], "key-a"); !errors.Is(err, ErrKeysUnavailable) {
		t.Errorf("Authenticate = %v, want %v", err, ErrKeysUnavailable)
	}
}

func TestKeysWaitingCallerHonoursContext(t *testing.T) {
	tn := newTenant(t)
	tn.delay = 300 * time.Millisecond
	tn.publish("key-a", rsaKeys()[0])
	v := newTestVerifier(t, tn.config())
	go v.keys.keyfunc(context.Background()) // the slow first load
	for !loading(v.keys) {
		time.Sleep(time.Millisecond)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	if _, err := v.keys.keyfunc(ctx); !errors.Is(err, context.DeadlineExceeded) || !errors.Is(err, ErrKeysUnavailable) {
		t.Errorf("keyfunc = %v, want %v wrapping %v", err, ErrKeysUnavailable, context.DeadlineExceeded)
	}
}

func loading(s *keySource) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.loading != nil
}

// Entra's own key format (x5c, x5t, issuer) loads.
func TestKeysLoadEntraFormat(t *testing.T) {
	raw, err := os.ReadFile("testdata/entra-jwks.json")
	if err != nil {
		t.Fatal(err)
	}
	tn := newTenant(t)
	tn.raw = raw
	v := newTestVerifier(t, tn.config())
	kf, err := v.keys.keyfunc(context.Background())
	if err != nil {
		t.Fatalf("keyfunc = %v", err)
	}
	jwk, err := kf.Storage().KeyRead(context.Background(), "jibNbkFSSbmxPYrN9CFqRk4K4gw")
	if err != nil {
		t.Fatalf("KeyRead = %v", err)
	}
	pub, ok := jwk.Key().(*rsa.PublicKey)
	if !ok || pub.E != 65537 || pub.N.BitLen() != 2048 {
		t.Errorf("key = %T %v, want a 2048-bit RSA public key", jwk.Key(), jwk.Key())
	}
}
