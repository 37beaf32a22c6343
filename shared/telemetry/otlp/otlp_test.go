package otlp

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/trace"

	"github.com/entra-tools/reprocess/internal/testkit"
	"github.com/entra-tools/reprocess/shared/config"
	"github.com/entra-tools/reprocess/shared/telemetry"
)

func TestNoEndpointNoTracing(t *testing.T) {
	tr := Start(config.Telemetry{ServiceName: "x"}, http.DefaultTransport, nil)
	if tr != nil {
		t.Fatalf("Start without an endpoint = %v, want nil (no exporter, provider or goroutine)", tr)
	}
	if tr.Provider() != nil || tr.Flush(context.Background()) != nil || tr.Shutdown(context.Background()) != nil {
		t.Errorf("a nil Tracing is not inert")
	}
	ctx, span := telemetry.Server(context.Background(), tr.Provider(), trace.SpanKindServer, "GET", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01")
	if span.IsRecording() {
		t.Errorf("a server span records without a provider")
	}
	if _, child := telemetry.Child(ctx, trace.SpanKindClient, "Graph"); child.IsRecording() {
		t.Errorf("a child span records without a provider")
	}
}

func TestExportsOTLPJSON(t *testing.T) {
	rcv := testkit.NewOTLPReceiver(t)
	tr := Start(config.Telemetry{TracesURL: rcv.URL + "/v1/traces", ServiceName: "reprocess-test"}, http.DefaultTransport, nil)
	const inbound = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"
	ctx, server := telemetry.Server(context.Background(), tr.Provider(), trace.SpanKindServer, "POST /x", inbound,
		attribute.Int("n", 7), attribute.Bool("b", true), attribute.StringSlice("s", []string{"a"}), attribute.Float64("f", 1.5))
	_, child := telemetry.Child(ctx, trace.SpanKindClient, "Graph POST")
	telemetry.HTTPStatus(child, trace.SpanKindClient, 429)
	telemetry.End(child, nil)
	_, failed := telemetry.Child(ctx, trace.SpanKindInternal, "failing")
	telemetry.End(failed, errors.New("boom"))
	server.End()
	if err := tr.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}

	spans, _, problems := rcv.Spans()
	if len(problems) > 0 {
		t.Fatalf("malformed exports: %q", problems)
	}
	if len(spans) != 3 {
		t.Fatalf("received %d spans, want 3: %+v", len(spans), spans)
	}
	byName := map[string]testkit.Span{}
	for _, s := range spans {
		byName[s.Name] = s
		if s.TraceID != "0af7651916cd43dd8448eb211c80319c" {
			t.Errorf("%s: traceId = %q, want the inbound trace", s.Name, s.TraceID)
		}
		if s.Service != "reprocess-test" {
			t.Errorf("%s: service.name = %q", s.Name, s.Service)
		}
		start, err1 := strconv.ParseInt(s.Start, 10, 64)
		end, err2 := strconv.ParseInt(s.End, 10, 64)
		if err1 != nil || err2 != nil || start <= 0 || end < start {
			t.Errorf("%s: times %q..%q are not unix nanoseconds as strings", s.Name, s.Start, s.End)
		}
		if len(s.SpanID) != 16 || strings.Trim(s.SpanID, "0123456789abcdef") != "" {
			t.Errorf("%s: spanId %q is not 16 lowercase hex digits", s.Name, s.SpanID)
		}
	}
	srv, cl, fl := byName["POST /x"], byName["Graph POST"], byName["failing"]
	if srv.Kind != 2 || srv.ParentSpanID != "b7ad6b7169203331" {
		t.Errorf("server span: kind %d parent %q, want 2 under the inbound span", srv.Kind, srv.ParentSpanID)
	}
	if srv.Attr("n") != "7" || srv.Attr("b") != "true" {
		t.Errorf("server span attributes: %+v", srv.Attributes)
	}
	if cl.Kind != 3 || cl.ParentSpanID != srv.SpanID || cl.Attr("http.response.status_code") != "429" || cl.Status.Code != 2 {
		t.Errorf("client span: %+v", cl)
	}
	if fl.Kind != 1 || fl.Status.Code != 2 || fl.Status.Message != "boom" {
		t.Errorf("failed span: %+v", fl)
	}
}

func TestExportFailureIsLogged(t *testing.T) {
	var logs strings.Builder
	tr := Start(config.Telemetry{TracesURL: "http://127.0.0.1:1/v1/traces", ServiceName: "x"}, http.DefaultTransport,
		slog.New(slog.NewJSONHandler(&logs, nil)))
	_, s := tr.Provider().Tracer("t").Start(context.Background(), "s")
	s.End()
	if err := tr.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(logs.String(), `"msg":"telemetry export failed"`) {
		t.Errorf("an unreachable receiver is not logged: %q", logs.String())
	}
}

// A trace that starts here has an id X-Ray reads: its start time in Unix
// seconds, then random bits.
func TestTraceIDsCarryTheirStartTime(t *testing.T) {
	at := time.Date(2026, 12, 7, 1, 0, 0, 0, time.UTC)
	g := xrayIDs{now: func() time.Time { return at }}
	tid, sid := g.NewIDs(context.Background())
	if got := tid.String()[:8]; got != strconv.FormatInt(at.Unix(), 16) {
		t.Errorf("trace id %s does not start with the time %x", tid, at.Unix())
	}
	if !tid.IsValid() || !sid.IsValid() {
		t.Errorf("invalid ids %s %s", tid, sid)
	}
	tid2, _ := g.NewIDs(context.Background())
	if tid2 == tid {
		t.Errorf("two traces share the id %s", tid)
	}
}
