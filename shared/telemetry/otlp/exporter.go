package otlp

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net/http"
	"strconv"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
)

// exporter POSTs spans to an OTLP/HTTP traces endpoint, JSON-encoded
// (https://opentelemetry.io/docs/specs/otlp/#json-protobuf-encoding): ids
// in hex, enums as integers, 64-bit integers as strings.
type exporter struct {
	url    string
	client *http.Client
	logger *slog.Logger
}

var _ sdktrace.SpanExporter = (*exporter)(nil)

// ExportSpans sends one request. A failure is logged, not returned: the
// SDK would hand it to OpenTelemetry's global error handler, which writes
// plain text to stderr, and a span batch is never retried anyway.
func (e *exporter) ExportSpans(ctx context.Context, spans []sdktrace.ReadOnlySpan) error {
	// The SDK calls it on its batching goroutine: a panic here would end
	// the process, so it becomes a failed export.
	defer func() {
		if p := recover(); p != nil {
			e.fail(len(spans), fmt.Errorf("panic: %v", p))
		}
	}()
	if len(spans) == 0 {
		return nil
	}
	body, err := json.Marshal(encode(spans))
	if err != nil {
		e.fail(len(spans), err)
		return nil
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, e.url, bytes.NewReader(body))
	if err != nil {
		e.fail(len(spans), err)
		return nil
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := e.client.Do(req)
	if err != nil {
		e.fail(len(spans), err)
		return nil
	}
	defer resp.Body.Close()
	msg, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
	if resp.StatusCode/100 != 2 {
		e.fail(len(spans), fmt.Errorf("the receiver answered %d: %.200s", resp.StatusCode, msg))
	}
	return nil
}

func (e *exporter) fail(n int, err error) {
	e.logger.Warn("telemetry export failed", "spans", n, "endpoint", e.url, "error", err.Error())
}

// Shutdown has nothing to release: the SDK flushes before calling it.
func (e *exporter) Shutdown(context.Context) error { return nil }

// The OTLP JSON shapes, the fields this project's spans use.
type (
	exportRequest struct {
		ResourceSpans []resourceSpans `json:"resourceSpans"`
	}
	resourceSpans struct {
		Resource   otlpResource `json:"resource"`
		ScopeSpans []scopeSpans `json:"scopeSpans"`
	}
	otlpResource struct {
		Attributes []keyValue `json:"attributes"`
	}
	scopeSpans struct {
		Scope scope  `json:"scope"`
		Spans []span `json:"spans"`
	}
	scope struct {
		Name    string `json:"name"`
		Version string `json:"version,omitempty"`
	}
	span struct {
		TraceID           string     `json:"traceId"`
		SpanID            string     `json:"spanId"`
		TraceState        string     `json:"traceState,omitempty"`
		ParentSpanID      string     `json:"parentSpanId,omitempty"`
		Flags             uint32     `json:"flags,omitempty"`
		Name              string     `json:"name"`
		Kind              int        `json:"kind"`
		StartTimeUnixNano string     `json:"startTimeUnixNano"`
		EndTimeUnixNano   string     `json:"endTimeUnixNano"`
		Attributes        []keyValue `json:"attributes,omitempty"`
		Events            []event    `json:"events,omitempty"`
		Status            status     `json:"status"`
	}
	event struct {
		TimeUnixNano string     `json:"timeUnixNano"`
		Name         string     `json:"name"`
		Attributes   []keyValue `json:"attributes,omitempty"`
	}
	status struct {
		Message string `json:"message,omitempty"`
		Code    int    `json:"code,omitempty"` // 0 unset, 1 ok, 2 error
	}
	keyValue struct {
		Key   string   `json:"key"`
		Value anyValue `json:"value"`
	}
	anyValue struct {
		StringValue *string     `json:"stringValue,omitempty"`
		BoolValue   *bool       `json:"boolValue,omitempty"`
		IntValue    *string     `json:"intValue,omitempty"`
		DoubleValue *float64    `json:"doubleValue,omitempty"`
		ArrayValue  *arrayValue `json:"arrayValue,omitempty"`
	}
	arrayValue struct {
		Values []anyValue `json:"values"`
	}
)

// encode groups spans by resource and scope, as OTLP nests them.
func encode(spans []sdktrace.ReadOnlySpan) exportRequest {
	var req exportRequest
	type scopeKey struct{ name, version string }
	byResource := map[attribute.Distinct]int{}
	byScope := map[int]map[scopeKey]int{}
	for _, s := range spans {
		res := s.Resource()
		ri, ok := byResource[res.Equivalent()]
		if !ok {
			ri = len(req.ResourceSpans)
			byResource[res.Equivalent()] = ri
			byScope[ri] = map[scopeKey]int{}
			req.ResourceSpans = append(req.ResourceSpans, resourceSpans{Resource: otlpResource{Attributes: keyValues(res.Attributes())}})
		}
		sc := s.InstrumentationScope()
		k := scopeKey{sc.Name, sc.Version}
		si, ok := byScope[ri][k]
		if !ok {
			si = len(req.ResourceSpans[ri].ScopeSpans)
			byScope[ri][k] = si
			req.ResourceSpans[ri].ScopeSpans = append(req.ResourceSpans[ri].ScopeSpans, scopeSpans{Scope: scope{Name: sc.Name, Version: sc.Version}})
		}
		ss := &req.ResourceSpans[ri].ScopeSpans[si]
		ss.Spans = append(ss.Spans, encodeSpan(s))
	}
	return req
}

func encodeSpan(s sdktrace.ReadOnlySpan) span {
	sc := s.SpanContext()
	out := span{
		TraceID:           sc.TraceID().String(),
		SpanID:            sc.SpanID().String(),
		TraceState:        sc.TraceState().String(),
		Flags:             uint32(sc.TraceFlags()),
		Name:              s.Name(),
		Kind:              int(s.SpanKind()), // the API's numbering is OTLP's
		StartTimeUnixNano: unixNano(s.StartTime()),
		EndTimeUnixNano:   unixNano(s.EndTime()),
		Attributes:        keyValues(s.Attributes()),
	}
	if p := s.Parent(); p.IsValid() {
		out.ParentSpanID = p.SpanID().String()
		if p.IsRemote() {
			out.Flags |= 0x300 // SPAN_FLAGS_CONTEXT_HAS_IS_REMOTE_MASK | SPAN_FLAGS_CONTEXT_IS_REMOTE_MASK
		} else {
			out.Flags |= 0x100
		}
	}
	if out.Kind == 0 {
		out.Kind = 1 // internal
	}
	switch st := s.Status(); st.Code {
	case codes.Error:
		out.Status = status{Code: 2, Message: st.Description}
	case codes.Ok:
		out.Status = status{Code: 1}
	}
	for _, ev := range s.Events() {
		out.Events = append(out.Events, event{TimeUnixNano: unixNano(ev.Time), Name: ev.Name, Attributes: keyValues(ev.Attributes)})
	}
	return out
}

func unixNano(t time.Time) string {
	if t.IsZero() {
		return "0"
	}
	return strconv.FormatInt(t.UnixNano(), 10)
}

func keyValues(kvs []attribute.KeyValue) []keyValue {
	if len(kvs) == 0 {
		return nil
	}
	out := make([]keyValue, 0, len(kvs))
	for _, kv := range kvs {
		out = append(out, keyValue{Key: string(kv.Key), Value: valueOf(kv.Value)})
	}
	return out
}

func valueOf(v attribute.Value) anyValue {
	switch v.Type() {
	case attribute.BOOL:
		b := v.AsBool()
		return anyValue{BoolValue: &b}
	case attribute.INT64:
		s := strconv.FormatInt(v.AsInt64(), 10)
		return anyValue{IntValue: &s}
	case attribute.FLOAT64:
		f := v.AsFloat64()
		if math.IsNaN(f) || math.IsInf(f, 0) {
			s := strconv.FormatFloat(f, 'g', -1, 64)
			return anyValue{StringValue: &s}
		}
		return anyValue{DoubleValue: &f}
	case attribute.BOOLSLICE:
		return arrayOf(v.AsBoolSlice(), attribute.BoolValue)
	case attribute.INT64SLICE:
		return arrayOf(v.AsInt64Slice(), attribute.Int64Value)
	case attribute.FLOAT64SLICE:
		return arrayOf(v.AsFloat64Slice(), attribute.Float64Value)
	case attribute.STRINGSLICE:
		return arrayOf(v.AsStringSlice(), attribute.StringValue)
	}
	s := v.Emit()
	return anyValue{StringValue: &s}
}

// arrayOf encodes a slice attribute, element by element.
func arrayOf[T any](xs []T, value func(T) attribute.Value) anyValue {
	var a arrayValue
	for _, x := range xs {
		a.Values = append(a.Values, valueOf(value(x)))
	}
	return anyValue{ArrayValue: &a}
}
