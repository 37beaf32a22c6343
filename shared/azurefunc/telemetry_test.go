package azurefunc

import (
	"net/http"
	"testing"
	"time"

	"github.com/entra-tools/reprocess/internal/testkit/fakecore"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"
)

// A queue invocation is a consumer span with the message id and verdict.
func TestQueueInvocationSpan(t *testing.T) {
	spans := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(spans))
	logger, _ := newTestLogger(t)
	h := NewHandler(http.NotFoundHandler(), &fakecore.Messages{}, logger, time.Minute, WithTracer(tp))
	invoke(t, h, FunctionReprocessQueue, hostInvocationID, readFixture(t, "queue-object-single.json"))
	ended := spans.Ended()
	if len(ended) != 1 {
		t.Fatalf("%d spans, want 1", len(ended))
	}
	s := ended[0]
	attrs := map[string]string{}
	for _, a := range s.Attributes() {
		attrs[string(a.Key)] = a.Value.Emit()
	}
	if s.Name() != FunctionReprocessQueue+" process" || s.SpanKind() != trace.SpanKindConsumer ||
		attrs["faas.invocation_id"] != hostInvocationID || attrs["messaging.message.id"] != "b2e1d3c5-7a9f-4b1d-8f30-5c7e9a1b3d5f" ||
		attrs["reprocess.verdict"] == "" {
		t.Errorf("span %q kind %v attributes %v", s.Name(), s.SpanKind(), attrs)
	}
}
