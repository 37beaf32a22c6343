package msgraph

import (
	"net/http"
	"time"

	khttp "github.com/microsoft/kiota-http-go"

	"github.com/entra-tools/reprocess/shared/graph"
)

// retryOptions bounds the SDK's retry handler. Its own loop honours any
// Retry-After, however long; ShouldRetry refuses a retry whose wait would
// leave less than graph.RetryHeadroom before the request's deadline.
func retryOptions() khttp.RetryHandlerOptions {
	return khttp.RetryHandlerOptions{
		MaxRetries:   graph.MaxRetries,
		DelaySeconds: graph.RetryBase,
		ShouldRetry: func(_ time.Duration, attempt int, req *http.Request, resp *http.Response) bool {
			return retryFits(req, resp, attempt, time.Now())
		},
	}
}

func retryFits(req *http.Request, resp *http.Response, attempt int, now time.Time) bool {
	wait := graph.ParseRetryAfter(resp.Header.Get("Retry-After"), now)
	if wait == 0 {
		// The SDK's own back-off: base * 2^attempt plus up to 1 s of jitter.
		wait = time.Duration(graph.RetryBase<<attempt)*time.Second + time.Second
	}
	return graph.FitsBefore(req.Context(), wait, now)
}
