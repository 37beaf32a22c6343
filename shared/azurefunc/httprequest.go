package azurefunc

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
)

// httpTrigger is Data.req, as the host's GetRequestAsJObject writes it.
// Params and Identities are not read: the path carries the route values, and
// the host has already checked the key the identity stands for.
type httpTrigger struct {
	URL     string          `json:"Url"`
	Method  string          `json:"Method"`
	Query   json.RawMessage `json:"Query"`
	Headers json.RawMessage `json:"Headers"`
	Body    json.RawMessage `json:"Body"`
}

// requestFromInvocation rebuilds the caller's request from a JSON invocation
// of an HTTP function. Every field the core will see is checked, so the core
// only ever gets a request net/http itself could have parsed. Error messages
// never quote the payload: it carries function keys.
func requestFromInvocation(ctx context.Context, payload []byte, remoteAddr string) (*http.Request, error) {
	inv, err := decodeInvocation(payload)
	if err != nil {
		return nil, err
	}
	raw, ok := inv.binding(httpTriggerBinding)
	if !ok {
		return nil, fmt.Errorf("the invocation has no Data.%s", httpTriggerBinding)
	}
	obj, err := unwrapObject(raw)
	if err != nil {
		return nil, fmt.Errorf("binding %s: %w", httpTriggerBinding, err)
	}
	var t httpTrigger
	if err := json.Unmarshal(obj, &t); err != nil {
		return nil, fmt.Errorf("binding %s: %s", httpTriggerBinding, jsonProblem(err))
	}
	if !isToken(t.Method) {
		return nil, errors.New("req.Method is not an HTTP method")
	}
	u, err := parseTriggerURL(t.URL)
	if err != nil {
		return nil, err
	}
	query, err := decodeQuery(t.Query)
	if err != nil {
		return nil, err
	}
	header, err := decodeHeaders(t.Headers)
	if err != nil {
		return nil, err
	}
	body, err := decodeBody(t.Body, header.Get("Content-Type"))
	if err != nil {
		return nil, err
	}

	// Url holds the raw query exactly as the caller sent it; Query is only a
	// fallback for a host that left it out of Url.
	rawQuery := u.RawQuery
	if rawQuery == "" && len(query) > 0 {
		rawQuery = query.Encode()
	}
	// net/http moves Host out of the header map and describes the body in
	// ContentLength; the body is complete here, so no transfer coding applies.
	header.Del("Host")
	header.Del("Content-Length")
	header.Del("Transfer-Encoding")
	if len(body) > 0 {
		header.Set("Content-Length", strconv.Itoa(len(body)))
	}
	// Proxy mode gets these from the host; set them the same way so the core
	// builds the same absolute Location in both modes.
	header.Set("X-Forwarded-Proto", forwardedProto(u.Scheme, header))
	header.Set("X-Forwarded-Host", u.Host)

	target := &url.URL{Path: u.Path, RawPath: u.RawPath, RawQuery: rawQuery}
	req := &http.Request{
		Method:        t.Method,
		URL:           target,
		Proto:         "HTTP/1.1",
		ProtoMajor:    1,
		ProtoMinor:    1,
		Header:        header,
		Body:          http.NoBody,
		ContentLength: int64(len(body)),
		Host:          u.Host,
		RemoteAddr:    remoteAddr,
		RequestURI:    target.RequestURI(),
	}
	if len(body) > 0 {
		req.Body = io.NopCloser(bytes.NewReader(body))
	}
	return req.WithContext(ctx), nil
}

// parseTriggerURL checks Url: scheme://Host + Path + QueryString. The parse
// error is dropped because it quotes the URL, and with it ?code=.
func parseTriggerURL(s string) (*url.URL, error) {
	bad := errors.New("req.Url is not an absolute http or https URL")
	u, err := url.Parse(s)
	if err != nil || u.Opaque != "" || u.User != nil || u.Fragment != "" || !validHost(u.Host) {
		return nil, bad
	}
	u.Scheme = strings.ToLower(u.Scheme)
	if u.Scheme != "http" && u.Scheme != "https" {
		return nil, bad
	}
	if u.Path == "" {
		u.Path, u.RawPath = "/", ""
	}
	if u.Path[0] != '/' || !validRequestTarget(u.EscapedPath()) || !validRequestTarget(u.RawQuery) {
		return nil, bad
	}
	return u, nil
}

// forwardedProto is Url's scheme, upgraded to https when the App Service
// front end marked the request as TLS (X-ARR-SSL, or its own
// X-Forwarded-Proto): the host may see plain http behind it. It never
// downgrades, so a caller can at most make its own Location https.
func forwardedProto(scheme string, h http.Header) string {
	if scheme == "http" && (h.Get("X-Arr-Ssl") != "" || strings.EqualFold(firstListElement(h.Get("X-Forwarded-Proto")), "https")) {
		return "https"
	}
	return scheme
}

func firstListElement(v string) string {
	first, _, _ := strings.Cut(v, ",")
	return strings.TrimSpace(first)
}

// decodeQuery reads Query: an object of strings (repeated keys arrive joined
// with commas), or the pre-2020 form, the same object inside a string.
func decodeQuery(raw json.RawMessage) (url.Values, error) {
	values := url.Values{}
	if isNull(raw) {
		return values, nil
	}
	m, err := stringsObject(raw)
	if err != nil {
		return nil, fmt.Errorf("req.Query: %w", err)
	}
	for name, vs := range m {
		values[name] = vs
	}
	return values, nil
}

// decodeHeaders reads Headers: {name: ["v", …]} as the host writes it, or a
// plain string per name. Names are matched case-insensitively (Kestrel keeps
// the caller's casing) and checked like net/http checks them.
func decodeHeaders(raw json.RawMessage) (http.Header, error) {
	header := http.Header{}
	if isNull(raw) {
		return header, nil
	}
	m, err := stringsObject(raw)
	if err != nil {
		return nil, fmt.Errorf("req.Headers: %w", err)
	}
	// Sorted, so that case variants of one name merge in a stable order.
	names := make([]string, 0, len(m))
	for name := range m {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		if !isToken(name) {
			return nil, errors.New("req.Headers: a header name is not a valid token")
		}
		for _, v := range m[name] {
			v = strings.Trim(v, " \t")
			if !validHeaderValue(v) {
				return nil, errors.New("req.Headers: a header value holds control characters")
			}
			header.Add(name, v)
		}
	}
	return header, nil
}

// stringsObject reads an object whose values are strings, arrays of
// strings, or null, possibly wrapped in a string.
func stringsObject(raw json.RawMessage) (map[string][]string, error) {
	obj, err := unwrapObject(raw)
	if err != nil {
		return nil, err
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(obj, &m); err != nil {
		return nil, errors.New("not an object")
	}
	out := make(map[string][]string, len(m))
	for name, v := range m {
		t := bytes.TrimSpace(v)
		switch {
		case isNull(t):
			continue
		case t[0] == '"':
			var s string
			if err := json.Unmarshal(t, &s); err != nil {
				return nil, errors.New("a value is not a string")
			}
			out[name] = []string{s}
		case t[0] == '[':
			var ss []string
			if err := json.Unmarshal(t, &ss); err != nil {
				return nil, errors.New("a value is not an array of strings")
			}
			out[name] = ss
		default:
			return nil, errors.New("a value is not a string or an array of strings")
		}
	}
	return out, nil
}

// decodeBody reads Body: absent when the request had no Content-Length, the
// raw text otherwise, and base64 for the media types the host reads as bytes
// (application/octet-stream and multipart/*). It is never unwrapped further:
// a caller's JSON string body must reach the core as sent.
func decodeBody(raw json.RawMessage, contentType string) ([]byte, error) {
	if isNull(raw) {
		return nil, nil
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return nil, errors.New("req.Body is not a string")
	}
	if !isBinaryMedia(contentType) {
		return []byte(s), nil
	}
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		return nil, errors.New("req.Body is not base64 although its Content-Type is binary")
	}
	return b, nil
}

// isBinaryMedia mirrors the host's IsMediaTypeOctetOrMultipart.
func isBinaryMedia(contentType string) bool {
	mt, _, err := mime.ParseMediaType(contentType)
	if err != nil {
		return false
	}
	return mt == "application/octet-stream" || strings.HasPrefix(mt, "multipart/")
}
