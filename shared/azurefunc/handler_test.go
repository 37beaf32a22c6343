package azurefunc

import (
	"bufio"
	"bytes"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/entra-tools/reprocess/shared/invocation"

	"github.com/entra-tools/reprocess/internal/testkit"
)

// sendRaw writes a raw HTTP/1.1 request to the server and reads the answer,
// so the request arrives exactly as the host put it on the wire.
func sendRaw(tb testing.TB, srv *httptest.Server, raw []byte) (*http.Response, string) {
	tb.Helper()
	conn, err := net.Dial("tcp", srv.Listener.Addr().String())
	if err != nil {
		tb.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.Write(raw); err != nil {
		tb.Fatal(err)
	}
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		tb.Fatalf("reading the response: %v", err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		tb.Fatalf("reading the response body: %v", err)
	}
	return resp, string(body)
}

// Forwarded and proxied requests reach the core unchanged, and the core's
// answer (any status) comes back unchanged.
func TestForwardedAndProxiedRequestsPassStraightThrough(t *testing.T) {
	tests := []struct {
		fixture, wantHost, wantID, wantMode string
		wantContentLength                   int64
	}{
		// Forwarding copies the caller's headers, then appends the host's
		// invocation id after the one the caller chose.
		{"forwarded-reprocess.http", "reprocess-func.azurewebsites.net", "9b1e4c2a-7d3f-4a5b-8c6d-0e1f2a3b4c5d", "forwarded", 33},
		// Proxying streams the body and replaces Host with the loopback address.
		{"proxied-reprocess.http", "127.0.0.1:40117", "6a7b8c9d-0e1f-4a2b-9c3d-4e5f6a7b8c9d", "proxied", -1},
	}
	answers := []struct {
		status int
		header http.Header
		body   string
	}{
		{http.StatusAccepted, http.Header{"Content-Type": {"application/json"}, "Location": {"https://reprocess-func.azurewebsites.net/api/assignments/" + testID}, "Retry-After": {"20"}, "X-Graph-Request-Id": {"r-202"}}, `{"status":"accepted"}`},
		{http.StatusNotFound, http.Header{"Content-Type": {"application/json"}, "X-Graph-Request-Id": {"r-404"}}, `{"error":{"code":"ResourceNotFound","message":"no such assignment"}}`},
		{http.StatusTooManyRequests, http.Header{"Content-Type": {"application/json"}, "Retry-After": {"30"}}, `{"error":{"code":"TooManyRequests","message":"slow down"}}`},
	}
	for _, tt := range tests {
		for _, a := range answers {
			t.Run(tt.fixture+"/"+http.StatusText(a.status), func(t *testing.T) {
				raw := readFixture(t, tt.fixture)
				// What net/http itself makes of the bytes is what the core must get.
				want, err := http.ReadRequest(bufio.NewReader(bytes.NewReader(raw)))
				if err != nil {
					t.Fatal(err)
				}
				wantBody, _ := io.ReadAll(want.Body)

				core := &testkit.RecordingHandler{Reply: testkit.Answer(a.status, a.header, a.body)}
				logger, logs := newTestLogger(t)
				srv := httptest.NewServer(NewHandler(core, nil, logger, time.Minute))
				defer srv.Close()
				resp, body := sendRaw(t, srv, raw)

				assertRecorded(t, core.Only(t), testkit.Seen{
					Method: want.Method, Path: want.URL.Path, RawQuery: want.URL.RawQuery, RequestURI: want.RequestURI,
					Host: want.Host, Header: want.Header, Body: string(wantBody), ContentLength: want.ContentLength,
					Info: invocation.Info{ID: tt.wantID, Trigger: invocation.HTTP}, HasInfo: true,
				})
				if got := core.Only(t); got.Host != tt.wantHost || got.ContentLength != tt.wantContentLength || got.Header.Get("X-Functions-Key") != testKey || got.RawQuery != "code="+testCode+"&dryRun=false" {
					t.Errorf("core saw host %q, ContentLength %d, key %q, query %q", got.Host, got.ContentLength, got.Header.Get("X-Functions-Key"), got.RawQuery)
				}

				if resp.StatusCode != a.status || body != a.body {
					t.Errorf("caller got %d %q, want %d %q", resp.StatusCode, body, a.status, a.body)
				}
				for name, values := range a.header {
					if got := resp.Header.Values(name); strings.Join(got, "|") != strings.Join(values, "|") {
						t.Errorf("caller got %s = %q, want %q", name, got, values)
					}
				}

				lines := invocationLines(t, logs)
				if len(lines) != 1 {
					t.Fatalf("invocation log lines = %d, want 1:\n%s", len(lines), logs)
				}
				for k, w := range map[string]any{"invocationId": tt.wantID, "mode": tt.wantMode, "trigger": "http", "method": "POST", "path": "/api/assignments/" + testID + "/reprocess", "status": float64(a.status)} {
					if lines[0][k] != w {
						t.Errorf("log %s = %v, want %v", k, lines[0][k], w)
					}
				}
				assertNoSecrets(t, "logs", logs.String())
			})
		}
	}
}

// Only POST /{function} for the six names is a JSON invocation; every other
// request, however odd its path, reaches the core untouched (no redirects or
// 405s from a ServeMux).
func TestNonInvocationRequestsGoToTheCore(t *testing.T) {
	tests := []struct{ method, target string }{
		{"GET", "/"},
		{"HEAD", "/"},
		{"GET", "/reprocess"},
		{"POST", "/reprocess/"},
		{"POST", "/Reprocess"},
		{"POST", "/api/reprocess"},
		{"POST", "/api//assignments/../reprocess"},
		{"DELETE", "/api/assignments/" + testID},
		{"POST", "/unknown-function"},
	}
	for _, tt := range tests {
		t.Run(tt.method+" "+tt.target, func(t *testing.T) {
			core := &testkit.RecordingHandler{Reply: testkit.Answer(http.StatusTeapot, nil, "core")}
			logger, _ := newTestLogger(t)
			req := httptest.NewRequest(tt.method, tt.target, strings.NewReader(`{"Data":{}}`))
			rec := httptest.NewRecorder()
			NewHandler(core, nil, logger, time.Minute).ServeHTTP(rec, req)
			if rec.Code != http.StatusTeapot {
				t.Errorf("status = %d, want the core's 418", rec.Code)
			}
			got := core.Only(t)
			if got.Method != tt.method || got.RequestURI != tt.target || got.Info != (invocation.Info{Trigger: invocation.HTTP}) {
				t.Errorf("core saw %s %s info %+v", got.Method, got.RequestURI, got.Info)
			}
		})
	}
}

// The host's readiness and health pings are logged at debug level only.
func TestReadinessPingIsQuiet(t *testing.T) {
	core := &testkit.RecordingHandler{Reply: testkit.Answer(http.StatusOK, nil, "ok")}
	logger, logs := newTestLogger(t)
	rec := httptest.NewRecorder()
	NewHandler(core, nil, logger, time.Minute).ServeHTTP(rec, httptest.NewRequest("GET", "/", nil))
	lines := invocationLines(t, logs)
	if rec.Code != http.StatusOK || len(lines) != 1 || lines[0]["level"] != "DEBUG" || lines[0]["mode"] != "direct" {
		t.Errorf("status %d, log lines %v; want 200 and one DEBUG line", rec.Code, lines)
	}
}

func TestInvocationID(t *testing.T) {
	tests := []struct {
		name   string
		header http.Header
		want   string
	}{
		{"none", http.Header{}, ""},
		{"host header", http.Header{"X-Azure-Functions-Invocationid": {"9b1e4c2a-7d3f-4a5b-8c6d-0e1f2a3b4c5d"}}, "9b1e4c2a-7d3f-4a5b-8c6d-0e1f2a3b4c5d"},
		{"proxy header only", http.Header{"X-Ms-Invocation-Id": {"6a7b8c9d-0e1f-4a2b-9c3d-4e5f6a7b8c9d"}}, "6a7b8c9d-0e1f-4a2b-9c3d-4e5f6a7b8c9d"},
		{"appended after the caller's", http.Header{"X-Azure-Functions-Invocationid": {"spoofed", "9b1e4c2a-7d3f-4a5b-8c6d-0e1f2a3b4c5d"}}, "9b1e4c2a-7d3f-4a5b-8c6d-0e1f2a3b4c5d"},
		{"joined after the caller's", http.Header{"X-Azure-Functions-Invocationid": {"spoofed, 9b1e4c2a-7d3f-4a5b-8c6d-0e1f2a3b4c5d"}}, "9b1e4c2a-7d3f-4a5b-8c6d-0e1f2a3b4c5d"},
		{"not id-shaped falls back", http.Header{"X-Azure-Functions-Invocationid": {"a b\"c"}, "X-Ms-Invocation-Id": {"6a7b8c9d"}}, "6a7b8c9d"},
		{"too long", http.Header{"X-Azure-Functions-Invocationid": {strings.Repeat("a", 65)}}, ""},
	}
	for _, tt := range tests {
		if got := invocationID(tt.header); got != tt.want {
			t.Errorf("invocationID(%s) = %q, want %q", tt.name, got, tt.want)
		}
	}
}

func TestPassthroughRecoversFromPanics(t *testing.T) {
	t.Run("before the answer started", func(t *testing.T) {
		core := &testkit.RecordingHandler{Reply: func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Location", "/half")
			panic("boom")
		}}
		logger, logs := newTestLogger(t)
		srv := httptest.NewServer(NewHandler(core, nil, logger, time.Minute))
		defer srv.Close()
		resp, body := sendRaw(t, srv, readFixture(t, "proxied-reprocess.http"))
		if resp.StatusCode != http.StatusInternalServerError || resp.Header.Get("Content-Type") != "application/json" || resp.Header.Get("Location") != "" {
			t.Errorf("caller got %d %v", resp.StatusCode, resp.Header)
		}
		if !strings.Contains(body, `"code":"`+codeInternalError+`"`) || strings.Contains(body, "boom") {
			t.Errorf("caller got body %s, want a generic Graph-shaped error", body)
		}
		if !strings.Contains(logs.String(), `"msg":"panic in core handler"`) {
			t.Errorf("panic not logged:\n%s", logs)
		}
		if lines := invocationLines(t, logs); len(lines) != 1 || lines[0]["status"] != float64(500) {
			t.Errorf("invocation lines = %v, want one with status 500", lines)
		}
	})
	t.Run("after the answer started", func(t *testing.T) {
		core := &testkit.RecordingHandler{Reply: func(w http.ResponseWriter, _ *http.Request) {
			w.WriteHeader(http.StatusOK)
			_, _ = io.WriteString(w, `{"partial":`)
			panic("boom")
		}}
		logger, logs := newTestLogger(t)
		srv := httptest.NewServer(NewHandler(core, nil, logger, time.Minute))
		defer srv.Close()
		resp, err := srv.Client().Get(srv.URL + "/api/assignments/" + testID)
		if err == nil {
			_, err = io.ReadAll(resp.Body)
			resp.Body.Close()
		}
		if err == nil {
			t.Errorf("caller read a complete answer; want the truncated response aborted")
		}
		if !strings.Contains(logs.String(), `"msg":"panic in core handler"`) {
			t.Errorf("panic not logged:\n%s", logs)
		}
	})
}
