package msgraph

import (
	"context"
	"net/http"
	"testing"
	"time"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"

	"github.com/entra-tools/reprocess/shared/telemetry"
)

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// Each Graph attempt is a client span below the request's server span; its
// traceparent goes to Graph, and the span carries the status, both ids and
// the SDK's retry count.
func TestObserverTracesEachAttempt(t *testing.T) {
	spans := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(spans))
	ctx, server := telemetry.Server(context.Background(), tp, trace.SpanKindServer, "POST", "")

	var sent http.Header
	var held time.Duration
	o := observer{
		next: roundTripFunc(func(r *http.Request) (*http.Response, error) {
			sent = r.Header.Clone()
			h := http.Header{"Request-Id": {"graph-req-1"}, "Retry-After": {"3"}}
			return &http.Response{StatusCode: http.StatusTooManyRequests, Header: h, Body: http.NoBody, Request: r}, nil
		}),
		onThrottle: func(d time.Duration) { held = d },
	}
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost,
		"https://graph.microsoft.com/v1.0/identityGovernance/entitlementManagement/assignments/6f1c2d3e-4a5b-4c6d-8e7f-000000000001/reprocess", nil)
	req.Header.Set("client-request-id", "client-1")
	req.Header.Set("Retry-Attempt", "2")
	resp, err := o.RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	server.End()

	if held != 3*time.Second {
		t.Errorf("throttle hold = %v, want 3s", held)
	}
	if req.Header.Get("traceparent") != "" {
		t.Errorf("the caller's request was modified")
	}
	ended := spans.Ended()
	if len(ended) != 2 {
		t.Fatalf("%d spans, want the Graph call and the server span", len(ended))
	}
	g := ended[0]
	if g.Name() != "Graph POST /v1.0/identityGovernance/entitlementManagement/assignments/{id}/reprocess" || g.SpanKind() != trace.SpanKindClient {
		t.Errorf("span %q kind %v", g.Name(), g.SpanKind())
	}
	if g.Parent().SpanID() != server.SpanContext().SpanID() {
		t.Errorf("the Graph span is not the server span's child")
	}
	want := "00-" + g.SpanContext().TraceID().String() + "-" + g.SpanContext().SpanID().String() + "-01"
	if got := sent.Get("traceparent"); got != want {
		t.Errorf("traceparent sent to Graph = %q, want %q", got, want)
	}
	attrs := map[string]string{}
	for _, a := range g.Attributes() {
		attrs[string(a.Key)] = a.Value.Emit()
	}
	for k, v := range map[string]string{"http.response.status_code": "429", "graph.request_id": "graph-req-1",
		"graph.client_request_id": "client-1", "http.request.resend_count": "2"} {
		if attrs[k] != v {
			t.Errorf("%s = %q, want %q", k, attrs[k], v)
		}
	}
	if g.Status().Code.String() != "Error" {
		t.Errorf("a 429 span's status is %v, want Error", g.Status().Code)
	}
}

// Without a server span (tracing off) nothing is added to the request.
func TestObserverWithoutTracing(t *testing.T) {
	var sent http.Header
	o := observer{next: roundTripFunc(func(r *http.Request) (*http.Response, error) {
		sent = r.Header
		return &http.Response{StatusCode: http.StatusAccepted, Header: http.Header{}, Body: http.NoBody, Request: r}, nil
	})}
	req, _ := http.NewRequest(http.MethodPost, "https://graph.microsoft.com/v1.0/x", nil)
	if _, err := o.RoundTrip(req); err != nil {
		t.Fatal(err)
	}
	if sent.Get("traceparent") != "" {
		t.Errorf("traceparent sent without tracing")
	}
}
