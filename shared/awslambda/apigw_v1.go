package awslambda

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"

	"github.com/aws/aws-lambda-go/events"
)

// serveREST handles an API Gateway REST API event (or an HTTP API event in
// payload format 1.0, which has the same shape).
func (h *Handler) serveREST(ctx context.Context, id string, payload []byte) []byte {
	var ev events.APIGatewayProxyRequest
	var resp response
	if err := json.Unmarshal(payload, &ev); err != nil {
		resp = h.badEvent(ctx, id, sourceREST, err)
	} else {
		if id == "" {
			id = ev.RequestContext.RequestID
		}
		resp = h.serveHTTP(ctx, id, sourceREST, restRequest(&ev))
	}
	return restResponse(resp)
}

// restRequest converts a payload format 1.0 event.
func restRequest(ev *events.APIGatewayProxyRequest) *httpRequest {
	header := make(http.Header, max(len(ev.Headers), len(ev.MultiValueHeaders)))
	addHeaders(header, ev.Headers, ev.MultiValueHeaders)
	return &httpRequest{
		method:   ev.HTTPMethod,
		path:     ev.Path,
		rawQuery: restQuery(ev.QueryStringParameters, ev.MultiValueQueryStringParameters),
		header:   header,
		body:     ev.Body,
		base64:   ev.IsBase64Encoded,
		host:     ev.RequestContext.DomainName,
		sourceIP: ev.RequestContext.Identity.SourceIP,
		proto:    ev.RequestContext.Protocol,
		prefix:   stagePrefix(ev.RequestContext.Path, ev.Path),
	}
}

// restQuery re-encodes the query, which API Gateway hands over decoded.
// The multi-value map is complete; the single-value one keeps only the last
// value of each name.
func restQuery(single map[string]string, multi map[string][]string) string {
	if len(multi) > 0 {
		return url.Values(multi).Encode()
	}
	if len(single) == 0 {
		return ""
	}
	v := make(url.Values, len(single))
	for k, s := range single {
		v[k] = []string{s}
	}
	return v.Encode()
}

// stagePrefix returns what the caller's path had in front of the path the
// API passes on: "/prod" when the caller used the execute-api URL of stage
// prod, a base path of a custom domain, or "".
func stagePrefix(callerPath, path string) string {
	if len(callerPath) > len(path) && strings.HasSuffix(callerPath, path) {
		return callerPath[:len(callerPath)-len(path)]
	}
	return ""
}

// restResponse encodes the core's answer. Every header goes into
// multiValueHeaders, which API Gateway merges with headers, so repeated
// headers such as Set-Cookie survive.
func restResponse(resp response) []byte {
	out := make([]byte, 0, responseSize(resp))
	out = appendStatus(out, resp.Status)
	out = append(out, `,"headers":null,"multiValueHeaders":`...)
	out = appendMultiHeaders(out, resp.Header)
	out = appendBody(out, resp, false, true)
	return append(out, '}')
}
