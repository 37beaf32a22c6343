package graph

import (
	"context"
	"errors"
	"net/http"
	"time"
)

// The retry rule for single calls and batch items alike.
const (
	MaxRetries = 3
	// RetryBase is the SDK's exponential base, in seconds, when Graph gives
	// no Retry-After.
	RetryBase = 1
	// RetryHeadroom is what a retry needs after its wait to still finish.
	RetryHeadroom = 2 * time.Second
)

// Retriable reports the statuses worth another try: throttling and
// Graph's own unavailability.
func Retriable(status int) bool {
	return status == http.StatusTooManyRequests || status == http.StatusServiceUnavailable || status == http.StatusGatewayTimeout
}

// FitsBefore reports whether a retry after wait still leaves RetryHeadroom
// before ctx's deadline.
func FitsBefore(ctx context.Context, wait time.Duration, now time.Time) bool {
	deadline, ok := ctx.Deadline()
	if !ok {
		return true
	}
	return now.Add(wait + RetryHeadroom).Before(deadline)
}

// ItemRetryWait says whether a batch item's answer is worth another try
// after `answers` answers so far, and after how long: Graph's Retry-After,
// else the SDK's exponential back-off.
func ItemRetryWait(ctx context.Context, err error, answers int, now time.Time) (time.Duration, bool) {
	var ge *Error
	if !errors.As(err, &ge) || answers > MaxRetries || !Retriable(ge.Status) {
		return 0, false
	}
	wait := ge.RetryAfter
	if wait == 0 {
		wait = time.Duration(RetryBase<<(answers-1)) * time.Second
	}
	return wait, FitsBefore(ctx, wait, now)
}
