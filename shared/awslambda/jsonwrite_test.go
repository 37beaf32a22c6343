package awslambda

import (
	"bytes"
	"encoding/json"
	"net/http"
	"testing"

	"github.com/aws/aws-lambda-go/events"
)

// The response events as json.Marshal of aws-lambda-go's types writes
// them: what the hand-written encoder must match byte for byte.

func marshalHTTPAPI(resp response) []byte {
	body, b64 := encodeBody(resp.Header, resp.Body)
	out, _ := json.Marshal(events.APIGatewayV2HTTPResponse{
		StatusCode: resp.Status, Headers: singleValued(resp.Header, "Set-Cookie"),
		Cookies: resp.Header["Set-Cookie"], Body: body, IsBase64Encoded: b64,
	})
	return out
}

func marshalFunctionURL(resp response) []byte {
	body, b64 := encodeBody(resp.Header, resp.Body)
	out, _ := json.Marshal(events.LambdaFunctionURLResponse{
		StatusCode: resp.Status, Headers: singleValued(resp.Header, "Set-Cookie"),
		Cookies: resp.Header["Set-Cookie"], Body: body, IsBase64Encoded: b64,
	})
	return out
}

func marshalREST(resp response) []byte {
	body, b64 := encodeBody(resp.Header, resp.Body)
	out, _ := json.Marshal(events.APIGatewayProxyResponse{
		StatusCode: resp.Status, MultiValueHeaders: resp.Header, Body: body, IsBase64Encoded: b64,
	})
	return out
}

func marshalALB(resp response, multi bool) []byte {
	body, b64 := encodeBody(resp.Header, resp.Body)
	out := events.ALBTargetGroupResponse{
		StatusCode: resp.Status, StatusDescription: statusDescription(resp.Status),
		Body: body, IsBase64Encoded: b64,
	}
	if multi {
		out.MultiValueHeaders = resp.Header
	} else {
		out.Headers = singleValued(resp.Header, "Set-Cookie")
		if c := resp.Header.Get("Set-Cookie"); c != "" {
			out.Headers["Set-Cookie"] = c
		}
	}
	b, _ := json.Marshal(out)
	return b
}

// awkward are strings encoding/json escapes: quotes, backslashes, every
// control character, HTML's <, > and &, U+2028 and U+2029, invalid UTF-8,
// a truncated rune, and plain multi-byte text.
var awkward = func() []string {
	s := []string{"", "plain", `q"uote\back/slash`, "<script>&amp;</script>", "line\u2028para\u2029end",
		"bad\xffutf8\xc3", "trunc\xe2\x82", "ünïcödé ✓ 🎉", "\x7f del", "a\x00b"}
	var ctl []byte
	for c := byte(0); c < 0x20; c++ {
		ctl = append(ctl, c, 'x')
	}
	return append(s, string(ctl))
}()

func TestAppendJSONStringMatchesEncodingJSON(t *testing.T) {
	for _, s := range awkward {
		want, _ := json.Marshal(s)
		if got := appendJSONString(nil, s); !bytes.Equal(got, want) {
			t.Errorf("%q: got %s, want %s", s, got, want)
		}
		if got := appendJSONString(nil, []byte(s)); !bytes.Equal(got, want) {
			t.Errorf("%q as bytes: got %s, want %s", s, got, want)
		}
	}
}

// sampleResponses are answers of every kind the encoders meet.
func sampleResponses() []response {
	rs := []response{
		{Status: 202, Header: http.Header{"Content-Type": {"application/json"}, "X-Graph-Request-Id": {"graph-1"}}, Body: []byte(acceptedBody)},
		{Status: 200, Header: http.Header{}},
		{Status: 204, Header: nil},
		{Status: 299, Header: http.Header{"X-Empty": {}, "X-Blank": {""}}},
		{Status: 302, Header: http.Header{"Location": {"https://h/a?b=<c>&d"}, "Set-Cookie": {"a=1", "b=2; Path=/"}, "Vary": {"Accept", "Origin"}}},
		{Status: 200, Header: http.Header{"Set-Cookie": {"", "b=2"}}},
		{Status: 200, Header: http.Header{"Content-Type": {"application/octet-stream"}}, Body: []byte{0, 1, 2, 0xff, 0xfe}},
		{Status: 200, Header: http.Header{"Content-Type": {"text/plain"}}, Body: []byte("bad\xff")},
		{Status: 200, Header: http.Header{"Content-Type": {"text/plain; charset=utf-8"}, "Content-Encoding": {"gzip"}}, Body: []byte("x")},
		{Status: 500, Header: http.Header{"lower-case": {"v"}, "Z": {"1"}, "A": {"2"}}, Body: []byte("x")},
	}
	for _, s := range awkward {
		rs = append(rs, response{Status: 400, Header: http.Header{"Content-Type": {"application/problem+json"}, "X-" + s: {s, s}, "Set-Cookie": {s}}, Body: []byte(s)})
	}
	return rs
}

func TestResponseEncodersMatchEncodingJSON(t *testing.T) {
	for i, resp := range sampleResponses() {
		check := func(kind string, got, want []byte) {
			if !bytes.Equal(got, want) {
				t.Errorf("response %d, %s:\n got %s\nwant %s", i, kind, got, want)
			}
		}
		check("http api", httpAPIResponse(resp), marshalHTTPAPI(resp))
		check("function url", functionURLResponse(resp), marshalFunctionURL(resp))
		check("rest", restResponse(resp), marshalREST(resp))
		check("alb multi", albResponse(resp, true), marshalALB(resp, true))
		check("alb single", albResponse(resp, false), marshalALB(resp, false))
	}
}
