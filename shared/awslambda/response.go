package awslambda

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"unicode/utf8"
)

// recorder is the http.ResponseWriter the core writes to. It keeps
// net/http's server semantics, which the popular adapters get wrong: the
// first WriteHeader wins, a handler that writes nothing answers 200, the
// headers are those present at WriteHeader, Content-Type is sniffed when
// unset, and 1xx statuses are not final.
type recorder struct {
	header http.Header
	sent   http.Header // snapshot taken at WriteHeader
	status int
	body   bytes.Buffer
}

func newRecorder() *recorder { return &recorder{header: http.Header{}} }

func (w *recorder) Header() http.Header { return w.header }

func (w *recorder) WriteHeader(code int) {
	if code < 100 || code > 999 {
		panic(fmt.Sprintf("invalid WriteHeader code %v", code)) // as net/http does
	}
	if w.status != 0 || code < 200 {
		return
	}
	w.status = code
	w.sent = w.header.Clone()
}

func (w *recorder) Write(p []byte) (int, error) {
	if w.status == 0 {
		w.WriteHeader(http.StatusOK)
	}
	if !bodyAllowed(w.status) {
		return 0, http.ErrBodyNotAllowed
	}
	return w.body.Write(p)
}

// Flush satisfies http.Flusher for handlers that flush; the response is
// buffered until the core returns either way.
func (w *recorder) Flush() {}

func bodyAllowed(status int) bool {
	return status != http.StatusNoContent && status != http.StatusNotModified
}

// response is the finished answer of the core, ready to be put into any
// response event.
type response struct {
	status int
	header http.Header
	body   []byte
}

// result completes the response as net/http's server would send it.
func (w *recorder) result(method string) response {
	if w.status == 0 {
		w.WriteHeader(http.StatusOK)
	}
	body := w.body.Bytes()
	if method == http.MethodHead {
		body = nil
	}
	if _, set := w.sent["Content-Type"]; !set && len(body) > 0 {
		w.sent.Set("Content-Type", http.DetectContentType(body))
	}
	return response{status: w.status, header: w.sent, body: body}
}

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
	mt, _, err := mime.ParseMediaType(h.Get("Content-Type"))
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
