package main

import (
	"bytes"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/entra-tools/reprocess/shared/config"
	"github.com/entra-tools/reprocess/shared/sandbox"
)

// stack is the core handler wired exactly as main wires it, against an
// emulated tenant reached over TLS through the real SDKs.
type stack struct {
	tenant  *sandbox.Tenant
	handler http.Handler
	logs    *syncBuffer
}

// newStack starts a tenant and the core; env overrides the tenant's settings
// (an empty value unsets one).
func newStack(tb testing.TB, opts sandbox.Options, env map[string]string) *stack {
	tb.Helper()
	return newStackWith(tb, sandbox.NewForTest(tb, opts), env)
}

// newStackWith wires the core to an existing tenant.
func newStackWith(tb testing.TB, tenant *sandbox.Tenant, env map[string]string) *stack {
	tb.Helper()
	vars := tenant.Env()
	for k, v := range env {
		vars[k] = v
	}
	cfg, err := config.Load(vars.Getenv)
	if err != nil {
		tb.Fatalf("config.Load: %v", err)
	}
	logs := &syncBuffer{}
	logger := slog.New(slog.NewJSONHandler(logs, nil))
	s := &stack{tenant: tenant, handler: newCore(cfg, tenant.HTTPClient(), logger), logs: logs}
	tb.Cleanup(func() { checkNoSecrets(tb, tenant, logs.String()) })
	return s
}

// do sends one request through the core.
func (s *stack) do(tb testing.TB, method, target, body string) *http.Response {
	tb.Helper()
	var r io.Reader
	if body != "" {
		r = strings.NewReader(body)
	}
	req := httptest.NewRequest(method, target, r)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	w := httptest.NewRecorder()
	s.handler.ServeHTTP(w, req)
	return w.Result()
}

// graphCalls counts the Graph requests (not batch items) for one assignment.
func (s *stack) graphCalls(id string) int {
	return s.tenant.CountFunc(func(r sandbox.Request) bool {
		return r.Service == sandbox.Graph && !r.InBatch && strings.Contains(r.Path, id)
	})
}

// outbound counts every request any emulated service received.
func (s *stack) outbound() int {
	n := 0
	for _, svc := range []sandbox.Service{sandbox.Entra, sandbox.ManagedIdentity, sandbox.KeyVault, sandbox.Graph, sandbox.Proxy} {
		n += s.tenant.Count(svc)
	}
	return n
}

type errorShape struct {
	Error struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	} `json:"error"`
}

func readError(tb testing.TB, resp *http.Response) errorShape {
	tb.Helper()
	var e errorShape
	body, _ := io.ReadAll(resp.Body)
	if err := json.Unmarshal(body, &e); err != nil || e.Error.Code == "" || e.Error.Message == "" {
		tb.Fatalf("body %q is not Graph's error shape (%v)", body, err)
	}
	return e
}

// checkNoSecrets fails when a log line carries a secret of the tenant.
func checkNoSecrets(tb testing.TB, tenant *sandbox.Tenant, logs string) {
	tb.Helper()
	secrets := []string{tenant.KeyVaultReaderSecret()}
	for _, name := range []string{"graph-client-secret", "graph-certificate", "webhook-github", "webhook-standard", "webhook-zendesk", "webhook-pagerduty", "webhook-jira"} {
		if v, ok := tenant.SecretValue(name); ok && v != "" {
			secrets = append(secrets, v)
		}
	}
	for _, s := range secrets {
		if len(s) >= 8 && strings.Contains(logs, s) {
			tb.Errorf("logs contain a secret value (%d characters)", len(s))
		}
	}
	for _, marker := range []string{"Bearer ey", "client_secret=", "\"access_token\""} {
		if strings.Contains(logs, marker) {
			tb.Errorf("logs contain %q", marker)
		}
	}
}

// syncBuffer is a bytes.Buffer safe for concurrent log writes.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
