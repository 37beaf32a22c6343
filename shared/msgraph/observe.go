package msgraph

import (
	"net/http"
	"strconv"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/trace"

	"github.com/entra-tools/reprocess/shared/graph"
	"github.com/entra-tools/reprocess/shared/telemetry"
)

// observer is the transport under the SDK's middleware, so it sees every
// attempt, the SDK's own retries included: it tells OnThrottle of each 429
// (the process then holds its Graph calls back), records each call's
// client-request-id (set by the SDK's telemetry handler) and Graph's
// request-id for the log line of the request that made it, and traces
// each attempt as a client span (carrying its traceparent to Graph) with
// the status, both ids and the SDK's retry count.
type observer struct {
	next       http.RoundTripper
	onThrottle func(time.Duration)
}

func (o observer) RoundTrip(req *http.Request) (*http.Response, error) {
	ctx, span := telemetry.Child(req.Context(), trace.SpanKindClient, "Graph "+req.Method+" "+telemetry.RoutePath(req.URL.Path))
	if span.IsRecording() {
		retries, _ := strconv.Atoi(req.Header.Get("Retry-Attempt")) // set by the SDK's retry handler
		span.SetAttributes(
			attribute.String("http.request.method", req.Method),
			attribute.String("server.address", req.URL.Hostname()),
			attribute.String("url.path", telemetry.RoutePath(req.URL.Path)),
			attribute.Int("http.request.resend_count", retries),
			telemetry.GraphClientRequestID.String(req.Header.Get("Client-Request-Id")),
		)
		req = req.Clone(ctx)
		req.Header.Set("traceparent", telemetry.Traceparent(ctx))
	}
	resp, err := o.next.RoundTrip(req)
	call := graph.Call{ClientRequestID: req.Header.Get("Client-Request-Id")}
	if err == nil {
		call.RequestID, call.Status = resp.Header.Get("Request-Id"), resp.StatusCode
		if resp.StatusCode == http.StatusTooManyRequests && o.onThrottle != nil {
			o.onThrottle(graph.ParseRetryAfter(resp.Header.Get("Retry-After"), time.Now()))
		}
		span.SetAttributes(telemetry.GraphRequestID.String(call.RequestID))
		telemetry.HTTPStatus(span, trace.SpanKindClient, resp.StatusCode)
	}
	telemetry.End(span, err)
	if calls := graph.CallsFrom(req.Context()); calls != nil {
		calls.Add(call)
	}
	return resp, err
}
