package main

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/entra-tools/reprocess/internal/testkit"

	"github.com/entra-tools/reprocess/shared/config"
	"github.com/entra-tools/reprocess/shared/jobs"
	"github.com/entra-tools/reprocess/shared/reprocess"
	"github.com/entra-tools/reprocess/shared/sandbox"
)

// stack is the core handler wired exactly as main wires it, against an
// emulated tenant reached over TLS through the real SDKs.
type stack struct {
	tenant    *sandbox.Tenant
	core      *reprocess.Service
	handler   http.Handler
	logs      *testkit.Logs
	sensitive *valueSet // tokens and signatures a test sent: never to be logged
	jobs      *jobs.Engine
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
	logs := &testkit.Logs{}
	logger := slog.New(slog.NewJSONHandler(logs, nil))
	ed, err := newTracedCore(cfg, tenant.HTTPClient(), logger, nil, nil)
	if err != nil {
		tb.Fatalf("newCore: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	stopJobs := runJobs(ctx, ed.runJobs, logger) // the in-process jobs queue, as make run consumes it
	tb.Cleanup(func() { cancel(); stopJobs() })
	s := &stack{tenant: tenant, core: ed.core, handler: ed.httpAPI, logs: logs, sensitive: &valueSet{}, jobs: ed.jobs}
	tb.Cleanup(func() {
		checkNoSecrets(tb, tenant, logs.String(), s.sensitive.list()...)
		checkJSONLogs(tb, logs.String())
	})
	return s
}

// send serves one prepared request through the core.
func (s *stack) send(tb testing.TB, req *http.Request) *http.Response {
	tb.Helper()
	w := httptest.NewRecorder()
	s.handler.ServeHTTP(w, req)
	return w.Result()
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

// checkNoSecrets fails when a log line carries a secret of the tenant, or
// any of sent (tokens, signatures): whole, or any long dot-separated part
// of it (a JWT's payload or signature alone is a leak too).
func checkNoSecrets(tb testing.TB, tenant *sandbox.Tenant, logs string, sent ...string) {
	tb.Helper()
	for _, v := range sent {
		for _, part := range append(strings.Split(v, "."), v) {
			if len(part) >= 16 && strings.Contains(logs, part) {
				tb.Errorf("logs contain a token or signature the test sent (%d characters)", len(part))
			}
		}
	}
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
	if m := credentialShape.FindString(logs); m != "" {
		tb.Errorf("logs contain something shaped like a signature or function key: %.12s…", m)
	}
}

// checkJSONLogs parses every JSON log line in text strictly (one object,
// no key twice); a process's plain lines (its start-up guide, a refusal to
// start) are not log lines and are left alone.
func checkJSONLogs(tb testing.TB, text string) {
	tb.Helper()
	for _, line := range strings.Split(text, "\n") {
		if strings.HasPrefix(line, "{") {
			if _, err := testkit.StrictObject([]byte(line)); err != nil {
				tb.Errorf("log line %q: %v", line, err)
			}
		}
	}
}

// credentialShape matches signature headers' values (sha256=<hex>,
// v1=<hex>, v1,<base64>) and function keys in query strings (code=<key>).
var credentialShape = regexp.MustCompile(`sha256=[0-9a-f]{16}|v1[=,][0-9A-Za-z+/]{16}|[?&]code=[0-9A-Za-z_-]{20}`)

// valueSet collects values safely from parallel requests.
type valueSet struct {
	mu     sync.Mutex
	values []string
}

func (v *valueSet) add(values ...string) {
	v.mu.Lock()
	defer v.mu.Unlock()
	v.values = append(v.values, values...)
}

func (v *valueSet) list() []string {
	v.mu.Lock()
	defer v.mu.Unlock()
	return append([]string(nil), v.values...)
}
