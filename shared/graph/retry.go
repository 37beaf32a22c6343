package graph

import (
	"net/http"
	"time"

	khttp "github.com/microsoft/kiota-http-go"
)

const (
	maxRetries = 3
	// retryBase is the SDK's exponential base when Graph gives no Retry-After.
	retryBase = 1
	// retryHeadroom is what a retry needs after its wait to still finish.
	retryHeadroom = 2 * time.Second
)

// retryOptions bounds the SDK's retry handler. Its own loop honours any
// Retry-After, however long; ShouldRetry refuses a retry whose wait would
// leave less than retryHeadroom before the request's deadline.
func retryOptions() khttp.RetryHandlerOptions {
	return khttp.RetryHandlerOptions{
		MaxRetries:   maxRetries,
		DelaySeconds: retryBase,
		ShouldRetry: func(_ time.Duration, attempt int, req *http.Request, resp *http.Response) bool {
			return retryFits(req, resp, attempt, time.Now())
		},
	}
}

func retryFits(req *http.Request, resp *http.Response, attempt int, now time.Time) bool {
	deadline, ok := req.Context().Deadline()
	if !ok {
		return true
	}
	wait := parseRetryAfter(resp.Header.Get("Retry-After"), now)
	if wait == 0 {
		// The SDK's own back-off: base * 2^attempt plus up to 1 s of jitter.
		wait = time.Duration(retryBase<<attempt)*time.Second + time.Second
	}
	return now.Add(wait + retryHeadroom).Before(deadline)
}
