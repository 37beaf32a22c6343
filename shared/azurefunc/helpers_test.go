package azurefunc

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/entra-tools/reprocess/shared/invocation"
)

func readFixture(tb testing.TB, name string) []byte {
	tb.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		tb.Fatalf("reading fixture: %v", err)
	}
	return b
}

// recorded is what the core saw of one request.
type recorded struct {
	Method, Path, RawPath, RawQuery, RequestURI, Host string
	Header                                            http.Header
	Body                                              string
	ContentLength                                     int64
	Info                                              invocation.Info
	HasInfo                                           bool
}

// recordingCore records every request and answers with respond (default 200, no body).
type recordingCore struct {
	mu      sync.Mutex
	got     []recorded
	respond func(w http.ResponseWriter, r *http.Request)
}

func (c *recordingCore) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		panic(fmt.Sprintf("reading body: %v", err))
	}
	info, ok := invocation.FromContext(r.Context())
	c.mu.Lock()
	c.got = append(c.got, recorded{
		Method: r.Method, Path: r.URL.Path, RawPath: r.URL.RawPath, RawQuery: r.URL.RawQuery,
		RequestURI: r.RequestURI, Host: r.Host, Header: r.Header.Clone(), Body: string(body),
		ContentLength: r.ContentLength, Info: info, HasInfo: ok,
	})
	c.mu.Unlock()
	if c.respond != nil {
		c.respond(w, r)
	}
}

func (c *recordingCore) requests() []recorded {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Clone(c.got)
}

// only returns the single request the core saw.
func (c *recordingCore) only(tb testing.TB) recorded {
	tb.Helper()
	got := c.requests()
	if len(got) != 1 {
		tb.Fatalf("core saw %d requests, want 1", len(got))
	}
	return got[0]
}

// answer returns a respond func writing status, headers and body.
func answer(status int, header http.Header, body string) func(http.ResponseWriter, *http.Request) {
	return func(w http.ResponseWriter, _ *http.Request) {
		for k, v := range header {
			w.Header()[k] = v
		}
		w.WriteHeader(status)
		_, _ = io.WriteString(w, body)
	}
}

// headerText renders a header map one sorted "Name: value" line per value,
// so two maps compare as strings and a mismatch prints readably.
func headerText(h http.Header) string {
	names := make([]string, 0, len(h))
	for name := range h {
		names = append(names, name)
	}
	slices.Sort(names)
	var b strings.Builder
	for _, name := range names {
		for _, v := range h[name] {
			fmt.Fprintf(&b, "%s: %s\n", name, v)
		}
	}
	return b.String()
}

// invoke POSTs a JSON invocation payload to /function as the host does.
func invoke(tb testing.TB, h http.Handler, function, invocationID string, payload []byte) *httptest.ResponseRecorder {
	tb.Helper()
	req := httptest.NewRequest(http.MethodPost, "/"+function, bytes.NewReader(payload))
	req.Header.Set("Content-Type", "application/json; charset=utf-8")
	req.Header.Set("User-Agent", "Azure-Functions-Host/4.1037.0.0")
	req.Header.Set("X-Azure-Functions-HostVersion", "4.1037.0.0")
	req.Header.Set("X-Azure-Functions-InvocationId", invocationID)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

// wireResult is a decoded invocation result whose types were checked against
// what the host accepts.
type wireResult struct {
	Outputs map[string]json.RawMessage
	Res     *httpOutput // Outputs.res, if present
	Logs    []string
}

// decodeResult checks the transport rules of a JSON-mode answer (JSON
// content type, Logs a string array, ReturnValue present, Outputs.res with a
// numeric statusCode, string headers and a string body) and returns it.
func decodeResult(tb testing.TB, rec *httptest.ResponseRecorder) wireResult {
	tb.Helper()
	if ct := rec.Header().Get("Content-Type"); ct != "application/json" {
		tb.Fatalf("Content-Type = %q, want application/json", ct)
	}
	var top map[string]json.RawMessage
	if err := json.Unmarshal(rec.Body.Bytes(), &top); err != nil {
		tb.Fatalf("result is not a JSON object: %v\n%s", err, rec.Body)
	}
	if rv, ok := top["ReturnValue"]; !ok || string(rv) != "null" {
		tb.Errorf("ReturnValue = %s (present %v), want null", rv, ok)
	}
	var out wireResult
	if err := json.Unmarshal(top["Logs"], &out.Logs); err != nil || out.Logs == nil {
		tb.Errorf("Logs = %s, want an array of strings", top["Logs"])
	}
	allLogs.Write([]byte(strings.Join(out.Logs, "\n") + "\n"))
	if err := json.Unmarshal(top["Outputs"], &out.Outputs); err != nil || out.Outputs == nil {
		tb.Fatalf("Outputs = %s, want an object", top["Outputs"])
	}
	raw, ok := out.Outputs["res"]
	if !ok {
		return out
	}
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(raw, &fields); err != nil {
		tb.Fatalf("Outputs.res = %s, want an object", raw)
	}
	var status int // an int, not a string: json.Unmarshal refuses "202" here
	if err := json.Unmarshal(fields["statusCode"], &status); err != nil || status < 100 || status > 599 {
		tb.Fatalf("Outputs.res.statusCode = %s, want an integer status", fields["statusCode"])
	}
	var body *string
	if err := json.Unmarshal(fields["body"], &body); err != nil || body == nil {
		tb.Fatalf("Outputs.res.body = %s, want a string", fields["body"])
	}
	var rawHeaders map[string]json.RawMessage
	if err := json.Unmarshal(fields["headers"], &rawHeaders); err != nil || rawHeaders == nil {
		tb.Fatalf("Outputs.res.headers = %s, want an object", fields["headers"])
	}
	headers := map[string]string{}
	for name, v := range rawHeaders {
		var s *string
		if err := json.Unmarshal(v, &s); err != nil || s == nil {
			tb.Fatalf("Outputs.res.headers[%q] = %s, want a string", name, v)
		}
		headers[name] = *s
	}
	out.Res = &httpOutput{StatusCode: status, Headers: headers, Body: *body}
	return out
}

// mapText renders a string map sorted, for comparisons.
func mapText(m map[string]string) string {
	h := http.Header{}
	for k, v := range m {
		h[k] = []string{v}
	}
	return headerText(h)
}
