package testkit

import (
	"bytes"
	"io"
	"net/http"
	"slices"
	"sync"
	"testing"

	"github.com/entra-tools/reprocess/shared/invocation"
)

// Seen is what a handler saw of one request.
type Seen struct {
	Method, Path, RawPath, RawQuery, RequestURI string
	Host, RemoteAddr, Proto                     string
	Header                                      http.Header
	Body                                        string
	ContentLength                               int64
	Info                                        invocation.Info
	HasInfo                                     bool
}

// RecordingHandler remembers every request and answers with Reply (200 and
// no body when nil). It is safe for concurrent use.
type RecordingHandler struct {
	Reply http.HandlerFunc

	mu   sync.Mutex
	reqs []Seen
}

func (h *RecordingHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	r.Body = io.NopCloser(bytes.NewReader(body))
	info, ok := invocation.FromContext(r.Context())
	h.mu.Lock()
	h.reqs = append(h.reqs, Seen{
		Method: r.Method, Path: r.URL.Path, RawPath: r.URL.RawPath, RawQuery: r.URL.RawQuery,
		RequestURI: r.RequestURI, Host: r.Host, RemoteAddr: r.RemoteAddr, Proto: r.Proto,
		Header: r.Header.Clone(), Body: string(body), ContentLength: r.ContentLength, Info: info, HasInfo: ok,
	})
	h.mu.Unlock()
	if h.Reply != nil {
		h.Reply(w, r)
	}
}

// Requests returns what the handler saw, in order.
func (h *RecordingHandler) Requests() []Seen {
	h.mu.Lock()
	defer h.mu.Unlock()
	return slices.Clone(h.reqs)
}

// Only returns the single request the handler saw.
func (h *RecordingHandler) Only(tb testing.TB) Seen {
	tb.Helper()
	got := h.Requests()
	if len(got) != 1 {
		tb.Fatalf("handler saw %d requests, want 1", len(got))
	}
	return got[0]
}

// Answer is a Reply writing status, headers and body.
func Answer(status int, header http.Header, body string) http.HandlerFunc {
	return func(w http.ResponseWriter, _ *http.Request) {
		for k, v := range header {
			w.Header()[k] = v
		}
		w.WriteHeader(status)
		_, _ = io.WriteString(w, body)
	}
}
