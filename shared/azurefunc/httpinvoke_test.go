package azurefunc

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/entra-tools/reprocess/shared/invocation"

	"github.com/entra-tools/reprocess/internal/testkit"
)

const hostInvocationID = "2c4e6a8b-0d1f-4e3a-9b5c-7d9e1f3a5b7c"

// acceptingCore answers like the core does for an accepted reprocess: 202,
// an absolute Location built from X-Forwarded-Proto/-Host, Retry-After and
// Graph's request id, and a header with two values.
func acceptingCore() *testkit.RecordingHandler {
	return &testkit.RecordingHandler{Reply: func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Location", r.Header.Get("X-Forwarded-Proto")+"://"+r.Header.Get("X-Forwarded-Host")+"/api/assignments/"+testID)
		w.Header().Set("Retry-After", "20")
		w.Header().Set("X-Graph-Request-Id", "c1d2e3f4-a5b6-4c7d-8e9f-0a1b2c3d4e5f")
		w.Header()["Vary"] = []string{"Accept", "Origin"}
		w.WriteHeader(http.StatusAccepted)
		_, _ = io.WriteString(w, `{"assignmentId":"`+testID+`","status":"accepted"}`)
	}}
}

func TestHTTPInvocationRebuildsTheCallersRequest(t *testing.T) {
	webhookBody := `{"action":"labeled","issue":{"number":1347,"body":"please reprocess ` + testID + `\nthanks"}}`
	tests := []struct {
		fixture, function string
		want              testkit.Seen
		wantLocation      string
	}{
		{
			fixture: "http-reprocess.json", function: FunctionReprocess,
			want: testkit.Seen{
				Method: "POST", Path: "/api/assignments/" + testID + "/reprocess",
				RawQuery:   "code=" + testCode + "&dryRun=false",
				RequestURI: "/api/assignments/" + testID + "/reprocess?code=" + testCode + "&dryRun=false",
				Host:       "reprocess-func.azurewebsites.net",
				Header: http.Header{
					"Accept":                 {"application/json", "text/plain"},
					"Authorization":          {"Bearer " + testToken},
					"Client-Ip":              {"203.0.113.7:51234"},
					"Content-Length":         {"33"},
					"Content-Type":           {"application/json; charset=utf-8"},
					"Disguised-Host":         {"reprocess-func.azurewebsites.net"},
					"Max-Forwards":           {"10"},
					"Traceparent":            {"00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"},
					"User-Agent":             {"azure-logic-apps/1.0 (workflow 6c3f0a6e3d9b4b0e; version 08584615373493729380)"},
					"Was-Default-Hostname":   {"reprocess-func.azurewebsites.net"},
					"X-Appservice-Proto":     {"https"},
					"X-Arr-Log-Id":           {"5d1c0b6e-3f0a-4e8b-9c7d-2a1b0c9d8e7f"},
					"X-Arr-Ssl":              {"2048|256|CN=Microsoft Azure RSA TLS Issuing CA 03, O=Microsoft Corporation, C=US|CN=*.azurewebsites.net"},
					"X-Forwarded-For":        {"203.0.113.7:51234"},
					"X-Forwarded-Host":       {"reprocess-func.azurewebsites.net"},
					"X-Forwarded-Proto":      {"https"},
					"X-Forwarded-Tlsversion": {"1.3"},
					"X-Functions-Key":        {testKey},
					"X-Ms-Workflow-Run-Id":   {"08584615373493729380123456789CU00"},
					"X-Original-Url":         {"/api/assignments/" + testID + "/reprocess?code=" + testCode + "&dryRun=false"},
					"X-Site-Deployment-Id":   {"reprocess-func"},
					"X-Waws-Unencoded-Url":   {"/api/assignments/" + testID + "/reprocess?code=" + testCode + "&dryRun=false"},
				},
				Body: `{"reason":"access not delivered"}`, ContentLength: 33,
			},
			wantLocation: "https://reprocess-func.azurewebsites.net/api/assignments/" + testID,
		},
		{
			fixture: "http-status-no-body.json", function: FunctionStatus,
			want: testkit.Seen{
				Method: "GET", Path: "/api/assignments/" + testID, RequestURI: "/api/assignments/" + testID,
				Host: "localhost:7071",
				Header: http.Header{
					"Accept":            {"*/*"},
					"User-Agent":        {"curl/8.5.0"},
					"X-Forwarded-Host":  {"localhost:7071"},
					"X-Forwarded-Proto": {"http"},
					"X-Functions-Key":   {testKey},
				},
			},
			wantLocation: "http://localhost:7071/api/assignments/" + testID,
		},
		{
			// Pre-2020 hosts sent Query (and Identities) as JSON in a string; the
			// Url is http because TLS ended at the App Service front end.
			fixture: "http-submit-legacy-query.json", function: FunctionSubmit,
			want: testkit.Seen{
				Method: "POST", Path: "/api/reprocess", RawQuery: "code=" + testCode,
				RequestURI: "/api/reprocess?code=" + testCode, Host: "reprocess-func.azurewebsites.net",
				Header: http.Header{
					"Content-Length":    {"55"},
					"Content-Type":      {"application/json"},
					"User-Agent":        {"python-requests/2.31.0"},
					"X-Forwarded-For":   {"198.51.100.23:40112"},
					"X-Forwarded-Host":  {"reprocess-func.azurewebsites.net"},
					"X-Forwarded-Proto": {"https"},
				},
				Body: `{"assignmentId":"` + testID + `"}`, ContentLength: 55,
			},
			wantLocation: "https://reprocess-func.azurewebsites.net/api/assignments/" + testID,
		},
		{
			fixture: "http-webhook-octet-stream.json", function: FunctionWebhook,
			want: testkit.Seen{
				Method: "POST", Path: "/api/webhooks/github", RequestURI: "/api/webhooks/github",
				Host: "reprocess-func.azurewebsites.net",
				Header: http.Header{
					"Content-Length":      {"115"},
					"Content-Type":        {"application/octet-stream"},
					"User-Agent":          {"GitHub-Hookshot/8e2f4c1"},
					"X-Forwarded-Host":    {"reprocess-func.azurewebsites.net"},
					"X-Forwarded-Proto":   {"https"},
					"X-Functions-Key":     {testKey},
					"X-Github-Delivery":   {"72d3162e-cc78-11e3-81ab-4c9367dc0958"},
					"X-Github-Event":      {"issues"},
					"X-Hub-Signature-256": {"sha256=" + testSignature},
				},
				Body: webhookBody, ContentLength: int64(len(webhookBody)),
			},
			wantLocation: "https://reprocess-func.azurewebsites.net/api/assignments/" + testID,
		},
		{
			// Header values as plain strings, and names in mixed case.
			fixture: "http-openapi-anonymous.json", function: FunctionOpenAPI,
			want: testkit.Seen{
				Method: "GET", Path: "/api/swagger.json", RequestURI: "/api/swagger.json",
				Host: "reprocess-func.azurewebsites.net",
				Header: http.Header{
					"Accept":            {"application/json"},
					"Accept-Encoding":   {"gzip, deflate, br"},
					"User-Agent":        {"PowerPlatform-CustomConnector"},
					"X-Forwarded-Host":  {"reprocess-func.azurewebsites.net"},
					"X-Forwarded-Proto": {"https"},
				},
			},
			wantLocation: "https://reprocess-func.azurewebsites.net/api/assignments/" + testID,
		},
	}
	for _, tt := range tests {
		t.Run(tt.fixture, func(t *testing.T) {
			core := acceptingCore()
			logger, logs := newTestLogger(t)
			rec := invoke(t, NewHandler(core, nil, logger, time.Minute), tt.function, hostInvocationID, readFixture(t, tt.fixture))

			got := core.Only(t)
			tt.want.Info, tt.want.HasInfo = invocation.Info{ID: hostInvocationID, Trigger: invocation.HTTP}, true
			assertRecorded(t, got, tt.want)

			if rec.Code != http.StatusOK {
				t.Errorf("handler status = %d, want 200", rec.Code)
			}
			result := decodeResult(t, rec)
			if result.Res == nil {
				t.Fatalf("Outputs has no res: %v", result.Outputs)
			}
			wantHeaders := map[string]string{
				"Content-Type":       "application/json",
				"Location":           tt.wantLocation,
				"Retry-After":        "20",
				"X-Graph-Request-Id": "c1d2e3f4-a5b6-4c7d-8e9f-0a1b2c3d4e5f",
				"Vary":               "Accept, Origin",
			}
			if result.Res.StatusCode != http.StatusAccepted {
				t.Errorf("res.statusCode = %d, want 202", result.Res.StatusCode)
			}
			if g, w := mapText(result.Res.Headers), mapText(wantHeaders); g != w {
				t.Errorf("res.headers:\n%s\nwant:\n%s", g, w)
			}
			if want := `{"assignmentId":"` + testID + `","status":"accepted"}`; result.Res.Body != want {
				t.Errorf("res.body = %q, want %q", result.Res.Body, want)
			}
			wantLog := tt.function + " " + tt.want.Method + ` "` + tt.want.Path + `" -> 202`
			if len(result.Logs) != 1 || result.Logs[0] != wantLog {
				t.Errorf("Logs = %q, want [%q]", result.Logs, wantLog)
			}

			lines := invocationLines(t, logs)
			if len(lines) != 1 {
				t.Fatalf("invocation log lines = %d, want 1: %s", len(lines), logs)
			}
			for k, want := range map[string]any{"invocationId": hostInvocationID, "function": tt.function, "mode": "json", "trigger": "http", "method": tt.want.Method, "path": tt.want.Path, "status": float64(202), "level": "DEBUG", "servedByCore": true} {
				if lines[0][k] != want {
					t.Errorf("log %s = %v, want %v", k, lines[0][k], want)
				}
			}
			assertNoSecrets(t, "logs", logs.String())
			assertNoSecrets(t, "Logs[]", strings.Join(result.Logs, "\n"))
		})
	}
}

// assertRecorded compares everything the core saw with want.
func assertRecorded(tb testing.TB, got, want testkit.Seen) {
	tb.Helper()
	if got.Method != want.Method || got.Path != want.Path || got.RawPath != want.RawPath || got.RawQuery != want.RawQuery || got.RequestURI != want.RequestURI || got.Host != want.Host {
		tb.Errorf("core saw %s %q (raw %q) query %q uri %q host %q,\nwant %s %q (raw %q) query %q uri %q host %q",
			got.Method, got.Path, got.RawPath, got.RawQuery, got.RequestURI, got.Host,
			want.Method, want.Path, want.RawPath, want.RawQuery, want.RequestURI, want.Host)
	}
	if g, w := headerText(got.Header), headerText(want.Header); g != w {
		tb.Errorf("core saw headers:\n%s\nwant:\n%s", g, w)
	}
	if got.Body != want.Body || got.ContentLength != want.ContentLength {
		tb.Errorf("core saw body %q (ContentLength %d), want %q (%d)", got.Body, got.ContentLength, want.Body, want.ContentLength)
	}
	if got.Info != want.Info || got.HasInfo != want.HasInfo {
		tb.Errorf("core saw invocation %+v (present %v), want %+v (present %v)", got.Info, got.HasInfo, want.Info, want.HasInfo)
	}
}

// The host sends Data.req as an object, but string values elsewhere are
// JSON-encoded once or twice; a string-wrapped req must read the same.
func TestHTTPInvocationAcceptsStringEncodedReq(t *testing.T) {
	var payload map[string]map[string]json.RawMessage
	if err := json.Unmarshal(readFixture(t, "http-status-no-body.json"), &payload); err != nil {
		t.Fatal(err)
	}
	once, _ := json.Marshal(string(payload["Data"]["req"]))
	twice, _ := json.Marshal(string(once))
	for name, req := range map[string]json.RawMessage{"single": once, "double": twice} {
		t.Run(name, func(t *testing.T) {
			payload["Data"]["req"] = req
			b, _ := json.Marshal(payload)
			core := acceptingCore()
			logger, _ := newTestLogger(t)
			rec := invoke(t, NewHandler(core, nil, logger, time.Minute), FunctionStatus, hostInvocationID, b)
			if res := decodeResult(t, rec).Res; res == nil || res.StatusCode != http.StatusAccepted {
				t.Fatalf("res = %+v, want 202 from the core", res)
			}
			got := core.Only(t)
			if got.Method != "GET" || got.Path != "/api/assignments/"+testID || got.Host != "localhost:7071" {
				t.Errorf("core saw %s %s host %s", got.Method, got.Path, got.Host)
			}
		})
	}
}

func TestHTTPInvocationRejectsMalformedPayloads(t *testing.T) {
	tests := map[string]string{
		"fixture: Url is a number":        string(readFixture(t, "http-malformed.json")),
		"not JSON":                        `{"Data":`,
		"trailing garbage":                `{"Data":{}} x`,
		"no Data":                         `{"Metadata":{}}`,
		"no req":                          `{"Data":{"request":{}}}`,
		"req is a number":                 `{"Data":{"req":42}}`,
		"req string is not an object":     `{"Data":{"req":"\"GET\""}}`,
		"no Method":                       `{"Data":{"req":{"Url":"https://h/api/x"}}}`,
		"Method with a space":             `{"Data":{"req":{"Url":"https://h/api/x","Method":"GE T"}}}`,
		"Method with CRLF":                `{"Data":{"req":{"Url":"https://h/api/x","Method":"GET\r\nX: y"}}}`,
		"no Url":                          `{"Data":{"req":{"Method":"GET"}}}`,
		"relative Url":                    `{"Data":{"req":{"Url":"/api/x","Method":"GET"}}}`,
		"ftp Url":                         `{"Data":{"req":{"Url":"ftp://h/api/x","Method":"GET"}}}`,
		"Url with user info":              `{"Data":{"req":{"Url":"https://u:p@h/api/x","Method":"GET"}}}`,
		"Url with a fragment":             `{"Data":{"req":{"Url":"https://h/api/x#f","Method":"GET"}}}`,
		"Url with a space in the query":   `{"Data":{"req":{"Url":"https://h/api/x?a b","Method":"GET"}}}`,
		"Url host with a slash escape":    `{"Data":{"req":{"Url":"https://h%2F/api/x","Method":"GET"}}}`,
		"Url with control characters":     `{"Data":{"req":{"Url":"https://h/api/\u0001","Method":"GET"}}}`,
		"Headers is an array":             `{"Data":{"req":{"Url":"https://h/","Method":"GET","Headers":[]}}}`,
		"header name with a space":        `{"Data":{"req":{"Url":"https://h/","Method":"GET","Headers":{"Bad Name":["x"]}}}}`,
		"header name empty":               `{"Data":{"req":{"Url":"https://h/","Method":"GET","Headers":{"":["x"]}}}}`,
		"header value with CRLF":          `{"Data":{"req":{"Url":"https://h/","Method":"GET","Headers":{"X-A":["a\r\nX-B: c"]}}}}`,
		"header value a number":           `{"Data":{"req":{"Url":"https://h/","Method":"GET","Headers":{"X-A":[1]}}}}`,
		"header value an object":          `{"Data":{"req":{"Url":"https://h/","Method":"GET","Headers":{"X-A":{}}}}}`,
		"Query is a number":               `{"Data":{"req":{"Url":"https://h/","Method":"GET","Query":5}}}`,
		"Query string is not an object":   `{"Data":{"req":{"Url":"https://h/","Method":"GET","Query":"code=x"}}}`,
		"Query value is a number":         `{"Data":{"req":{"Url":"https://h/","Method":"GET","Query":{"a":1}}}}`,
		"Body is an object":               `{"Data":{"req":{"Url":"https://h/","Method":"POST","Body":{"a":1}}}}`,
		"octet-stream Body is not base64": `{"Data":{"req":{"Url":"https://h/","Method":"POST","Headers":{"Content-Type":["application/octet-stream"]},"Body":"not base64!"}}}`,
	}
	for name, payload := range tests {
		t.Run(name, func(t *testing.T) {
			core := acceptingCore()
			logger, logs := newTestLogger(t)
			rec := invoke(t, NewHandler(core, nil, logger, time.Minute), FunctionReprocess, hostInvocationID, []byte(payload))
			if n := len(core.Requests()); n != 0 {
				t.Errorf("core was called %d times", n)
			}
			if rec.Code != http.StatusOK {
				t.Errorf("handler status = %d, want 200 (a non-2xx makes the host answer 500)", rec.Code)
			}
			res := decodeResult(t, rec).Res
			if res == nil || res.StatusCode != http.StatusBadRequest {
				t.Fatalf("res = %+v, want statusCode 400", res)
			}
			assertErrorBody(t, res, codeInvalidInvocation)
			lines := invocationLines(t, logs)
			if len(lines) != 1 || lines[0]["status"] != float64(400) || lines[0]["function"] != FunctionReprocess || lines[0]["reason"] == "" {
				t.Errorf("invocation log lines = %v, want one with status 400 and a reason", lines)
			}
			assertNoSecrets(t, "logs", logs.String())
			assertNoSecrets(t, "res.body", res.Body)
		})
	}
}

func assertErrorBody(tb testing.TB, res *httpOutput, wantCode string) {
	tb.Helper()
	if ct := res.Headers["Content-Type"]; ct != "application/json" {
		tb.Errorf("res Content-Type = %q, want application/json", ct)
	}
	var body struct {
		Error struct{ Code, Message string } `json:"error"`
	}
	if err := json.Unmarshal([]byte(res.Body), &body); err != nil || body.Error.Code != wantCode || body.Error.Message == "" {
		tb.Errorf("res.body = %s, want a Graph-shaped error with code %q", res.Body, wantCode)
	}
}

func TestHTTPInvocationCapsThePayload(t *testing.T) {
	payload := readFixture(t, "http-reprocess.json")
	core := acceptingCore()
	logger, logs := newTestLogger(t)
	rec := invoke(t, newEdge(core, nil, logger, time.Minute, int64(len(payload)-1)), FunctionReprocess, hostInvocationID, payload)
	if rec.Code != http.StatusOK {
		t.Errorf("handler status = %d, want 200", rec.Code)
	}
	res := decodeResult(t, rec).Res
	if res == nil || res.StatusCode != http.StatusRequestEntityTooLarge {
		t.Fatalf("res = %+v, want 413", res)
	}
	assertErrorBody(t, res, codePayloadTooLarge)
	if n := len(core.Requests()); n != 0 {
		t.Errorf("core was called %d times", n)
	}
	assertNoSecrets(t, "logs", logs.String())

	// Exactly at the limit the payload is served.
	rec = invoke(t, newEdge(core, nil, logger, time.Minute, int64(len(payload))), FunctionReprocess, hostInvocationID, payload)
	if res := decodeResult(t, rec).Res; res == nil || res.StatusCode != http.StatusAccepted {
		t.Errorf("at the limit: res = %+v, want 202", res)
	}
}

func TestHTTPInvocationRecoversFromPanics(t *testing.T) {
	core := &testkit.RecordingHandler{Reply: func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Location", "/half-written")
		w.WriteHeader(http.StatusAccepted)
		panic("boom")
	}}
	logger, logs := newTestLogger(t)
	rec := invoke(t, NewHandler(core, nil, logger, time.Minute), FunctionReprocess, hostInvocationID, readFixture(t, "http-reprocess.json"))
	if rec.Code != http.StatusOK {
		t.Errorf("handler status = %d, want 200", rec.Code)
	}
	res := decodeResult(t, rec).Res
	if res == nil || res.StatusCode != http.StatusInternalServerError {
		t.Fatalf("res = %+v, want 500", res)
	}
	if _, ok := res.Headers["Location"]; ok {
		t.Errorf("res carries the half-written Location: %v", res.Headers)
	}
	assertErrorBody(t, res, codeInternalError)
	if !strings.Contains(logs.String(), `"msg":"panic in core handler"`) || !strings.Contains(logs.String(), `"level":"ERROR"`) {
		t.Errorf("logs do not record the panic:\n%s", logs)
	}
	assertNoSecrets(t, "logs", logs.String())
}

// The core's non-2xx answers travel in res, the handler itself still says 200.
func TestHTTPInvocationPassesErrorStatusesInRes(t *testing.T) {
	for _, status := range []int{http.StatusBadRequest, http.StatusNotFound, http.StatusTooManyRequests, http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout} {
		t.Run(http.StatusText(status), func(t *testing.T) {
			core := &testkit.RecordingHandler{Reply: testkit.Answer(status, http.Header{"Content-Type": {"application/json"}, "Retry-After": {"7"}}, `{"error":{"code":"x","message":"y"}}`)}
			logger, logs := newTestLogger(t)
			rec := invoke(t, NewHandler(core, nil, logger, time.Minute), FunctionReprocess, hostInvocationID, readFixture(t, "http-reprocess.json"))
			if rec.Code != http.StatusOK {
				t.Errorf("handler status = %d, want 200", rec.Code)
			}
			res := decodeResult(t, rec).Res
			want := httpOutput{StatusCode: status, Headers: map[string]string{"Content-Type": "application/json", "Retry-After": "7"}, Body: `{"error":{"code":"x","message":"y"}}`}
			if res == nil || res.StatusCode != want.StatusCode || mapText(res.Headers) != mapText(want.Headers) || res.Body != want.Body {
				t.Errorf("res = %+v, want %+v", res, want)
			}
			// The core writes the request's line; the edge's is debug detail.
			wantLevel := "DEBUG"
			if lines := invocationLines(t, logs); len(lines) != 1 || lines[0]["level"] != wantLevel || lines[0]["status"] != float64(status) {
				t.Errorf("invocation log lines = %v, want one at %s with status %d", lines, wantLevel, status)
			}
		})
	}
}

// A core answer without Content-Type gets the sniffed one net/http would
// send, and hop-by-hop headers stay on our side.
func TestHTTPInvocationResponseHeaders(t *testing.T) {
	core := &testkit.RecordingHandler{Reply: testkit.Answer(http.StatusOK, http.Header{"Content-Length": {"2"}, "Connection": {"close"}, "X-Graph-Request-Id": {"r1"}}, "{}")}
	logger, _ := newTestLogger(t)
	res := decodeResult(t, invoke(t, NewHandler(core, nil, logger, time.Minute), FunctionStatus, hostInvocationID, readFixture(t, "http-status-no-body.json"))).Res
	want := map[string]string{"Content-Type": "text/plain; charset=utf-8", "X-Graph-Request-Id": "r1"}
	if res == nil || mapText(res.Headers) != mapText(want) {
		t.Errorf("res = %+v, want headers %v", res, want)
	}
}
