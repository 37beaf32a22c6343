package telemetry

import (
	"context"
	"testing"

	"go.opentelemetry.io/otel/trace"
)

func TestParseTraceparent(t *testing.T) {
	const tid, sid = "4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7"
	tests := []struct {
		in      string
		ok      bool
		sampled bool
	}{
		{"00-" + tid + "-" + sid + "-01", true, true},
		{" 00-" + tid + "-" + sid + "-00 ", true, false},
		{"00-" + tid + "-" + sid + "-03", true, true}, // unknown flags are dropped
		{"01-" + tid + "-" + sid + "-01", false, false},
		{"00-00000000000000000000000000000000-" + sid + "-01", false, false},
		{"00-" + tid + "-0000000000000000-01", false, false},
		{"00-4BF92F3577B34DA6A3CE929D0E0E4736-" + sid + "-01", false, false},
		{"00-" + tid + "-" + sid, false, false},
		{"", false, false},
	}
	for _, tc := range tests {
		sc, ok := ParseTraceparent(tc.in)
		if ok != tc.ok || ok && (sc.TraceID().String() != tid || sc.SpanID().String() != sid || sc.IsSampled() != tc.sampled || !sc.IsRemote()) {
			t.Errorf("ParseTraceparent(%q) = %v, %v", tc.in, sc, ok)
		}
	}
}

func TestRoutePath(t *testing.T) {
	got := RoutePath("/v1.0/identityGovernance/entitlementManagement/assignments/6f1c2d3e-4a5b-4c6d-8e7f-000000000001/reprocess")
	if want := "/v1.0/identityGovernance/entitlementManagement/assignments/{id}/reprocess"; got != want {
		t.Errorf("RoutePath = %q, want %q", got, want)
	}
	if got := RoutePath("/v1.0/$batch"); got != "/v1.0/$batch" {
		t.Errorf("RoutePath($batch) = %q", got)
	}
}

// With tracing off nothing is allocated into the context and nothing records.
func TestOffIsInert(t *testing.T) {
	ctx := context.Background()
	got, span := Server(ctx, nil, trace.SpanKindServer, "GET", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")
	if got != ctx || span.IsRecording() {
		t.Errorf("Server without a provider changed the context or records")
	}
	if got, span := Child(ctx, trace.SpanKindClient, "Graph"); got != ctx || span.IsRecording() {
		t.Errorf("Child without a server span changed the context or records")
	}
	if Traceparent(ctx) != "" {
		t.Errorf("Traceparent without a span is not empty")
	}
	if n := testing.AllocsPerRun(100, func() {
		_, s := Child(ctx, trace.SpanKindClient, "Graph")
		End(s, nil)
	}); n != 0 {
		t.Errorf("a child span with tracing off allocates %v times", n)
	}
}
