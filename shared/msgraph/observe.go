package msgraph

import (
	"net/http"
	"time"

	"github.com/entra-tools/reprocess/shared/graph"
)

// observer is the transport under the SDK's middleware, so it sees every
// attempt, the SDK's own retries included: it tells OnThrottle of each 429
// (the process then holds its Graph calls back), and records each call's
// client-request-id (set by the SDK's telemetry handler) and Graph's
// request-id for the log line of the request that made it.
type observer struct {
	next       http.RoundTripper
	onThrottle func(time.Duration)
}

func (o observer) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := o.next.RoundTrip(req)
	call := graph.Call{ClientRequestID: req.Header.Get("client-request-id")}
	if err == nil {
		call.RequestID, call.Status = resp.Header.Get("request-id"), resp.StatusCode
		if resp.StatusCode == http.StatusTooManyRequests && o.onThrottle != nil {
			o.onThrottle(graph.ParseRetryAfter(resp.Header.Get("Retry-After"), time.Now()))
		}
	}
	if calls := graph.CallsFrom(req.Context()); calls != nil {
		calls.Add(call)
	}
	return resp, err
}
