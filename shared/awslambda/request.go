package awslambda

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
)

// httpRequest is what every HTTP event source knows about its request, in
// one shape, before it becomes an *http.Request.
type httpRequest struct {
	method   string
	path     string // as the platform gave it: percent-encoded or not
	rawQuery string // percent-encoded, without '?'
	header   http.Header
	body     string
	base64   bool
	host     string // fallback when the request has no Host header
	sourceIP string
	proto    string
	prefix   string   // path prefix the platform stripped (stage), for X-Forwarded-Prefix
	spare    []string // room for the values of the headers build sets, if any
}

// build turns the event into the request net/http's server would have
// handed the core.
func (e *httpRequest) build(ctx context.Context) (*http.Request, error) {
	var body io.ReadCloser = http.NoBody
	var length int
	if e.base64 {
		b, err := base64.StdEncoding.DecodeString(e.body)
		if err != nil {
			return nil, fmt.Errorf("body is not valid base64: %w", err)
		}
		if length = len(b); length > 0 {
			body = &bytesBody{*bytes.NewReader(b)}
		}
	} else if length = len(e.body); length > 0 {
		body = &stringBody{*strings.NewReader(e.body)}
	}
	if e.method == "" {
		return nil, errors.New("the event has no HTTP method")
	}
	if !isToken(e.method) {
		return nil, fmt.Errorf("invalid method %q", e.method)
	}
	requestURI := escapePath(e.path)
	if e.rawQuery != "" {
		requestURI += "?" + e.rawQuery
	}
	u, err := url.ParseRequestURI(requestURI)
	if err != nil {
		// Not the url.Error itself: it quotes the URL, query secrets and all.
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return nil, fmt.Errorf("invalid request target: %w", err)
	}
	// Built as net/http's server builds it: the body without the GetBody a
	// client request gets, and no URL or header map made only to be replaced.
	req := http.Request{Method: e.method, URL: u, RequestURI: requestURI,
		Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1, Body: body, ContentLength: int64(length)}
	r := &req
	if major, minor, ok := http.ParseHTTPVersion(e.proto); ok {
		r.Proto, r.ProtoMajor, r.ProtoMinor = e.proto, major, minor
	}
	h := e.header
	if h == nil {
		h = http.Header{}
	}
	// Like net/http's server: the host moves from the headers to r.Host.
	r.Host = h.Get("Host")
	delete(h, "Host")
	if r.Host == "" {
		r.Host = e.host
	}
	// The values go into one array (spare, when the event left room).
	spare := e.spare
	if cap(spare)-len(spare) < 3 {
		spare = make([]string, 0, 3)
	}
	set := func(k, v string) {
		spare = append(spare, v)
		h[k] = spare[len(spare)-1 : len(spare) : len(spare)]
	}
	if h.Get("X-Forwarded-Proto") == "" {
		set("X-Forwarded-Proto", "https")
	}
	// The edge knows these; a caller's own values must not steer the URLs
	// the core builds.
	set("X-Forwarded-Host", r.Host)
	if e.prefix != "" {
		set("X-Forwarded-Prefix", e.prefix)
	} else {
		delete(h, "X-Forwarded-Prefix")
	}
	r.Header = h
	if e.sourceIP != "" {
		r.RemoteAddr = net.JoinHostPort(e.sourceIP, "0")
	}
	return r.WithContext(ctx), nil
}

// isToken reports whether s is an HTTP token, as a method must be.
func isToken(s string) bool {
	for i := 0; i < len(s); i++ {
		if !isTokenByte(s[i]) {
			return false
		}
	}
	return true
}

// stringBody and bytesBody are request bodies, each one allocation.
type stringBody struct{ strings.Reader }
type bytesBody struct{ bytes.Reader }

func (*stringBody) Close() error { return nil }
func (*bytesBody) Close() error  { return nil }

// addHeaders copies single- and multi-value header maps into h under
// canonical keys, so Header.Get finds "content-type" sent by HTTP/2 callers.
// A source that sends both maps (REST APIs) puts the complete list in the
// multi-value one, so that one wins.
func addHeaders(h http.Header, single map[string]string, multi map[string][]string) {
	if len(multi) > 0 {
		for k, vs := range multi {
			ck := http.CanonicalHeaderKey(k)
			h[ck] = append(h[ck], vs...)
		}
		return
	}
	for k, v := range single {
		ck := http.CanonicalHeaderKey(k)
		h[ck] = append(h[ck], v)
	}
}

// escapePath makes p a valid percent-encoded path without touching what is
// already encoded. Sources disagree on whether they decode the path (HTTP
// APIs do, function URLs and load balancers do not), so only bytes that can
// never appear literally in an encoded path are escaped: a decoded '?', '#',
// space or non-ASCII byte, and a '%' not followed by two hex digits.
func escapePath(p string) string {
	if p == "" || p[0] != '/' {
		p = "/" + p
	}
	n := 0
	for i := 0; i < len(p); i++ {
		if !pathByteOK(p, i) {
			n++
		}
	}
	if n == 0 {
		return p
	}
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	b.Grow(len(p) + 2*n)
	for i := 0; i < len(p); i++ {
		if c := p[i]; pathByteOK(p, i) {
			b.WriteByte(c)
		} else {
			b.WriteByte('%')
			b.WriteByte(hex[c>>4])
			b.WriteByte(hex[c&15])
		}
	}
	return b.String()
}

// pathByteOK reports whether p[i] may stand as it is in an encoded path
// (RFC 3986 pchar or '/').
func pathByteOK(p string, i int) bool {
	c := p[i]
	switch {
	case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		return true
	case c == '%':
		return i+2 < len(p) && isHex(p[i+1]) && isHex(p[i+2])
	}
	return strings.IndexByte("-._~!$&'()*+,;=:@/", c) >= 0
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

// lastForwardedFor returns the address the load balancer appended to
// X-Forwarded-For: the peer it saw. Earlier entries come from the caller and
// can be forged.
func lastForwardedFor(h http.Header) string {
	vs := h.Values("X-Forwarded-For")
	if len(vs) == 0 {
		return ""
	}
	v := vs[len(vs)-1]
	if i := strings.LastIndexByte(v, ','); i >= 0 {
		v = v[i+1:]
	}
	return strings.TrimSpace(v)
}
