package testkit

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
)

// OTLPReceiver is an OpenTelemetry receiver on loopback that accepts
// OTLP/HTTP JSON trace exports (POST /v1/traces) and keeps their spans.
type OTLPReceiver struct {
	URL string // the base URL, for OTEL_EXPORTER_OTLP_ENDPOINT

	mu       sync.Mutex
	spans    []Span
	requests int
	problems []string
}

// Span is one received span, flattened with its resource's service name.
type Span struct {
	Service      string
	TraceID      string `json:"traceId"`
	SpanID       string `json:"spanId"`
	ParentSpanID string `json:"parentSpanId"`
	Name         string `json:"name"`
	Kind         int    `json:"kind"` // 1 internal, 2 server, 3 client, 4 producer, 5 consumer
	Start        string `json:"startTimeUnixNano"`
	End          string `json:"endTimeUnixNano"`
	Attributes   []struct {
		Key   string `json:"key"`
		Value struct {
			StringValue *string `json:"stringValue"`
			IntValue    *string `json:"intValue"`
			BoolValue   *bool   `json:"boolValue"`
		} `json:"value"`
	} `json:"attributes"`
	Status struct {
		Code    int    `json:"code"` // 0 unset, 1 ok, 2 error
		Message string `json:"message"`
	} `json:"status"`
}

// Attr is the attribute's value as text ("" when absent); integers are
// the decimal strings OTLP JSON sends.
func (s Span) Attr(key string) string {
	for _, a := range s.Attributes {
		if a.Key != key {
			continue
		}
		switch v := a.Value; {
		case v.StringValue != nil:
			return *v.StringValue
		case v.IntValue != nil:
			return *v.IntValue
		case v.BoolValue != nil && *v.BoolValue:
			return "true"
		case v.BoolValue != nil:
			return "false"
		}
	}
	return ""
}

// NewOTLPReceiver starts a receiver, closed when the test ends.
func NewOTLPReceiver(tb testing.TB) *OTLPReceiver {
	tb.Helper()
	r := &OTLPReceiver{}
	srv := httptest.NewServer(http.HandlerFunc(r.serve))
	tb.Cleanup(srv.Close)
	r.URL = srv.URL
	return r
}

func (r *OTLPReceiver) serve(w http.ResponseWriter, req *http.Request) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.requests++
	if req.Method != http.MethodPost || req.URL.Path != "/v1/traces" || req.Header.Get("Content-Type") != "application/json" {
		r.problems = append(r.problems, req.Method+" "+req.URL.Path+" "+req.Header.Get("Content-Type"))
		http.Error(w, "want POST /v1/traces application/json", http.StatusBadRequest)
		return
	}
	body, _ := io.ReadAll(req.Body)
	var export struct {
		ResourceSpans []struct {
			Resource struct {
				Attributes json.RawMessage `json:"attributes"`
			} `json:"resource"`
			ScopeSpans []struct {
				Spans []Span `json:"spans"`
			} `json:"scopeSpans"`
		} `json:"resourceSpans"`
	}
	if err := json.Unmarshal(body, &export); err != nil {
		r.problems = append(r.problems, "undecodable body: "+err.Error())
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	for _, rs := range export.ResourceSpans {
		var res Span
		_ = json.Unmarshal([]byte(`{"attributes":`+string(rs.Resource.Attributes)+`}`), &res)
		for _, ss := range rs.ScopeSpans {
			for _, s := range ss.Spans {
				s.Service = res.Attr("service.name")
				r.spans = append(r.spans, s)
			}
		}
	}
	w.Header().Set("Content-Type", "application/json")
	io.WriteString(w, "{}")
}

// Spans returns the spans received so far, the number of export requests,
// and the requests that were not well-formed exports.
func (r *OTLPReceiver) Spans() (spans []Span, requests int, problems []string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]Span(nil), r.spans...), r.requests, append([]string(nil), r.problems...)
}
