package awslambda

import (
	"context"
	"encoding/json"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/aws/aws-lambda-go/events"
)

// serveALB handles an Application Load Balancer event. The target group
// either sends multi-value headers and query parameters or single ones, never
// both, and expects the answer in the same mode.
func (h *Handler) serveALB(ctx context.Context, id string, payload []byte) []byte {
	var ev events.ALBTargetGroupRequest
	if err := json.Unmarshal(payload, &ev); err != nil {
		return albResponse(h.badEvent(ctx, id, sourceALB, err), false)
	}
	multi := ev.MultiValueHeaders != nil
	return albResponse(h.serveHTTP(ctx, id, sourceALB, albRequest(&ev)), multi)
}

// albRequest converts a load balancer event.
func albRequest(ev *events.ALBTargetGroupRequest) *httpRequest {
	header := make(http.Header, max(len(ev.Headers), len(ev.MultiValueHeaders)))
	addHeaders(header, ev.Headers, ev.MultiValueHeaders)
	return &httpRequest{
		method:   ev.HTTPMethod,
		path:     ev.Path,
		rawQuery: albQuery(ev.QueryStringParameters, ev.MultiValueQueryStringParameters),
		header:   header,
		body:     ev.Body,
		base64:   ev.IsBase64Encoded,
		sourceIP: lastForwardedFor(header),
		proto:    "HTTP/1.1",
	}
}

// albQuery rebuilds the query string. The load balancer passes names and
// values still percent-encoded, so they are joined as they are; encoding them
// again would turn "%20" into "%2520". Map order is lost in the event, so
// names are sorted to keep the result stable.
func albQuery(single map[string]string, multi map[string][]string) string {
	if len(multi) == 0 && len(single) == 0 {
		return ""
	}
	var b strings.Builder
	add := func(k, v string) {
		if b.Len() > 0 {
			b.WriteByte('&')
		}
		b.WriteString(k)
		b.WriteByte('=')
		b.WriteString(v)
	}
	if len(multi) > 0 {
		for _, k := range slices.Sorted(maps.Keys(multi)) {
			for _, v := range multi[k] {
				add(k, v)
			}
		}
		return b.String()
	}
	for _, k := range slices.Sorted(maps.Keys(single)) {
		add(k, single[k])
	}
	return b.String()
}

// albResponse encodes the core's answer in the mode the request came in. In
// single-value mode only one Set-Cookie can be sent; the first is kept.
func albResponse(resp response, multi bool) []byte {
	out := make([]byte, 0, responseSize(resp))
	out = appendStatus(out, resp.Status)
	out = append(out, `,"statusDescription":"`...)
	out = strconv.AppendInt(out, int64(resp.Status), 10) // statusDescription, no escaping needed
	if text := http.StatusText(resp.Status); text != "" {
		out = append(out, ' ')
		out = append(out, text...)
	}
	out = append(out, '"')
	if multi {
		out = append(out, `,"headers":null,"multiValueHeaders":`...)
		out = appendMultiHeaders(out, resp.Header)
	} else {
		out = append(out, `,"headers":`...)
		out = appendSingleHeaders(out, resp.Header, resp.Header.Get("Set-Cookie"))
		out = append(out, `,"multiValueHeaders":null`...)
	}
	out = appendBody(out, resp, true, false)
	return append(out, '}')
}
