package bearer

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/MicahParks/jwkset"
	"github.com/MicahParks/keyfunc/v3"
	"golang.org/x/time/rate"
)

// How often the key set may be fetched.
const (
	unknownKIDRefresh = 5 * time.Minute // keyfunc's default: an unknown kid refreshes at most this often
	keysMaxAge        = time.Hour       // then reload on the next request, as keyfunc's own refresh does
	loadRetry         = 30 * time.Second
)

// keySource holds the tenant's signing keys. It builds the keyfunc on first
// use rather than at start-up, because jwkset fetches the set while it
// constructs the storage. It starts no goroutine: refresh happens on the
// request path, bounded by the limits above.
type keySource struct {
	url     string
	client  *http.Client
	timeout time.Duration
	refresh *rate.Limiter // unknown-kid refreshes, shared by every rebuild
	now     func() time.Time

	mu       sync.Mutex
	kf       keyfunc.Keyfunc // nil until a load succeeds
	loadedAt time.Time
	triedAt  time.Time
	lastErr  error
	loading  chan struct{} // non-nil while a load runs; closed when it ends
}

func newKeySource(url string, client *http.Client, timeout time.Duration) *keySource {
	return &keySource{
		url:     url,
		client:  client,
		timeout: timeout,
		refresh: rate.NewLimiter(rate.Every(unknownKIDRefresh), 1),
		now:     time.Now,
	}
}

// keyfunc returns the current keyfunc, loading the key set if there is none
// or it is old. Concurrent callers share one load. With no keys at all it
// returns ErrKeysUnavailable.
func (s *keySource) keyfunc(ctx context.Context) (keyfunc.Keyfunc, error) {
	for {
		s.mu.Lock()
		now := s.now()
		switch {
		case s.kf != nil && now.Sub(s.loadedAt) < keysMaxAge:
			kf := s.kf
			s.mu.Unlock()
			return kf, nil
		case s.loading != nil && s.kf != nil:
			kf := s.kf // an old set serves while a reload runs
			s.mu.Unlock()
			return kf, nil
		case s.loading != nil:
			wait := s.loading
			s.mu.Unlock()
			select {
			case <-wait:
				continue
			case <-ctx.Done():
				return nil, fmt.Errorf("%w: %w", ErrKeysUnavailable, ctx.Err())
			}
		case !s.triedAt.IsZero() && now.Sub(s.triedAt) < loadRetry:
			kf, lastErr := s.kf, s.lastErr
			s.mu.Unlock()
			if kf != nil {
				return kf, nil
			}
			return nil, fmt.Errorf("%w: %w", ErrKeysUnavailable, lastErr)
		}
		s.triedAt = now
		done := make(chan struct{})
		s.loading = done
		s.mu.Unlock()

		kf, err := s.load(ctx)

		s.mu.Lock()
		s.loading = nil
		close(done)
		if err == nil {
			s.kf, s.loadedAt, s.lastErr = kf, s.now(), nil
		} else {
			s.lastErr = err
		}
		kf = s.kf
		s.mu.Unlock()
		if kf != nil {
			return kf, nil // a failed reload keeps the old set
		}
		return nil, fmt.Errorf("%w: %w", ErrKeysUnavailable, err)
	}
}

// load fetches the key set once and builds a keyfunc over it whose unknown
// kid refreshes are rate limited by s.refresh.
func (s *keySource) load(ctx context.Context) (keyfunc.Keyfunc, error) {
	// The load serves every waiting request, so the first caller's
	// cancellation must not end it; the timeout does.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), s.timeout)
	defer cancel()
	store, err := jwkset.NewStorageFromHTTP(s.url, jwkset.HTTPClientStorageOptions{
		Client:      s.client,
		Ctx:         ctx,
		HTTPTimeout: s.timeout,
		// No RefreshInterval: that would start a goroutine per load.
	})
	if err != nil {
		return nil, fmt.Errorf("fetch signing keys from %s: %w", s.url, err)
	}
	keys, err := store.KeyReadAll(ctx)
	if err != nil {
		return nil, err
	}
	if len(keys) == 0 {
		return nil, fmt.Errorf("signing key set at %s has no usable keys", s.url)
	}
	client, err := jwkset.NewHTTPClient(jwkset.HTTPClientOptions{
		HTTPURLs:          map[string]jwkset.Storage{s.url: store},
		RefreshUnknownKID: s.refresh,
		// Bounds both the wait for the limiter (it fails at once when the
		// next refresh is minutes away) and the refresh request itself.
		RateLimitWaitMax: s.timeout,
	})
	if err != nil {
		return nil, err
	}
	return keyfunc.New(keyfunc.Options{Storage: client})
}

var errNoKID = errors.New("token header has no usable kid")
