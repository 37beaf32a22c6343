package awslambda

import (
	"encoding/base64"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// The response events are written by hand, byte for byte as encoding/json
// writes aws-lambda-go's response types (fields in their order, map keys
// sorted, strings escaped the same way), without its reflection and the
// maps it needs built first. jsonwrite_test.go compares the two.

// appendJSONString appends s as encoding/json does: HTML-safe (<, >, & as
// \u003c …), U+2028 and U+2029 escaped, invalid UTF-8 as \ufffd.
func appendJSONString[T []byte | string](dst []byte, s T) []byte {
	const hex = "0123456789abcdef"
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		if b := s[i]; b < utf8.RuneSelf {
			if b >= 0x20 && b != '"' && b != '\\' && b != '<' && b != '>' && b != '&' {
				i++
				continue
			}
			dst = append(dst, s[start:i]...)
			switch b {
			case '\\', '"':
				dst = append(dst, '\\', b)
			case '\b':
				dst = append(dst, '\\', 'b')
			case '\f':
				dst = append(dst, '\\', 'f')
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			case '\t':
				dst = append(dst, '\\', 't')
			default:
				dst = append(dst, '\\', 'u', '0', '0', hex[b>>4], hex[b&0xF])
			}
			i++
			start = i
			continue
		}
		n := min(len(s)-i, utf8.UTFMax)
		c, size := utf8.DecodeRuneInString(string(s[i : i+n]))
		if c == utf8.RuneError && size == 1 {
			dst = append(dst, s[start:i]...)
			dst = append(dst, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if c == '\u2028' || c == '\u2029' {
			dst = append(dst, s[start:i]...)
			dst = append(dst, '\\', 'u', '2', '0', '2', hex[c&0xF])
			i += size
			start = i
			continue
		}
		i += size
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}

// sortedKeys returns h's keys in encoding/json's map order, in buf when
// they fit.
func sortedKeys(h http.Header, buf []string) []string {
	keys := buf[:0]
	for k := range h {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// appendSingleHeaders appends h as the map[string]string singleValued
// makes: each header's values comma-joined, Set-Cookie left out unless
// cookie is not "" (the load balancer's single Set-Cookie), then its value.
func appendSingleHeaders(dst []byte, h http.Header, cookie string) []byte {
	dst = append(dst, '{')
	first := true
	var buf [16]string
	for _, k := range sortedKeys(h, buf[:]) {
		var v string
		switch vs := h[k]; {
		case k == "Set-Cookie" && cookie != "":
			v = cookie
		case k == "Set-Cookie" || len(vs) == 0:
			continue
		case len(vs) == 1:
			v = vs[0]
		default:
			v = strings.Join(vs, ", ")
		}
		if !first {
			dst = append(dst, ',')
		}
		first = false
		dst = appendJSONString(dst, k)
		dst = append(dst, ':')
		dst = appendJSONString(dst, v)
	}
	return append(dst, '}')
}

// appendMultiHeaders appends h as a map[string][]string (null when nil).
func appendMultiHeaders(dst []byte, h http.Header) []byte {
	if h == nil {
		return append(dst, "null"...)
	}
	dst = append(dst, '{')
	var buf [16]string
	for i, k := range sortedKeys(h, buf[:]) {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = appendJSONString(dst, k)
		dst = append(dst, ':')
		dst = appendStrings(dst, h[k])
	}
	return append(dst, '}')
}

// appendStrings appends a []string (null when nil).
func appendStrings(dst []byte, vs []string) []byte {
	if vs == nil {
		return append(dst, "null"...)
	}
	dst = append(dst, '[')
	for i, v := range vs {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = appendJSONString(dst, v)
	}
	return append(dst, ']')
}

func appendStatus(dst []byte, status int) []byte {
	dst = append(dst, `{"statusCode":`...)
	return strconv.AppendInt(dst, int64(status), 10)
}

// responseSize is a first guess of a response event's size.
func responseSize(resp response) int { return 256 + 2*len(resp.Body) + 64*len(resp.Header) }

// appendBody appends the body as encodeBody would put it in the event, then
// the isBase64Encoded flag: always, or only when true (omitempty).
func appendBody(dst []byte, resp response, omitEmptyBody, omitFalse bool) []byte {
	var b64 bool
	if len(resp.Body) > 0 {
		b64 = !isText(resp.Header) || !utf8.Valid(resp.Body)
	}
	if !omitEmptyBody || len(resp.Body) > 0 {
		dst = append(dst, `,"body":`...)
		if b64 {
			dst = append(dst, '"')
			dst = base64.StdEncoding.AppendEncode(dst, resp.Body)
			dst = append(dst, '"')
		} else {
			dst = appendJSONString(dst, resp.Body)
		}
	}
	switch {
	case b64:
		dst = append(dst, `,"isBase64Encoded":true`...)
	case !omitFalse:
		dst = append(dst, `,"isBase64Encoded":false`...)
	}
	return dst
}
