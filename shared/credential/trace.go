package credential

import (
	"net/http"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/trace"

	"github.com/entra-tools/reprocess/shared/telemetry"
)

// tracedTransport is the credentials' transport: each request that reaches
// Entra or the managed-identity endpoint (a token cached by MSAL makes
// none) is a client span, with the status and Entra's x-ms-request-id: the
// token requests, and the authority's metadata that MSAL reads first.
type tracedTransport struct{ next *http.Client }

func (t tracedTransport) Do(req *http.Request) (*http.Response, error) {
	path := telemetry.RoutePath(req.URL.Path)
	ctx, span := telemetry.Child(req.Context(), trace.SpanKindClient, "identity "+req.Method+" "+path,
		attribute.String("http.request.method", req.Method),
		attribute.String("server.address", req.URL.Hostname()),
		attribute.String("url.path", path))
	if span.IsRecording() {
		req = req.WithContext(ctx)
	}
	resp, err := t.next.Do(req)
	if err == nil {
		if id := resp.Header.Get("X-Ms-Request-Id"); id != "" {
			span.SetAttributes(attribute.String("entra.request_id", id))
		}
		telemetry.HTTPStatus(span, trace.SpanKindClient, resp.StatusCode)
	}
	telemetry.End(span, err)
	return resp, err
}
