package awslambda

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"

	"github.com/aws/aws-lambda-go/events"
)

// serveV2 handles the payload format 2.0 shared by HTTP APIs and function
// URLs; only the response types differ.
func (h *Handler) serveV2(ctx context.Context, id string, src source, payload []byte) []byte {
	var ev events.APIGatewayV2HTTPRequest
	var resp response
	if err := json.Unmarshal(payload, &ev); err != nil {
		resp = h.badEvent(ctx, id, src, err)
	} else {
		if id == "" {
			id = ev.RequestContext.RequestID
		}
		resp = h.serveHTTP(ctx, id, src, v2Request(&ev))
	}
	if src == sourceFunctionURL {
		return functionURLResponse(resp)
	}
	return httpAPIResponse(resp)
}

// v2Request converts a payload format 2.0 event.
func v2Request(ev *events.APIGatewayV2HTTPRequest) *httpRequest {
	header := make(http.Header, len(ev.Headers)+1)
	// Values of repeated headers arrive comma-joined; splitting them again
	// would break values that contain commas, so they stay as sent.
	addHeaders(header, ev.Headers, nil)
	if len(ev.Cookies) > 0 {
		// The cookies array is the request's cookies; a cookie header, when
		// the platform also sends one, holds the same.
		header["Cookie"] = []string{strings.Join(ev.Cookies, "; ")}
	}
	rc := &ev.RequestContext
	path, prefix := stripStage(ev.RawPath, rc.Stage, rc.DomainName, rc.APIID)
	return &httpRequest{
		method:   rc.HTTP.Method,
		path:     path,
		rawQuery: ev.RawQueryString, // as sent; queryStringParameters loses repeats
		header:   header,
		body:     ev.Body,
		base64:   ev.IsBase64Encoded,
		host:     rc.DomainName,
		sourceIP: rc.HTTP.SourceIP,
		proto:    rc.HTTP.Protocol,
		prefix:   prefix,
	}
}

// stripStage removes a named stage from the front of an HTTP API path. On the
// API's own execute-api domain the path keeps the stage ("/dev/api/…"); on a
// custom domain, and for the $default stage, there is none to remove.
func stripStage(path, stage, domain, apiID string) (rest, prefix string) {
	if stage == "" || stage == "$default" || apiID == "" {
		return path, ""
	}
	if d, ok := strings.CutPrefix(domain, apiID); !ok || !strings.HasPrefix(d, ".execute-api.") {
		return path, ""
	}
	// The prefix is "/" + stage, taken from path so as not to build it.
	n := 1 + len(stage)
	if len(path) < n || path[0] != '/' || path[1:n] != stage {
		return path, ""
	}
	switch {
	case len(path) == n:
		return "/", path
	case path[n] == '/':
		return path[n:], path[:n]
	}
	return path, ""
}

// httpAPIResponse encodes the core's answer for an HTTP API, which ignores
// multiValueHeaders: repeated headers are comma-joined and Set-Cookie goes
// into cookies.
func httpAPIResponse(resp response) []byte {
	out := make([]byte, 0, responseSize(resp))
	out = appendStatus(out, resp.Status)
	out = append(out, `,"headers":`...)
	out = appendSingleHeaders(out, resp.Header, "")
	out = append(out, `,"multiValueHeaders":null`...)
	out = appendBody(out, resp, false, true)
	out = append(out, `,"cookies":`...)
	out = appendStrings(out, resp.Header["Set-Cookie"])
	return append(out, '}')
}

// functionURLResponse encodes the core's answer for a function URL, whose
// response type has no multi-value headers at all.
func functionURLResponse(resp response) []byte {
	out := make([]byte, 0, responseSize(resp))
	out = appendStatus(out, resp.Status)
	out = append(out, `,"headers":`...)
	out = appendSingleHeaders(out, resp.Header, "")
	out = appendBody(out, resp, false, false)
	out = append(out, `,"cookies":`...)
	out = appendStrings(out, resp.Header["Set-Cookie"])
	return append(out, '}')
}
