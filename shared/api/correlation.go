package api

import (
	"log/slog"
	"net/http"
	"strings"

	"github.com/entra-tools/reprocess/shared/telemetry"
)

// correlation is what a request's log line carries so an operator can get
// from one Logic Apps run or one trace to it: the W3C trace id of an
// inbound traceparent, and Logic Apps' run and client tracking ids. Values
// are checked for their shape and cut short; a callback URL's signature
// never travels in these headers.
func correlation(h http.Header) []slog.Attr {
	var attrs []slog.Attr
	if id := traceID(h.Get("Traceparent")); id != "" {
		attrs = append(attrs, slog.String("traceId", id))
	}
	for _, hv := range []struct{ header, key string }{
		{"X-Ms-Workflow-Run-Id", "workflowRunId"},
		{"X-Ms-Workflow-Name", "workflowName"},
		{"X-Ms-Client-Tracking-Id", "clientTrackingId"},
	} {
		if v := token(h.Get(hv.header), 128); v != "" {
			attrs = append(attrs, slog.String(hv.key, v))
		}
	}
	return attrs
}

// traceID is the trace id of a version-00 traceparent
// (00-<32 hex>-<16 hex>-<2 hex>), or "" when it is not one.
func traceID(tp string) string {
	if sc, ok := telemetry.ParseTraceparent(tp); ok {
		return sc.TraceID().String()
	}
	return ""
}

// token keeps an identifier's characters (letters, digits, - _ . : #) and
// is empty for anything else, cut at n bytes.
func token(s string, n int) string {
	s = strings.TrimSpace(s)
	if s == "" || len(s) > n {
		return ""
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || strings.IndexByte("-_.:#", c) >= 0) {
			return ""
		}
	}
	return s
}
