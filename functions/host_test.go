package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/entra-tools/reprocess/shared/sandbox"
)

// A function key and a bearer token the host would forward: they must never
// be logged.
const (
	functionKey = "fk-9f8e7d6c5b4a39281706f5e4d3c2b1a0"
	hostName    = "reprocess-func.azurewebsites.net"
)

// hostMode is one of the ways the Functions host reaches the handler.
type hostMode string

const (
	forwarded hostMode = "forwarded" // enableForwardingHttpRequest
	proxied   hostMode = "proxied"   // enableProxyingHttpRequest
	invoked   hostMode = "invoked"   // JSON invocation payload at /{function}
)

var hostModes = []hostMode{forwarded, proxied, invoked}

// reply is what the caller behind the host receives.
type reply struct {
	status int
	header http.Header
	body   []byte
}

// call sends one caller request through the handler as the host would in
// mode, and returns what the host would answer the caller.
func (p *process) call(tb testing.TB, mode hostMode, function, method, path, body string) reply {
	tb.Helper()
	invocationID := fmt.Sprintf("%08x-0000-4000-8000-%012x", time.Now().UnixNano()&0xffffffff, time.Now().UnixNano()&0xffffffffffff)
	query := "code=" + functionKey
	h := http.Header{}
	h.Set("X-Azure-Functions-HostVersion", "4.1044.100.0")
	h.Set("X-Azure-Functions-InvocationId", invocationID)
	h.Set("x-functions-key", functionKey)
	if body != "" {
		h.Set("Content-Type", "application/json")
	}
	switch mode {
	case forwarded:
		// The App Service front end's headers, which the host copies.
		h.Set("X-Forwarded-Proto", "https")
		h.Set("X-ARR-SSL", "2048|256|CN=Microsoft Azure RSA TLS Issuing CA 03|CN=*.azurewebsites.net")
		resp := p.sendHost(tb, method, path+"?"+query, hostName, h, body)
		return readReply(tb, resp)
	case proxied:
		h.Set("x-ms-invocation-id", invocationID)
		h.Set("X-Forwarded-For", "203.0.113.7")
		h.Set("X-Forwarded-Proto", "https")
		h.Set("X-Forwarded-Host", hostName)
		resp := p.sendHost(tb, method, path+"?"+query, "", h, body)
		return readReply(tb, resp)
	}
	req := map[string]any{
		"Url":        "https://" + hostName + path + "?" + query,
		"Method":     method,
		"Query":      map[string]string{"code": functionKey},
		"Headers":    map[string][]string{"Host": {hostName}, "x-functions-key": {functionKey}, "Content-Type": {"application/json"}},
		"Params":     map[string]string{},
		"Identities": []any{map[string]any{"AuthenticationType": "WebJobsAuthLevel", "IsAuthenticated": true}},
	}
	if body != "" {
		req["Body"] = body
	}
	payload, _ := json.Marshal(map[string]any{"Data": map[string]any{"req": req}, "Metadata": map[string]any{"sys": map[string]string{"MethodName": function}}})
	ih := http.Header{}
	ih.Set("Content-Type", "application/json; charset=utf-8")
	ih.Set("X-Azure-Functions-InvocationId", invocationID)
	ih.Set("User-Agent", "Azure-Functions-Host/4.1044.100.0")
	resp := p.sendHost(tb, http.MethodPost, "/"+function, "", ih, string(payload))
	r := readReply(tb, resp)
	if r.status != http.StatusOK || !strings.HasPrefix(r.header.Get("Content-Type"), "application/json") {
		tb.Fatalf("invocation answered %d %q; the host needs 200 application/json", r.status, r.header.Get("Content-Type"))
	}
	var out struct {
		Outputs struct {
			Res struct {
				StatusCode int               `json:"statusCode"`
				Headers    map[string]string `json:"headers"`
				Body       string            `json:"body"`
			} `json:"res"`
		}
		Logs []string
	}
	if err := json.Unmarshal(r.body, &out); err != nil {
		tb.Fatalf("invocation reply %s: %v", r.body, err)
	}
	rh := http.Header{}
	for k, v := range out.Outputs.Res.Headers {
		rh.Set(k, v)
	}
	return reply{status: out.Outputs.Res.StatusCode, header: rh, body: []byte(out.Outputs.Res.Body)}
}

func (p *process) sendHost(tb testing.TB, method, target, host string, h http.Header, body string) *http.Response {
	tb.Helper()
	req, err := http.NewRequest(method, p.base+target, strings.NewReader(body))
	if err != nil {
		tb.Fatal(err)
	}
	req.Header = h
	if host != "" {
		req.Host = host
	}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Do(req)
	if err != nil {
		tb.Fatal(err)
	}
	return resp
}

func readReply(tb testing.TB, resp *http.Response) reply {
	tb.Helper()
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		tb.Fatal(err)
	}
	return reply{status: resp.StatusCode, header: resp.Header, body: b}
}

// invokeQueue delivers one queue message as the host does (double-encoded).
func (p *process) invokeQueue(tb testing.TB, message string, dequeueCount int) int {
	tb.Helper()
	quoted, _ := json.Marshal(message)
	twice, _ := json.Marshal(string(quoted))
	payload := fmt.Sprintf(`{"Data":{"msg":%s},"Metadata":{"DequeueCount":"%d","Id":"\"q-1\"","sys":{"MethodName":"reprocess-queue"}}}`, twice, dequeueCount)
	h := http.Header{}
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("X-Azure-Functions-InvocationId", "11111111-2222-4333-8444-555555555555")
	resp := p.sendHost(tb, http.MethodPost, "/reprocess-queue", "", h, payload)
	resp.Body.Close()
	return resp.StatusCode
}

func TestFunctionsHostModes(t *testing.T) {
	tenant := sandbox.NewForTest(t, sandbox.Options{DeliveringFor: sandbox.StayDelivered})
	p := startBinary(t, tenant, nil)
	seeds := tenant.Seeds
	tests := []struct {
		name, function, method, path, body string
		wantStatus                         int
		wantGraphCalls                     int
	}{
		{"reprocess delivered", "reprocess", http.MethodPost, "/api/assignments/" + seeds.Delivered[0] + "/reprocess", "", 202, 1},
		{"reprocess unknown", "reprocess", http.MethodPost, "/api/assignments/" + seeds.Unknown + "/reprocess", "", 404, 1},
		{"reprocess not delivered", "reprocess", http.MethodPost, "/api/assignments/" + seeds.Expired + "/reprocess", "", 400, 1},
		{"hostile id", "reprocess", http.MethodPost, "/api/assignments/" + url.PathEscape("../../users") + "/reprocess", "", 400, 0},
		{"braced id", "reprocess", http.MethodPost, "/api/assignments/%7B" + seeds.Delivered[1] + "%7D/reprocess", "", 400, 0},
		{"status", "status", http.MethodGet, "/api/assignments/" + seeds.Delivered[2], "", 200, 1},
		{"submit", "submit", http.MethodPost, "/api/reprocess", `{"assignmentId":"` + seeds.Delivered[3] + `"}`, 202, 1},
		{"submit malformed", "submit", http.MethodPost, "/api/reprocess", `{"assignmentId":`, 400, 0},
	}
	for _, mode := range hostModes {
		for _, tc := range tests {
			t.Run(string(mode)+"/"+tc.name, func(t *testing.T) {
				tenant.Reset()
				r := p.call(t, mode, tc.function, tc.method, tc.path, tc.body)
				if r.status != tc.wantStatus {
					t.Fatalf("status = %d, want %d (%s)", r.status, tc.wantStatus, r.body)
				}
				if got := tenant.Count(sandbox.Graph); got != tc.wantGraphCalls {
					t.Errorf("Graph requests = %d, want %d", got, tc.wantGraphCalls)
				}
				if tc.wantGraphCalls == 0 && tenant.Count(sandbox.KeyVault)+tenant.Count(sandbox.Entra) != 0 {
					t.Errorf("a refused request reached Key Vault or Entra")
				}
				if tc.wantStatus == http.StatusAccepted {
					want := "https://" + hostName + "/api/assignments/"
					if loc := r.header.Get("Location"); !strings.HasPrefix(loc, want) {
						t.Errorf("Location = %q, want it under %q", loc, want)
					}
				}
				if tc.wantGraphCalls > 0 && r.header.Get("X-Graph-Request-Id") == "" {
					t.Errorf("X-Graph-Request-Id is missing")
				}
				if tc.wantStatus >= 400 {
					var e errorShape
					if json.Unmarshal(r.body, &e) != nil || e.Error.Code == "" {
						t.Errorf("error body %q is not Graph's shape", r.body)
					}
				}
			})
		}
	}
	logs := p.logs.String()
	if strings.Contains(logs, functionKey) {
		t.Errorf("the function key reached the logs")
	}
	if !strings.Contains(logs, `"invocationId":"`) {
		t.Errorf("log lines carry no invocation id")
	}
}

func TestFunctionsHostFaults(t *testing.T) {
	tests := []struct {
		name       string
		env        map[string]string
		setup      func(t *sandbox.Tenant, id string)
		wantStatus int
		wantRetry  bool
		wantGraph  int // -1: not checked
		// After Graph's 429 the process holds its Graph calls for the
		// Retry-After: the later modes get 429 without calling Graph.
		heldAfterFirst bool
	}{
		{"throttled", nil, func(t *sandbox.Tenant, id string) { t.Graph.Fail(id, 429, 10, 40*time.Second) }, 429, true, 1, true},
		{"forbidden", nil, func(t *sandbox.Tenant, id string) { t.Graph.SetPermission(false) }, 502, false, 1, false},
		{"key vault down", nil, func(t *sandbox.Tenant, id string) { t.KeyVault.SetDown(true) }, 503, true, 0, false},
		{"deadline", map[string]string{"REQUEST_TIMEOUT": "1s"}, func(t *sandbox.Tenant, id string) { t.Graph.SetLatency(2 * time.Second) }, 504, false, -1, false},
		{"certificate", map[string]string{"GRAPH_CLIENT_SECRET_NAME": "", "GRAPH_CERTIFICATE_NAME": sandbox.GraphCertificateName}, func(*sandbox.Tenant, string) {}, 202, true, 1, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tenant := sandbox.NewForTest(t, sandbox.Options{DeliveringFor: sandbox.StayDelivered})
			p := startBinary(t, tenant, tc.env)
			id := tenant.Seeds.Delivered[0]
			tc.setup(tenant, id)
			for i, mode := range hostModes {
				tenant.Graph.ClearFaults()
				tc.setup(tenant, id)
				tenant.Reset()
				r := p.call(t, mode, "reprocess", http.MethodPost, "/api/assignments/"+id+"/reprocess", "")
				if r.status != tc.wantStatus {
					t.Fatalf("%s: status = %d, want %d (%s)", mode, r.status, tc.wantStatus, r.body)
				}
				if got := r.header.Get("Retry-After"); (got != "") != tc.wantRetry {
					t.Errorf("%s: Retry-After = %q, want present=%v", mode, got, tc.wantRetry)
				}
				want := tc.wantGraph
				if tc.heldAfterFirst && i > 0 {
					want = 0
				}
				if got := tenant.Count(sandbox.Graph); want >= 0 && got != want {
					t.Errorf("%s: Graph requests = %d, want %d", mode, got, want)
				}
			}
		})
	}
}

func TestSecretRotatedWhileBinaryRuns(t *testing.T) {
	tenant := sandbox.NewForTest(t, sandbox.Options{TokenLifetime: time.Minute, DeliveringFor: sandbox.StayDelivered})
	p := startBinary(t, tenant, nil)
	id := tenant.Seeds.Delivered[0]
	if r := p.call(t, forwarded, "reprocess", http.MethodPost, "/api/assignments/"+id+"/reprocess", ""); r.status != 202 {
		t.Fatalf("before rotation: status = %d, want 202", r.status)
	}
	tenant.RotateGraphSecret()
	if r := p.call(t, proxied, "reprocess", http.MethodPost, "/api/assignments/"+id+"/reprocess", ""); r.status != 202 {
		t.Fatalf("after rotation: status = %d, want 202 (%s)", r.status, r.body)
	}
}

func TestQueueFunction(t *testing.T) {
	tenant := sandbox.NewForTest(t, sandbox.Options{DeliveringFor: sandbox.StayDelivered})
	p := startBinary(t, tenant, nil)
	seeds := tenant.Seeds
	tests := []struct {
		name, message string
		setup         func()
		wantOK        bool // the invocation completes (2xx): no retry
		wantReprocess int  // accepted reprocess calls for the id
	}{
		{"object", `{"assignmentId":"` + seeds.Delivered[0] + `"}`, nil, true, 1},
		{"bare id", seeds.Delivered[1], nil, true, 1},
		{"invalid id completes", "not-a-guid", nil, true, 0},
		{"unknown completes", seeds.Unknown, nil, true, 0},
		{"graph outage fails for a retry", seeds.Delivered[3], func() { tenant.Graph.Fail(seeds.Delivered[3], 503, 10, time.Minute) }, false, 0},
		{"throttled fails for a retry", seeds.Delivered[2], func() { tenant.Graph.Fail(seeds.Delivered[2], 429, 10, time.Second) }, false, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if tc.setup != nil {
				tc.setup()
			}
			id := strings.TrimSuffix(strings.TrimPrefix(tc.message, `{"assignmentId":"`), `"}`)
			before := tenant.Graph.Reprocessed(id)
			status := p.invokeQueue(t, tc.message, 1)
			if ok := status >= 200 && status < 300; ok != tc.wantOK {
				t.Fatalf("invocation status = %d, want completed=%v", status, tc.wantOK)
			}
			if got := tenant.Graph.Reprocessed(id) - before; got != tc.wantReprocess {
				t.Errorf("accepted reprocess calls = %d, want %d", got, tc.wantReprocess)
			}
		})
	}
	// The throttled message, retried by the host once Graph recovers and
	// its Retry-After has passed (the process holds its Graph calls until
	// then), completes.
	tenant.Graph.ClearFaults()
	time.Sleep(1100 * time.Millisecond)
	if status := p.invokeQueue(t, seeds.Delivered[2], 2); status != http.StatusOK {
		t.Errorf("retried message: status = %d, want 200", status)
	}
}

func TestStartsWithoutTouchingKeyVault(t *testing.T) {
	tenant := sandbox.NewForTest(t, sandbox.Options{})
	startBinary(t, tenant, nil)
	if n := tenant.Count(sandbox.KeyVault) + tenant.Count(sandbox.Entra) + tenant.Count(sandbox.Graph); n != 0 {
		t.Errorf("start-up made %d requests; secrets must load lazily", n)
	}
}

func TestMisconfigurationIsReportedAtStart(t *testing.T) {
	cmd := handlerCommand(t, map[string]string{"GRAPH_CLIENT_SECRET_NAME": "graph", "AZURE_CLIENT_SECRET": "sup3r-s3cret-value", "GRAPH_CLOUD": "moon", "REQUEST_TIMEOUT": "x"})
	out, err := cmd.CombinedOutput()
	if err == nil {
		t.Fatalf("the handler started with a broken configuration:\n%s", out)
	}
	text := string(out)
	for _, want := range []string{"GRAPH_TENANT_ID is required", "KEYVAULT_URL is required", `GRAPH_CLOUD "moon"`, `REQUEST_TIMEOUT "x"`} {
		if !strings.Contains(text, want) {
			t.Errorf("output lacks %q:\n%s", want, text)
		}
	}
	if strings.Contains(text, "sup3r-s3cret-value") {
		t.Errorf("output shows a secret value:\n%s", text)
	}
}
