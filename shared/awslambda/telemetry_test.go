package awslambda

import (
	"context"
	"net/http"
	"testing"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"
)

// An SQS batch and a direct invocation are each a span, and every
// invocation flushes the spans before it answers: Lambda may freeze the
// process right after.
func TestInvocationSpansAndFlush(t *testing.T) {
	spans := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(spans))
	flushes := 0
	h := NewHandler(http.NotFoundHandler(), messageCore(), nil, Options{Tracer: tp,
		FlushTraces: func(ctx context.Context) error {
			if ctx.Err() != nil {
				t.Errorf("flush with an ended context")
			}
			flushes++
			return nil
		}})
	invoke(t, h, readEvent(t, "ours-sqs-mixed.json"))
	invoke(t, h, []byte(`{"assignmentId":"`+okID+`"}`))
	if flushes != 2 {
		t.Errorf("flushes = %d, want one per invocation", flushes)
	}
	ended := spans.Ended()
	if len(ended) != 2 {
		t.Fatalf("%d spans, want 2", len(ended))
	}
	sqs, inv := ended[0], ended[1]
	if sqs.Name() != "SQS process" || sqs.SpanKind() != trace.SpanKindConsumer || sqs.Status().Code.String() != "Error" {
		t.Errorf("SQS span %q kind %v status %v (some records are retried: an error)", sqs.Name(), sqs.SpanKind(), sqs.Status())
	}
	if inv.Name() != "Lambda invoke" || inv.SpanKind() != trace.SpanKindServer || inv.Status().Code.String() != "Unset" {
		t.Errorf("invoke span %q kind %v status %v", inv.Name(), inv.SpanKind(), inv.Status())
	}
	attrs := map[string]string{}
	for _, a := range append(sqs.Attributes(), inv.Attributes()...) {
		attrs[string(a.Key)] = a.Value.Emit()
	}
	if attrs["faas.invocation_id"] != testRequestID || attrs["reprocess.outcome"] == "" && attrs["http.response.status_code"] != "202" {
		t.Errorf("span attributes: %v", attrs)
	}
}
