package main

import (
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/entra-tools/reprocess/shared/sandbox"
)

func TestReprocessOutcomes(t *testing.T) {
	s := newStack(t, sandbox.Options{DeliveringFor: sandbox.StayDelivered}, nil)
	seeds := s.tenant.Seeds
	tests := []struct {
		name       string
		id         string
		wantStatus int
		wantCode   string // error code, for errors
		wantCalls  int    // Graph requests for this id
	}{
		{"delivered", seeds.Delivered[0], http.StatusAccepted, "", 1},
		{"upper case id is canonicalised", strings.ToUpper(seeds.Delivered[1]), http.StatusAccepted, "", 1},
		{"unknown", seeds.Unknown, http.StatusNotFound, "", 1},
		{"not delivered", seeds.Expired, http.StatusBadRequest, "InvalidAssignmentState", 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			resp := s.do(t, http.MethodPost, "/api/assignments/"+tc.id+"/reprocess", "")
			if resp.StatusCode != tc.wantStatus {
				t.Fatalf("status = %d, want %d", resp.StatusCode, tc.wantStatus)
			}
			if rid := resp.Header.Get("X-Graph-Request-Id"); rid == "" {
				t.Errorf("X-Graph-Request-Id is empty")
			}
			if got := s.graphCalls(strings.ToLower(tc.id)); got != tc.wantCalls {
				t.Errorf("Graph calls = %d, want %d", got, tc.wantCalls)
			}
			if tc.wantStatus == http.StatusAccepted {
				want := "http://example.com/api/assignments/" + strings.ToLower(tc.id)
				if got := resp.Header.Get("Location"); got != want {
					t.Errorf("Location = %q, want %q", got, want)
				}
				if got := resp.Header.Get("Retry-After"); got == "" {
					t.Errorf("Retry-After is empty")
				}
				return
			}
			e := readError(t, resp)
			if tc.wantCode != "" && e.Error.Code != tc.wantCode {
				t.Errorf("error code = %q, want Graph's %q", e.Error.Code, tc.wantCode)
			}
		})
	}
}

func TestHostileIDsMakeNoRequest(t *testing.T) {
	s := newStack(t, sandbox.Options{}, nil)
	paths := []string{
		"/api/assignments/not-a-guid/reprocess",
		"/api/assignments/00000000-0000-0000-0000-000000000000/reprocess",
		"/api/assignments/%7B0f8fad5b-d9cb-469f-a165-70867728950e%7D/reprocess",
		"/api/assignments/urn:uuid:0f8fad5b-d9cb-469f-a165-70867728950e/reprocess",
		"/api/assignments/0f8fad5bd9cb469fa16570867728950e/reprocess",
		"/api/assignments/0f8fad5b-d9cb-469f-a165-70867728950e%2F..%2Fx/reprocess",
		"/api/assignments/0f8fad5b-d9cb-469f-a165-7086772895%3Fe/reprocess",
		"/api/assignments/0f8fad5b-d9cb-469f-a165-7086772895%23e/reprocess",
		"/api/assignments/%EF%BC%90f8fad5b-d9cb-469f-a165-70867728950e/reprocess",
		"/api/assignments/../reprocess",
		"/api/assignments/./reprocess",
		"/api/assignments//reprocess",
		"/api/assignments/0f8fad5b-d9cb-469f-a165-70867728950e/../../reprocess",
	}
	for _, p := range paths {
		t.Run(p, func(t *testing.T) {
			resp := s.do(t, http.MethodPost, p, "")
			if resp.StatusCode != http.StatusBadRequest {
				t.Fatalf("status = %d, want 400", resp.StatusCode)
			}
			readError(t, resp)
		})
	}
	for _, body := range []string{`{"assignmentId":"../x"}`, `{"assignmentId":"{0f8fad5b-d9cb-469f-a165-70867728950e}"}`, `{"assignmentId":""}`} {
		t.Run(body, func(t *testing.T) {
			if resp := s.do(t, http.MethodPost, "/api/reprocess", body); resp.StatusCode != http.StatusBadRequest {
				t.Fatalf("status = %d, want 400", resp.StatusCode)
			}
		})
	}
	if n := s.outbound(); n != 0 {
		t.Errorf("hostile ids made %d outbound requests, want 0", n)
	}
}

func TestGraphFailures(t *testing.T) {
	tests := []struct {
		name       string
		setup      func(s *stack, id string)
		env        map[string]string
		wantStatus int
		wantRetry  string // Retry-After, "" = any non-empty, "-" = none
		wantCalls  int    // Graph requests for the id; -1: not checked
	}{
		{"throttled past the deadline", func(s *stack, id string) { s.tenant.Graph.Fail(id, 429, 5, 30*time.Second) }, nil, http.StatusTooManyRequests, "30", 1},
		{"throttled once, then accepted", func(s *stack, id string) { s.tenant.Graph.Fail(id, 429, 1, time.Second) }, nil, http.StatusAccepted, "", 2},
		{"forbidden is a setup fault", func(s *stack, id string) { s.tenant.Graph.SetPermission(false) }, nil, http.StatusBadGateway, "-", 1},
		{"graph outage after bounded retries", func(s *stack, id string) { s.tenant.Graph.Fail(id, 503, 10, 0) }, map[string]string{"REQUEST_TIMEOUT": "3s"}, http.StatusServiceUnavailable, "", 1},
		{"graph 500 is a bad gateway", func(s *stack, id string) { s.tenant.Graph.Fail(id, 500, 1, sandbox.NoRetryAfter) }, nil, http.StatusBadGateway, "-", 1},
		{"key vault down", func(s *stack, id string) { s.tenant.KeyVault.SetDown(true) }, nil, http.StatusServiceUnavailable, "", 0},
		{"entra down", func(s *stack, id string) { s.tenant.Entra.SetDown(true) }, nil, http.StatusServiceUnavailable, "", 0},
		{"deadline", func(s *stack, id string) { s.tenant.Graph.SetLatency(3 * time.Second) }, map[string]string{"REQUEST_TIMEOUT": "1s"}, http.StatusGatewayTimeout, "-", -1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := newStack(t, sandbox.Options{}, tc.env)
			id := s.tenant.Seeds.Delivered[0]
			tc.setup(s, id)
			resp := s.do(t, http.MethodPost, "/api/assignments/"+id+"/reprocess", "")
			if resp.StatusCode != tc.wantStatus {
				body, _ := io.ReadAll(resp.Body)
				t.Fatalf("status = %d, want %d (%s)", resp.StatusCode, tc.wantStatus, body)
			}
			got := resp.Header.Get("Retry-After")
			switch {
			case tc.wantRetry == "-" && got != "":
				t.Errorf("Retry-After = %q, want none", got)
			case tc.wantRetry == "" && got == "":
				t.Errorf("Retry-After is missing")
			case tc.wantRetry != "" && tc.wantRetry != "-" && got != tc.wantRetry:
				t.Errorf("Retry-After = %q, want %q", got, tc.wantRetry)
			}
			if tc.wantStatus != http.StatusAccepted {
				readError(t, resp)
			}
			if calls := s.graphCalls(id); tc.wantCalls >= 0 && calls != tc.wantCalls {
				t.Errorf("Graph calls = %d, want %d", calls, tc.wantCalls)
			}
		})
	}
}

func TestCredentialsAreBuiltOnceAndReused(t *testing.T) {
	s := newStack(t, sandbox.Options{DeliveringFor: sandbox.StayDelivered}, nil)
	id := s.tenant.Seeds.Delivered[0]
	var wg sync.WaitGroup
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if resp := s.do(t, http.MethodPost, "/api/assignments/"+id+"/reprocess", ""); resp.StatusCode != http.StatusAccepted {
				t.Errorf("status = %d, want 202", resp.StatusCode)
			}
		}()
	}
	wg.Wait()
	for i := 0; i < 4; i++ {
		s.do(t, http.MethodPost, "/api/assignments/"+id+"/reprocess", "")
	}
	tokens := s.tenant.CountFunc(func(r sandbox.Request) bool {
		return r.Service == sandbox.Entra && strings.HasSuffix(r.Path, "/token")
	})
	if tokens != 2 { // one for Key Vault, one for Graph
		t.Errorf("token requests = %d for 12 calls, want 2", tokens)
	}
	if n := s.tenant.Count(sandbox.KeyVault); n > 2 { // challenge + one read
		t.Errorf("Key Vault requests = %d for 12 calls, want at most 2", n)
	}
}

func TestCertificateMode(t *testing.T) {
	s := newStack(t, sandbox.Options{}, map[string]string{"GRAPH_CLIENT_SECRET_NAME": "", "GRAPH_CERTIFICATE_NAME": "graph-certificate"})
	resp := s.do(t, http.MethodPost, "/api/assignments/"+s.tenant.Seeds.Delivered[0]+"/reprocess", "")
	if resp.StatusCode != http.StatusAccepted {
		t.Fatalf("status = %d, want 202", resp.StatusCode)
	}
	asserted := s.tenant.CountFunc(func(r sandbox.Request) bool {
		return r.Service == sandbox.KeyVault && r.Status == http.StatusOK && strings.Contains(r.Path, "graph-certificate") && strings.Contains(r.Query, "outContentType=application%2Fx-pem-file")
	})
	if asserted != 1 {
		t.Errorf("PEM reads of the certificate = %d, want 1", asserted)
	}
}

func TestSecretRotatedWhileRunning(t *testing.T) {
	// Short-lived tokens make every call ask Entra, as an instance does
	// when its token expires after a rotation.
	s := newStack(t, sandbox.Options{TokenLifetime: time.Minute, DeliveringFor: sandbox.StayDelivered}, nil)
	id := s.tenant.Seeds.Delivered[0]
	if resp := s.do(t, http.MethodPost, "/api/assignments/"+id+"/reprocess", ""); resp.StatusCode != http.StatusAccepted {
		t.Fatalf("before rotation: status = %d, want 202", resp.StatusCode)
	}
	s.tenant.RotateGraphSecret()
	if resp := s.do(t, http.MethodPost, "/api/assignments/"+id+"/reprocess", ""); resp.StatusCode != http.StatusAccepted {
		t.Fatalf("after rotation: status = %d, want 202", resp.StatusCode)
	}
	reads := s.tenant.CountFunc(func(r sandbox.Request) bool {
		return r.Service == sandbox.KeyVault && r.Status == http.StatusOK && strings.Contains(r.Path, "graph-client-secret")
	})
	if reads != 2 {
		t.Errorf("secret reads = %d, want 2 (cached, then the rotated version)", reads)
	}
}

func TestPlatformIdentityCallsGraph(t *testing.T) {
	tenant := sandbox.NewForTest(t, sandbox.Options{})
	mi := tenant.ManagedIdentityEnv()
	for k, v := range mi {
		t.Setenv(k, v) // MSAL reads the managed-identity endpoint from the process
	}
	s := newStackWith(t, tenant, map[string]string{
		"GRAPH_CLIENT_SECRET_NAME": "", "KEYVAULT_URL": "", "AZURE_CLIENT_SECRET": "", "AZURE_CLIENT_ID": "", "AZURE_TENANT_ID": "",
		"IDENTITY_ENDPOINT": mi["IDENTITY_ENDPOINT"],
	})
	if resp := s.do(t, http.MethodPost, "/api/assignments/"+tenant.Seeds.Delivered[0]+"/reprocess", ""); resp.StatusCode != http.StatusAccepted {
		t.Fatalf("status = %d, want 202", resp.StatusCode)
	}
	// MSAL caches managed-identity tokens process-wide, so a repeated run
	// may not ask the endpoint again; who Graph saw is what counts.
	if n := tenant.Count(sandbox.ManagedIdentity); n > 1 {
		t.Errorf("managed identity requests = %d, want at most 1", n)
	}
	byMI := tenant.CountFunc(func(r sandbox.Request) bool {
		return r.Service == sandbox.Graph && r.Client == sandbox.SystemIdentityClientID
	})
	if byMI != 1 {
		t.Errorf("Graph requests made as the managed identity = %d, want 1", byMI)
	}
	if n := tenant.Count(sandbox.KeyVault); n != 0 {
		t.Errorf("Key Vault requests = %d, want 0", n)
	}
}
