package reprocess

import (
	"fmt"
	"net/http"
	"sync"
	"time"
)

// MaxHold bounds how long one 429 holds Graph calls back.
const MaxHold = 60 * time.Second

// Throttle holds this process's Graph calls back after Graph answered 429
// (SPEC: "Graph held back by an earlier 429"): for the Retry-After Graph
// gave, at most MaxHold. Throttling grows when clients ignore Retry-After;
// callers meanwhile get 429 with the time that remains, and no Graph call.
// The zero value is ready; it is safe for concurrent use.
type Throttle struct {
	mu    sync.Mutex
	until time.Time
	now   func() time.Time // nil: time.Now
}

// Hold holds Graph calls back for d from now (at most MaxHold), unless an
// earlier 429 already holds them longer. msgraph calls it for every 429 it
// sees, the SDK's own retries included.
func (t *Throttle) Hold(d time.Duration) {
	if d <= 0 {
		d = throttleRetryAfter
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if until := t.clock().Add(min(d, MaxHold)); until.After(t.until) {
		t.until = until
	}
}

// Remaining is how long Graph calls are still held back; 0 when they are not.
func (t *Throttle) Remaining() time.Duration {
	if t == nil {
		return 0
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	return max(t.until.Sub(t.clock()), 0)
}

func (t *Throttle) clock() time.Time {
	if t.now != nil {
		return t.now()
	}
	return time.Now()
}

// heldBack is the error of a call the throttle kept from Graph.
func heldBack(remaining time.Duration) error {
	return &Problem{Status: http.StatusTooManyRequests, Code: "TooManyRequests", RetryAfter: remaining,
		Message: "Graph throttled this function a moment ago; it holds its Graph calls until the time in Retry-After has passed.",
		Err:     fmt.Errorf("held back by an earlier 429 for %v more", remaining.Round(time.Millisecond))}
}
