package azurefunc

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
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

// The secrets the fixtures carry, as the host would hand them over: a
// function key in ?code= and in x-functions-key, a caller's bearer token and
// a webhook signature. No log line or Logs[] entry may ever contain them.
var fixtureSecrets = map[string]string{
	"code query value":        testCode,
	"x-functions-key":         testKey,
	"Authorization bearer":    testToken,
	"webhook signature value": testSignature,
}

const (
	testCode      = "qK7vR2mX9pL4tW8nZ3cB6yH1jF5sD0gAuE1iO2kMxQ"
	testKey       = "hT4wN8bV1cX6zL3qP9rM2kJ7fG5dS0aYeU3oI8nBvC"
	testToken     = "eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9.eyJmaXh0dXJlIjoiYmVhcmVyIn0.c2lnbmVkLWZpeHR1cmUtdG9rZW4"
	testSignature = "9c4b1e0f7a2d5c8e3b6a9f0d1c4e7b2a5d8f1e4c7b0a3d6f9e2c5b8a1d4e7f0c"
	testID        = "3f2504e0-4f89-41d3-9a0c-0305e82c3301" // the assignment in the HTTP fixtures
)

// allLogs receives every log line and Logs[] entry of the whole test run.
var allLogs syncBuffer

func TestMain(m *testing.M) {
	code := m.Run()
	if leaks := leakedSecrets(allLogs.String()); len(leaks) > 0 {
		fmt.Fprintf(os.Stderr, "FAIL: the test run's logs contain fixture secrets: %s\n", strings.Join(leaks, ", "))
		code = 1
	}
	os.Exit(code)
}

// leakedSecrets names the fixture secrets found in text.
func leakedSecrets(text string) []string {
	var leaks []string
	for name, secret := range fixtureSecrets {
		if strings.Contains(text, secret) {
			leaks = append(leaks, name)
		}
	}
	slices.Sort(leaks)
	return leaks
}

func assertNoSecrets(tb testing.TB, what, text string) {
	tb.Helper()
	if leaks := leakedSecrets(text); len(leaks) > 0 {
		tb.Errorf("%s contains secrets: %v", what, leaks)
	}
}

type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// newTestLogger returns a JSON logger writing to the returned buffer and to allLogs.
func newTestLogger(tb testing.TB) (*slog.Logger, *syncBuffer) {
	tb.Helper()
	buf := &syncBuffer{}
	h := slog.NewJSONHandler(io.MultiWriter(buf, &allLogs), &slog.HandlerOptions{Level: slog.LevelDebug})
	return slog.New(h), buf
}

// logLines decodes the JSON lines in buf.
func logLines(tb testing.TB, buf *syncBuffer) []map[string]any {
	tb.Helper()
	var lines []map[string]any
	for _, line := range strings.Split(strings.TrimSpace(buf.String()), "\n") {
		if line == "" {
			continue
		}
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			tb.Fatalf("log line %q is not JSON: %v", line, err)
		}
		lines = append(lines, m)
	}
	return lines
}

// invocationLines returns the "invocation" log lines.
func invocationLines(tb testing.TB, buf *syncBuffer) []map[string]any {
	tb.Helper()
	var out []map[string]any
	for _, l := range logLines(tb, buf) {
		if l["msg"] == "invocation" {
			out = append(out, l)
		}
	}
	return out
}

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

// newDiscardingLogger logs to buf only, for fuzzing, where allLogs would grow without bound.
func newDiscardingLogger(buf *syncBuffer) *slog.Logger {
	return slog.New(slog.NewJSONHandler(buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

// The secret sweep means something only if the fixtures carry the secrets,
// and the core really receives them (the edge does not strip, it only never logs).
func TestFixturesCarrySecrets(t *testing.T) {
	var all strings.Builder
	paths, _ := filepath.Glob(filepath.Join("testdata", "*"))
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		all.Write(b)
	}
	for name, secret := range fixtureSecrets {
		if !strings.Contains(all.String(), secret) {
			t.Errorf("no fixture carries the %s", name)
		}
	}
	if leaks := leakedSecrets("x " + testKey + " y"); len(leaks) != 1 {
		t.Errorf("leakedSecrets misses an embedded key: %v", leaks)
	}
}
