// Package recorder is the one http.ResponseWriter that keeps a response in
// memory, for the edges that hand it on as something other than an HTTP
// answer (a Lambda response event, the Functions host's Outputs.res), the
// webhook replay guard and Logic Apps callbacks.
//
// It keeps net/http's server semantics, which popular adapters get wrong:
// the first WriteHeader wins, a handler that writes nothing answers 200, the
// headers are those present at WriteHeader, Content-Type is sniffed when
// unset, 1xx statuses are not final, and 204 and 304 carry no body.
package recorder

import (
	"bytes"
	"fmt"
	"net/http"
)

// Recorder records one response. The zero value is not ready; use New.
type Recorder struct {
	header http.Header
	sent   http.Header // snapshot taken at WriteHeader
	status int
	body   bytes.Buffer
}

// New returns an empty recorder.
func New() *Recorder { return &Recorder{header: http.Header{}} }

// Header is the header map the handler sets before WriteHeader.
func (w *Recorder) Header() http.Header { return w.header }

// WriteHeader records the first final status and the headers set so far.
func (w *Recorder) WriteHeader(code int) {
	if code < 100 || code > 999 {
		panic(fmt.Sprintf("invalid WriteHeader code %v", code)) // as net/http does
	}
	if w.status != 0 || code < 200 {
		return
	}
	w.status = code
	w.sent = w.header.Clone()
}

func (w *Recorder) Write(p []byte) (int, error) {
	if w.status == 0 {
		w.WriteHeader(http.StatusOK)
	}
	if !bodyAllowed(w.status) {
		return 0, http.ErrBodyNotAllowed
	}
	return w.body.Write(p)
}

// Flush satisfies http.Flusher for handlers that flush; the response is
// kept until the handler returns either way.
func (w *Recorder) Flush() {}

func bodyAllowed(status int) bool {
	return status != http.StatusNoContent && status != http.StatusNotModified
}

// Response is a finished response.
type Response struct {
	Status int
	Header http.Header
	Body   []byte
}

// Result completes the response as net/http's server would send it to a
// request with this method (a HEAD answer has no body).
func (w *Recorder) Result(method string) Response {
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
	return Response{Status: w.status, Header: w.sent, Body: body}
}
