package otlp

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"

	"github.com/entra-tools/reprocess/shared/config"
)

// Tracing is the process's tracer provider and its exporter. A nil
// *Tracing is tracing turned off: its methods do nothing.
type Tracing struct {
	provider *sdktrace.TracerProvider
}

// exportTimeout bounds one export request (OTEL_EXPORTER_OTLP_TIMEOUT's default).
const exportTimeout = 10 * time.Second

// Start returns the process's tracing, or nil when no endpoint is
// configured: then no exporter, provider or goroutine is created. Spans
// are sampled as their parent was (an inbound traceparent's flag), else
// always; they are batched and sent in the background. A trace that starts
// here gets an id AWS X-Ray accepts.
func Start(c config.Telemetry, transport http.RoundTripper, logger *slog.Logger) *Tracing {
	if c.TracesURL == "" {
		return nil
	}
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	exp := &exporter{url: c.TracesURL, client: &http.Client{Transport: transport, Timeout: exportTimeout}, logger: logger}
	tp := sdktrace.NewTracerProvider(
		sdktrace.WithResource(resource.NewSchemaless(
			attribute.String("service.name", c.ServiceName),
			attribute.String("telemetry.sdk.language", "go"),
		)),
		sdktrace.WithSampler(sdktrace.ParentBased(sdktrace.AlwaysSample())),
		sdktrace.WithIDGenerator(xrayIDs{now: time.Now}),
		sdktrace.WithBatcher(exp, sdktrace.WithBatchTimeout(2*time.Second), sdktrace.WithExportTimeout(exportTimeout)),
	)
	return &Tracing{provider: tp}
}

// Provider is the tracer provider for the edges' server spans; nil when
// tracing is off.
func (t *Tracing) Provider() trace.TracerProvider {
	if t == nil {
		return nil
	}
	return t.provider
}

// Flush sends the spans ended so far, within ctx.
func (t *Tracing) Flush(ctx context.Context) error {
	if t == nil {
		return nil
	}
	return t.provider.ForceFlush(ctx)
}

// Shutdown sends the spans ended so far, within ctx, and stops the
// background export; spans ended later are dropped.
func (t *Tracing) Shutdown(ctx context.Context) error {
	if t == nil {
		return nil
	}
	return t.provider.Shutdown(ctx)
}
