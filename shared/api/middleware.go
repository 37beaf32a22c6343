package api

import (
	"context"
	"log/slog"
	"net/http"
	"path"
	"strings"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/trace"

	"github.com/entra-tools/reprocess/shared/graph"
	"github.com/entra-tools/reprocess/shared/invocation"
	"github.com/entra-tools/reprocess/shared/reprocess"
	"github.com/entra-tools/reprocess/shared/telemetry"
)

// record is what a request's single log line says; handlers fill it in.
type record struct {
	route          string
	assignmentID   string
	graphRequestID string
	code           string
	err            error
	calls          *graph.Calls // the Graph calls made for the request
	attrs          []slog.Attr  // more, e.g. the caller's oid and azp, a batch's counts
}

type recordKey struct{}

func recordOf(r *http.Request) *record {
	if rec, ok := r.Context().Value(recordKey{}).(*record); ok {
		return rec
	}
	return &record{}
}

// statusWriter remembers the status a handler wrote.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(status int) {
	if w.status == 0 {
		w.status = status
	}
	w.ResponseWriter.WriteHeader(status)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// serve wraps the router: one log line and one server span per request, a
// deadline, panics turned into a 500, and non-canonical paths refused before
// routing (the router would redirect them, and an id like ".." must be a 400).
func serve(next http.Handler, logger *slog.Logger, timeout time.Duration, tp trace.TracerProvider) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &record{}
		// No span for the platform's readiness polls, and no cost with tracing off.
		ctx, span := r.Context(), trace.SpanFromContext(context.Background())
		if tp != nil && r.URL.Path != "/" {
			ctx, span = telemetry.Server(ctx, tp, trace.SpanKindServer, r.Method, r.Header.Get("Traceparent"),
				attribute.String("http.request.method", r.Method), attribute.String("url.path", telemetry.RoutePath(r.URL.Path)))
		}
		ctx, calls := graph.WithCalls(ctx)
		rec.calls = calls
		ctx, cancel := context.WithTimeout(context.WithValue(ctx, recordKey{}, rec), timeout)
		defer cancel()
		r = r.WithContext(ctx)
		sw := &statusWriter{ResponseWriter: w}

		defer func() {
			if p := recover(); p != nil {
				logger.Error("panic", "panic", slog.AnyValue(p), "route", rec.route)
				if sw.status == 0 {
					writeError(sw, r, &reprocess.Problem{Status: http.StatusInternalServerError, Code: "InternalServerError", Message: "An internal error occurred."})
				}
			}
			logRequest(logger, r, rec, sw.status, time.Since(start))
			endSpan(span, r, rec, sw.status)
		}()

		if !canonicalPath(r.URL.Path) {
			writeError(sw, r, &reprocess.Problem{Status: http.StatusBadRequest, Code: "InvalidAssignmentId",
				Message: "The path must not contain empty, '.' or '..' segments; an assignment id is a GUID."})
			return
		}
		next.ServeHTTP(sw, r)
	})
}

// endSpan names the server span after its route and ends it.
func endSpan(span trace.Span, r *http.Request, rec *record, status int) {
	if !span.IsRecording() {
		return
	}
	if rec.route != "" {
		span.SetName(r.Method + " " + rec.route)
		span.SetAttributes(attribute.String("http.route", rec.route))
	}
	if info, ok := invocation.FromContext(r.Context()); ok && info.ID != "" {
		span.SetAttributes(attribute.String("faas.invocation_id", info.ID))
	}
	if rec.assignmentID != "" {
		span.SetAttributes(telemetry.AssignmentID.String(rec.assignmentID))
	}
	if rec.code != "" {
		span.SetAttributes(telemetry.Outcome.String(rec.code))
	}
	telemetry.HTTPStatus(span, trace.SpanKindServer, status)
	span.End()
}

func canonicalPath(p string) bool {
	if p == "/" {
		return true
	}
	return strings.HasPrefix(p, "/") && path.Clean(p) == p
}

func logRequest(logger *slog.Logger, r *http.Request, rec *record, status int, d time.Duration) {
	info, _ := invocation.FromContext(r.Context())
	level := slog.LevelInfo
	if status >= 500 {
		level = slog.LevelError
	} else if status >= 400 {
		level = slog.LevelWarn
	}
	attrs := []slog.Attr{
		slog.String("invocationId", invocationID(r, info)),
		slog.String("trigger", triggerOf(info)),
		slog.String("method", r.Method),
		slog.String("route", rec.route),
		slog.Int("status", status),
		slog.Int64("durationMs", d.Milliseconds()),
	}
	if rec.assignmentID != "" {
		attrs = append(attrs, slog.String("assignmentId", rec.assignmentID))
	}
	if rec.code != "" {
		attrs = append(attrs, slog.String("outcome", rec.code))
	}
	if rec.graphRequestID != "" {
		attrs = append(attrs, slog.String("graphRequestId", rec.graphRequestID))
	}
	if info.XRay != "" {
		attrs = append(attrs, slog.String("xrayTraceId", info.XRay))
	}
	attrs = append(attrs, correlation(r.Header)...)
	if rec.calls != nil {
		if calls, n := rec.calls.List(); n > 0 {
			attrs = append(attrs, slog.Any("graphCalls", calls), slog.Int("graphCallCount", n))
		}
	}
	attrs = append(attrs, rec.attrs...)
	if rec.err != nil {
		attrs = append(attrs, slog.String("error", rec.err.Error()))
	}
	logger.LogAttrs(r.Context(), level, "request", attrs...)
}

func invocationID(r *http.Request, info invocation.Info) string {
	if info.ID != "" {
		return info.ID
	}
	return r.Header.Get("X-Azure-Functions-InvocationId")
}

func triggerOf(info invocation.Info) string {
	if info.Trigger == "" {
		return string(invocation.HTTP)
	}
	return string(info.Trigger)
}
