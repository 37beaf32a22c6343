package azurefunc

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/entra-tools/reprocess/shared/invocation"

	"github.com/entra-tools/reprocess/internal/testkit"
	"github.com/entra-tools/reprocess/internal/testkit/fakecore"
)

// wellFormed checks that r is a request net/http could have produced for the
// given trigger: it must survive being written to the wire and read back
// unchanged, with valid header values and an honest ContentLength.
func wellFormed(r *http.Request, body []byte, trigger invocation.Trigger) error {
	info, ok := invocation.FromContext(r.Context())
	if !ok || info.Trigger != trigger {
		return fmt.Errorf("invocation info %+v (present %v), want trigger %s", info, ok, trigger)
	}
	if r.URL == nil || !strings.HasPrefix(r.URL.Path, "/") || r.URL.Host != "" || r.URL.Scheme != "" {
		return fmt.Errorf("URL %v is not a server-side request target", r.URL)
	}
	if r.ContentLength != int64(len(body)) {
		return fmt.Errorf("ContentLength %d, body %d bytes", r.ContentLength, len(body))
	}
	for name, values := range r.Header {
		if name != http.CanonicalHeaderKey(name) {
			return fmt.Errorf("header name %q is not canonical", name)
		}
		for _, v := range values {
			if strings.ContainsFunc(v, func(c rune) bool { return c < ' ' && c != '\t' || c == 0x7f }) {
				return fmt.Errorf("header %s holds a control character", name)
			}
		}
	}
	out := r.Clone(r.Context())
	out.Body = io.NopCloser(bytes.NewReader(body))
	var wire bytes.Buffer
	if err := out.Write(&wire); err != nil {
		return fmt.Errorf("the request cannot be written: %w", err)
	}
	back, err := http.ReadRequest(bufio.NewReader(&wire))
	if err != nil {
		return fmt.Errorf("the written request does not parse: %w", err)
	}
	backBody, err := io.ReadAll(back.Body)
	if err != nil {
		return fmt.Errorf("the written body does not parse: %w", err)
	}
	if back.Method != r.Method || back.RequestURI != r.RequestURI || back.Host != r.Host || !bytes.Equal(backBody, body) {
		return fmt.Errorf("read back as %s %s host %q, want %s %s host %q", back.Method, back.RequestURI, back.Host, r.Method, r.RequestURI, r.Host)
	}
	for name, values := range r.Header {
		if name == "Content-Length" {
			continue
		}
		if got := back.Header[name]; strings.Join(got, "\x00") != strings.Join(values, "\x00") {
			return fmt.Errorf("header %s read back as %q, want %q", name, got, values)
		}
	}
	return nil
}

// checkingCore fails the test for any request that is not well-formed.
type checkingCore struct {
	tb      testing.TB
	trigger invocation.Trigger
	calls   int
}

func (c *checkingCore) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	c.calls++
	body, err := io.ReadAll(r.Body)
	if err != nil {
		c.tb.Errorf("reading the body: %v", err)
	}
	if err := wellFormed(r, body, c.trigger); err != nil {
		c.tb.Errorf("core got a malformed request: %v", err)
	}
	w.WriteHeader(http.StatusAccepted)
}

func FuzzDecodeInvocation(f *testing.F) {
	functions := append(httpFunctions(), FunctionReprocessQueue)
	fixtures, err := filepath.Glob(filepath.Join("testdata", "*.json"))
	if err != nil {
		f.Fatal(err)
	}
	for _, path := range fixtures {
		payload, err := os.ReadFile(path)
		if err != nil {
			f.Fatal(err)
		}
		which := 0 // an HTTP function
		if strings.HasPrefix(filepath.Base(path), "queue-") {
			which = len(functions) - 1
		}
		f.Add(uint8(which), payload)
	}
	f.Fuzz(func(t *testing.T, which uint8, payload []byte) {
		function := functions[int(which)%len(functions)]
		trigger := invocation.HTTP
		if function == FunctionReprocessQueue {
			trigger = invocation.Queue
		}
		core := &checkingCore{tb: t, trigger: trigger}
		var logs testkit.Logs
		logger := newDiscardingLogger(&logs)
		queue := &fakecore.Messages{}
		rec := invoke(t, NewHandler(core, queue, logger, time.Minute), function, hostInvocationID, payload)

		if ct := rec.Header().Get("Content-Type"); ct != "application/json" {
			t.Fatalf("Content-Type = %q, want application/json", ct)
		}
		var result struct {
			Outputs map[string]json.RawMessage
			Logs    []string
		}
		if err := json.Unmarshal(rec.Body.Bytes(), &result); err != nil || result.Outputs == nil || result.Logs == nil {
			t.Fatalf("result %s is not an invocation result: %v", rec.Body, err)
		}
		if trigger == invocation.HTTP {
			if rec.Code != http.StatusOK {
				t.Fatalf("handler status = %d, want 200 for an HTTP function", rec.Code)
			}
			var res struct {
				StatusCode int               `json:"statusCode"`
				Headers    map[string]string `json:"headers"`
				Body       *string           `json:"body"`
			}
			if err := json.Unmarshal(result.Outputs["res"], &res); err != nil || res.StatusCode < 100 || res.Headers == nil || res.Body == nil {
				t.Fatalf("Outputs.res = %s: %v", result.Outputs["res"], err)
			}
		} else if rec.Code != http.StatusOK && rec.Code != http.StatusInternalServerError {
			t.Fatalf("handler status = %d, want 200 or 500 for the queue", rec.Code)
		}
		if calls, _ := queue.Calls(); core.calls+len(calls) > 1 {
			t.Fatalf("core called %d times", core.calls+len(calls))
		}
		assertNoSecrets(t, "logs", logs.String()+strings.Join(result.Logs, "\n"))
	})
}

// The fuzz oracle must reject what net/http could not have produced.
func TestWellFormedOracle(t *testing.T) {
	good := func() *http.Request {
		r, _ := http.NewRequest(http.MethodGet, "/api/x", nil)
		r.URL.Scheme, r.URL.Host = "", ""
		r.RequestURI, r.Host = "/api/x", "h"
		return r.WithContext(invocation.NewContext(r.Context(), invocation.Info{Trigger: invocation.HTTP}))
	}
	if err := wellFormed(good(), nil, invocation.HTTP); err != nil {
		t.Fatalf("wellFormed(good) = %v", err)
	}
	bad := map[string]func(r *http.Request) (*http.Request, []byte){
		"no invocation info": func(r *http.Request) (*http.Request, []byte) { return r.WithContext(t.Context()), nil },
		"header value CRLF":  func(r *http.Request) (*http.Request, []byte) { r.Header["X-A"] = []string{"a\r\nb"}; return r, nil },
		"header not canonical": func(r *http.Request) (*http.Request, []byte) {
			r.Header["x-a"] = []string{"a"}
			return r, nil
		},
		"host with a space": func(r *http.Request) (*http.Request, []byte) { r.Host = "a b"; return r, nil },
		"method with a space": func(r *http.Request) (*http.Request, []byte) {
			r.Method = "GE T"
			return r, nil
		},
		"content length lies": func(r *http.Request) (*http.Request, []byte) { r.ContentLength = 3; return r, []byte("ab") },
		"absolute URL":        func(r *http.Request) (*http.Request, []byte) { r.URL.Host = "h"; return r, nil },
	}
	for name, mutate := range bad {
		r, body := mutate(good())
		if err := wellFormed(r, body, invocation.HTTP); err == nil {
			t.Errorf("wellFormed(%s) = nil, want an error", name)
		}
	}
}

// FuzzHTTPTriggerFields builds structurally valid payloads from arbitrary
// field values, so the fuzzer spends its time on the checks of each field
// rather than on JSON syntax.
func FuzzHTTPTriggerFields(f *testing.F) {
	f.Add("https://reprocess-func.azurewebsites.net/api/assignments/"+testID+"/reprocess?code=x", "POST", "Content-Type", "application/json", `{"a":1}`, false)
	f.Add("http://localhost:7071/api/webhooks/github", "POST", "content-type", "application/octet-stream", "eyJhIjoxfQ==", false)
	f.Add("https://h/api/swagger.json", "GET", "Accept", "*/*", "", true)
	f.Add("https://[::1]:8443/api/%2F?a=%zz", "PATCH", "X-A", "\tv\t", "x", false)
	f.Fuzz(func(t *testing.T, rawURL, method, headerName, headerValue, body string, reqAsString bool) {
		req := map[string]any{
			"Url": rawURL, "Method": method,
			"Headers": map[string][]string{headerName: {headerValue}},
			"Query":   map[string]string{"code": "k"},
		}
		if body != "" {
			req["Body"] = body
		}
		var reqJSON any = req
		if reqAsString {
			b, _ := json.Marshal(req)
			reqJSON = string(b)
		}
		payload, err := json.Marshal(map[string]any{"Data": map[string]any{"req": reqJSON}})
		if err != nil {
			t.Skip()
		}
		core := &checkingCore{tb: t, trigger: invocation.HTTP}
		var logs testkit.Logs
		rec := invoke(t, NewHandler(core, nil, newDiscardingLogger(&logs), time.Minute), FunctionReprocess, hostInvocationID, payload)
		if rec.Code != http.StatusOK || rec.Header().Get("Content-Type") != "application/json" {
			t.Fatalf("handler answered %d %q", rec.Code, rec.Header().Get("Content-Type"))
		}
	})
}

// FuzzQueueMessage feeds arbitrary message text, single- and double-encoded.
func FuzzQueueMessage(f *testing.F) {
	f.Add(`{"assignmentId":"`+testID+`"}`, true)
	f.Add(testID, false)
	f.Add("eyJhc3NpZ25tZW50SWQiOiJ4In0=", true)
	f.Add(`"\"x\""`, false)
	f.Fuzz(func(t *testing.T, message string, double bool) {
		var msg any = message
		if double {
			b, _ := json.Marshal(message)
			msg = string(b)
		}
		payload, err := json.Marshal(map[string]any{"Data": map[string]any{"msg": msg}, "Metadata": map[string]any{"DequeueCount": "1"}})
		if err != nil {
			t.Skip()
		}
		core := &fakecore.Messages{}
		var logs testkit.Logs
		rec := invoke(t, NewHandler(http.NotFoundHandler(), core, newDiscardingLogger(&logs), time.Minute), FunctionReprocessQueue, hostInvocationID, payload)
		if rec.Code != http.StatusOK || rec.Header().Get("Content-Type") != "application/json" {
			t.Fatalf("handler answered %d %q", rec.Code, rec.Header().Get("Content-Type"))
		}
		calls, _ := core.Calls()
		for _, call := range calls {
			for _, req := range call {
				if req.Single == nil && len(req.Items) == 0 && req.Lookup == nil {
					t.Fatalf("core got an empty request for message %q", message)
				}
			}
		}
	})
}
