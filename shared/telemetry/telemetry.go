package telemetry

import (
	"context"
	"net/http"
	"strconv"
	"strings"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"
	"go.opentelemetry.io/otel/trace/noop"
)

// Scope is the instrumentation scope of every span the project starts.
const Scope = "github.com/entra-tools/reprocess"

// Attribute keys beyond OpenTelemetry's semantic conventions.
const (
	GraphRequestID       = attribute.Key("graph.request_id")        // Graph's request-id answer header
	GraphClientRequestID = attribute.Key("graph.client_request_id") // the client-request-id sent
	AssignmentID         = attribute.Key("entra.assignment_id")
	Outcome              = attribute.Key("reprocess.outcome")
	BatchItems           = attribute.Key("reprocess.batch.items")
	BatchDistinct        = attribute.Key("reprocess.batch.distinct")
	BatchInvalid         = attribute.Key("reprocess.batch.invalid")
	BatchAccepted        = attribute.Key("reprocess.batch.accepted")
)

// noSpan is the span of tracing turned off.
var noSpan trace.Span = noop.Span{}

// Server starts the span of one request or invocation with tp (nil: no
// span is recorded). When traceparent is a valid W3C traceparent the span
// continues its trace as a child of the caller's span.
func Server(ctx context.Context, tp trace.TracerProvider, kind trace.SpanKind, name, traceparent string, attrs ...attribute.KeyValue) (context.Context, trace.Span) {
	if tp == nil {
		return ctx, noSpan
	}
	if sc, ok := ParseTraceparent(traceparent); ok {
		ctx = trace.ContextWithRemoteSpanContext(ctx, sc)
	}
	ctx = context.WithValue(ctx, providerKey{}, tp)
	return tp.Tracer(Scope).Start(ctx, name, trace.WithSpanKind(kind), trace.WithAttributes(attrs...))
}

// providerKey carries the server span's provider to the child spans. The
// span in the context is not enough: the Graph SDK starts spans of its own
// with OpenTelemetry's global provider, which is left unset (their spans
// would be noise), and its no-op spans replace ours in the context while
// keeping our span's ids.
type providerKey struct{}

// Child starts a span below the one in ctx, with the provider of the
// server span that began the trace; when there is none, or the trace is
// not sampled, it returns ctx unchanged and a no-op span.
func Child(ctx context.Context, kind trace.SpanKind, name string, attrs ...attribute.KeyValue) (context.Context, trace.Span) {
	tp, _ := ctx.Value(providerKey{}).(trace.TracerProvider)
	if tp == nil || !trace.SpanContextFromContext(ctx).IsSampled() {
		return ctx, noSpan
	}
	return tp.Tracer(Scope).Start(ctx, name, trace.WithSpanKind(kind), trace.WithAttributes(attrs...))
}

// End ends span, marking it failed with err's message when err is not nil.
func End(span trace.Span, err error) {
	if err != nil && span.IsRecording() {
		span.SetStatus(codes.Error, truncate(err.Error(), 256))
	}
	span.End()
}

// HTTPStatus records an HTTP answer's status on span; a client span with a
// status of 400 or more, a server span with 500 or more, is an error
// (OpenTelemetry's HTTP conventions).
func HTTPStatus(span trace.Span, kind trace.SpanKind, status int) {
	if !span.IsRecording() || status == 0 {
		return
	}
	span.SetAttributes(attribute.Int("http.response.status_code", status))
	if status >= 500 || kind == trace.SpanKindClient && status >= 400 {
		span.SetStatus(codes.Error, strconv.Itoa(status)+" "+http.StatusText(status))
	}
}

// Traceparent is the W3C traceparent header of the span in ctx, or "" when
// it records nothing.
func Traceparent(ctx context.Context) string {
	sc := trace.SpanFromContext(ctx).SpanContext()
	if !sc.IsValid() || !sc.IsSampled() {
		return ""
	}
	return "00-" + sc.TraceID().String() + "-" + sc.SpanID().String() + "-" + sc.TraceFlags().String()
}

// ParseTraceparent reads a version-00 traceparent
// (00-<32 hex>-<16 hex>-<2 hex>, lowercase, ids not all zero).
// https://www.w3.org/TR/trace-context/#traceparent-header
func ParseTraceparent(tp string) (trace.SpanContext, bool) {
	parts := strings.Split(strings.TrimSpace(tp), "-")
	if len(parts) != 4 || parts[0] != "00" || len(parts[1]) != 32 || len(parts[2]) != 16 || len(parts[3]) != 2 ||
		!isLowerHex(parts[1]) || !isLowerHex(parts[2]) || !isLowerHex(parts[3]) {
		return trace.SpanContext{}, false
	}
	tid, err1 := trace.TraceIDFromHex(parts[1]) // refuses the all-zero id
	sid, err2 := trace.SpanIDFromHex(parts[2])
	flags, err3 := strconv.ParseUint(parts[3], 16, 8)
	if err1 != nil || err2 != nil || err3 != nil {
		return trace.SpanContext{}, false
	}
	return trace.NewSpanContext(trace.SpanContextConfig{
		TraceID: tid, SpanID: sid, TraceFlags: trace.TraceFlags(flags) & trace.FlagsSampled, Remote: true,
	}), true
}

func isLowerHex(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}

// RoutePath is an URL path with every GUID segment replaced by {id}: a span
// name of bounded cardinality.
func RoutePath(p string) string {
	segs := strings.Split(p, "/")
	for i, s := range segs {
		if len(s) == 36 && s[8] == '-' && s[13] == '-' && s[18] == '-' && s[23] == '-' {
			segs[i] = "{id}"
		}
	}
	return strings.Join(segs, "/")
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n]
}
