package awslambda

import (
	"encoding/base64"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/entra-tools/reprocess/shared/recorder"
)

// response is the finished answer of the HTTP API, ready to be put into
// any response event.
type response = recorder.Response

// encodeBody returns the body as it goes into a response event: as text when
// the content type says text and the bytes are valid UTF-8 (JSON cannot carry
// anything else as a string), otherwise base64.
func encodeBody(h http.Header, body []byte) (string, bool) {
	if len(body) == 0 {
		return "", false
	}
	if isText(h) && utf8.Valid(body) {
		return string(body), false
	}
	return base64.StdEncoding.EncodeToString(body), true
}

// isText reports whether a response with these headers is textual.
func isText(h http.Header) bool {
	if ce := h.Get("Content-Encoding"); ce != "" && !strings.EqualFold(ce, "identity") {
		return false
	}
	ct := h.Get("Content-Type")
	switch ct {
	case "application/json", "application/json; charset=utf-8", "text/plain; charset=utf-8":
		return true // what the core sends, without ParseMediaType's map
	}
	mt, _, err := mime.ParseMediaType(ct)
	if err != nil {
		return false
	}
	if strings.HasPrefix(mt, "text/") || strings.HasSuffix(mt, "+json") || strings.HasSuffix(mt, "+xml") {
		return true
	}
	switch mt {
	case "application/json", "application/xml", "application/javascript",
		"application/x-www-form-urlencoded", "application/yaml", "application/x-yaml":
		return true
	}
	return false
}

// singleValued joins each header's values into one, as HTTP lists are joined,
// for events without multi-value headers. Set-Cookie cannot be joined; the
// caller takes it out first.
func singleValued(h http.Header, skip string) map[string]string {
	m := make(map[string]string, len(h))
	for k, vs := range h {
		if k == skip || len(vs) == 0 {
			continue
		}
		if len(vs) == 1 {
			m[k] = vs[0]
		} else {
			m[k] = strings.Join(vs, ", ")
		}
	}
	return m
}

// statusDescription is the load balancer's status line text, "202 Accepted".
func statusDescription(code int) string {
	text := http.StatusText(code)
	if text == "" {
		return strconv.Itoa(code)
	}
	return strconv.Itoa(code) + " " + text
}
