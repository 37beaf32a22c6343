package azurefunc

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func readFixture(tb testing.TB, name string) []byte {
	tb.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		tb.Fatalf("reading fixture: %v", err)
	}
	return b
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
