package main

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/entra-tools/reprocess/shared/invocation"
	"github.com/entra-tools/reprocess/shared/sandbox"
	"github.com/entra-tools/reprocess/shared/webhook"
)

// authEnv turns bearer checks on for the sandbox's API app.
func authEnv(extra map[string]string) map[string]string {
	env := map[string]string{"AUTH_AUDIENCE": sandbox.APIClientID, "AUTH_REQUIRED_ROLE": sandbox.CallerRole}
	for k, v := range extra {
		env[k] = v
	}
	return env
}

// token mints a caller token and remembers it: the logs must never show it.
func (s *stack) token(o sandbox.CallerTokenOptions) string {
	tok := s.tenant.MintCallerToken(o)
	s.sensitive.add(tok)
	return tok
}

// reprocessAs posts a reprocess of id with the Authorization header auth
// ("" for none).
func (s *stack) reprocessAs(tb testing.TB, id, auth string, extra http.Header) *http.Response {
	tb.Helper()
	req := httptest.NewRequest(http.MethodPost, "/api/assignments/"+id+"/reprocess", nil)
	for k, vs := range extra {
		req.Header[k] = vs
	}
	if auth != "" {
		s.sensitive.add(auth)
		req.Header.Set("Authorization", auth)
	}
	return s.send(tb, req)
}

func (s *stack) jwksFetches() int {
	return s.tenant.CountFunc(func(r sandbox.Request) bool {
		return r.Service == sandbox.Entra && strings.HasSuffix(r.Path, "/discovery/v2.0/keys")
	})
}

func TestBearerTokens(t *testing.T) {
	s := newStack(t, sandbox.Options{DeliveringFor: sandbox.StayDelivered}, authEnv(nil))
	const otherTenant = "0d5c2a1b-9e8f-4a7b-8c6d-5e4f3a2b1c0d"
	now := time.Now()
	bearer := func(o sandbox.CallerTokenOptions) string { return "Bearer " + s.token(o) }
	tests := []struct {
		name          string
		auth          string
		extra         http.Header
		want          int
		wantChallenge string
	}{
		{"valid", bearer(sandbox.CallerTokenOptions{}), nil, http.StatusAccepted, ""},
		{"scheme in lower case", "bearer " + s.token(sandbox.CallerTokenOptions{}), nil, http.StatusAccepted, ""},
		{"no token", "", nil, http.StatusUnauthorized, "Bearer"},
		{"basic scheme", "Basic dXNlcjpwYXNzd29yZA==", nil, http.StatusUnauthorized, "Bearer"},
		{"only App Service identity headers", "", http.Header{
			"X-Ms-Client-Principal":      {"eyJhdXRoX3R5cCI6ImFhZCIsImNsYWltcyI6W119"},
			"X-Ms-Client-Principal-Id":   {sandbox.CallerObjectID},
			"X-Ms-Client-Principal-Name": {"admin@contoso.example"},
		}, http.StatusUnauthorized, "Bearer"},
		{"wrong audience", bearer(sandbox.CallerTokenOptions{Audience: "api://another-api"}), nil, http.StatusUnauthorized, `Bearer error="invalid_token"`},
		{"Azure Resource Manager audience", bearer(sandbox.CallerTokenOptions{Audience: "https://management.azure.com/"}), nil, http.StatusUnauthorized, `Bearer error="invalid_token"`},
		{"wrong issuer", bearer(sandbox.CallerTokenOptions{Issuer: "https://login.microsoftonline.com/common/v2.0"}), nil, http.StatusUnauthorized, `Bearer error="invalid_token"`},
		{"v1 issuer", bearer(sandbox.CallerTokenOptions{Issuer: "https://sts.windows.net/" + sandbox.TenantID + "/"}), nil, http.StatusUnauthorized, `Bearer error="invalid_token"`},
		{"another tenant", bearer(sandbox.CallerTokenOptions{TenantID: otherTenant}), nil, http.StatusUnauthorized, `Bearer error="invalid_token"`},
		{"tid of another tenant", bearer(sandbox.CallerTokenOptions{Claims: map[string]any{"tid": otherTenant}}), nil, http.StatusUnauthorized, `Bearer error="invalid_token"`},
		{"another role", bearer(sandbox.CallerTokenOptions{Roles: []string{"Reprocess.Read"}}), nil, http.StatusForbidden, `Bearer error="insufficient_scope"`},
		{"no roles", bearer(sandbox.CallerTokenOptions{NoRoles: true}), nil, http.StatusForbidden, `Bearer error="insufficient_scope"`},
		{"role as a scope", bearer(sandbox.CallerTokenOptions{NoRoles: true, Claims: map[string]any{"scp": sandbox.CallerRole}}), nil, http.StatusForbidden, `Bearer error="insufficient_scope"`},
		{"expired", bearer(sandbox.CallerTokenOptions{NotBefore: now.Add(-2 * time.Hour), Expiry: now.Add(-5 * time.Minute)}), nil, http.StatusUnauthorized, `Bearer error="invalid_token"`},
		{"not yet valid", bearer(sandbox.CallerTokenOptions{NotBefore: now.Add(5 * time.Minute)}), nil, http.StatusUnauthorized, `Bearer error="invalid_token"`},
		{"alg none", bearer(sandbox.CallerTokenOptions{Alg: sandbox.AlgNone}), nil, http.StatusUnauthorized, `Bearer error="invalid_token"`},
		{"HS256 keyed with the public key", bearer(sandbox.CallerTokenOptions{Alg: sandbox.AlgHS256PublicKey}), nil, http.StatusUnauthorized, `Bearer error="invalid_token"`},
		{"signature of another token", forgeSignature(s.token(sandbox.CallerTokenOptions{Roles: []string{"Other"}}), s.token(sandbox.CallerTokenOptions{})), nil, http.StatusUnauthorized, `Bearer error="invalid_token"`},
		{"oversized header", "Bearer " + strings.Repeat("a", 9<<10), nil, http.StatusUnauthorized, `Bearer error="invalid_token"`},
		{"two tokens", "Bearer " + s.token(sandbox.CallerTokenOptions{}) + " " + s.token(sandbox.CallerTokenOptions{}), nil, http.StatusUnauthorized, `Bearer error="invalid_token"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			id := s.tenant.AddAssignment(sandbox.Assignment{})
			resp := s.reprocessAs(t, id, tc.auth, tc.extra)
			if resp.StatusCode != tc.want {
				b, _ := io.ReadAll(resp.Body)
				t.Fatalf("status = %d, want %d (%s)", resp.StatusCode, tc.want, b)
			}
			if got := resp.Header.Get("WWW-Authenticate"); got != tc.wantChallenge {
				t.Errorf("WWW-Authenticate = %q, want %q", got, tc.wantChallenge)
			}
			wantCalls := 0
			if tc.want == http.StatusAccepted {
				wantCalls = 1
			} else {
				readError(t, resp)
			}
			if got := s.graphCalls(id); got != wantCalls {
				t.Errorf("Graph calls = %d, want %d", got, wantCalls)
			}
		})
	}
	logs := s.logs.String()
	for _, want := range []string{`"caller":{"oid":"` + sandbox.CallerObjectID + `","azp":"` + sandbox.CallerClientID + `"}`, `"status":403`} {
		if !strings.Contains(logs, want) {
			t.Errorf("logs lack %s", want)
		}
	}
	if strings.Contains(logs, "admin@contoso.example") {
		t.Errorf("logs carry a name from X-MS-CLIENT-PRINCIPAL-NAME")
	}
}

// forgeSignature puts the signature of one token on the payload of another.
func forgeSignature(payloadFrom, signatureFrom string) string {
	a, b := strings.Split(payloadFrom, "."), strings.Split(signatureFrom, ".")
	return "Bearer " + a[0] + "." + a[1] + "." + b[2]
}

// An unknown kid refreshes the key set once, not once per request.
func TestBearerUnknownKeyID(t *testing.T) {
	s := newStack(t, sandbox.Options{DeliveringFor: sandbox.StayDelivered}, authEnv(nil))
	id := s.tenant.Seeds.Delivered[0]
	if resp := s.reprocessAs(t, id, "", nil); resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("no token: status = %d, want 401", resp.StatusCode)
	}
	if n := s.jwksFetches(); n != 0 {
		t.Errorf("JWKS fetches before any token = %d, want 0 (keys load lazily)", n)
	}
	if resp := s.reprocessAs(t, id, "Bearer "+s.token(sandbox.CallerTokenOptions{}), nil); resp.StatusCode != http.StatusAccepted {
		t.Fatalf("valid token: status = %d, want 202", resp.StatusCode)
	}
	for i := 0; i < 5; i++ {
		resp := s.reprocessAs(t, id, "Bearer "+s.token(sandbox.CallerTokenOptions{KeyID: "rotated-key-we-never-saw"}), nil)
		if resp.StatusCode != http.StatusUnauthorized {
			t.Fatalf("unknown kid #%d: status = %d, want 401", i+1, resp.StatusCode)
		}
	}
	if resp := s.reprocessAs(t, id, "Bearer "+s.token(sandbox.CallerTokenOptions{}), nil); resp.StatusCode != http.StatusAccepted {
		t.Fatalf("valid token after: status = %d, want 202", resp.StatusCode)
	}
	if n := s.jwksFetches(); n != 2 {
		t.Errorf("JWKS fetches = %d, want 2 (the first load and one refresh for 5 unknown kids)", n)
	}
}

func TestBearerKeysUnavailable(t *testing.T) {
	// A login host the sandbox does not serve: the key fetch fails.
	s := newStack(t, sandbox.Options{}, authEnv(map[string]string{"AZURE_AUTHORITY_HOST": "https://login.unreachable.example/"}))
	resp := s.reprocessAs(t, s.tenant.Seeds.Delivered[0], "Bearer "+s.token(sandbox.CallerTokenOptions{}), nil)
	if resp.StatusCode != http.StatusServiceUnavailable || resp.Header.Get("Retry-After") == "" {
		t.Fatalf("status = %d, Retry-After %q; want 503 with Retry-After", resp.StatusCode, resp.Header.Get("Retry-After"))
	}
	if e := readError(t, resp); e.Error.Code != "SigningKeysUnavailable" {
		t.Errorf("error code = %q, want SigningKeysUnavailable", e.Error.Code)
	}
	if n := s.tenant.Count(sandbox.Graph); n != 0 {
		t.Errorf("Graph requests = %d, want 0", n)
	}
}

// Routes that need no token even with AUTH_AUDIENCE set.
func TestBearerExemptions(t *testing.T) {
	s := newStack(t, sandbox.Options{DeliveringFor: sandbox.StayDelivered}, authEnv(webhookEnv(nil)))

	t.Run("platform triggers", func(t *testing.T) {
		for _, trigger := range []invocation.Trigger{invocation.Queue, invocation.SQS, invocation.Invoke} {
			id := s.tenant.AddAssignment(sandbox.Assignment{})
			req := httptest.NewRequest(http.MethodPost, "/api/reprocess", strings.NewReader(`{"assignmentId":"`+id+`"}`))
			req = req.WithContext(invocation.NewContext(req.Context(), invocation.Info{ID: "inv-1", Trigger: trigger}))
			if resp := s.send(t, req); resp.StatusCode != http.StatusAccepted {
				t.Errorf("%s trigger without a token: status = %d, want 202", trigger, resp.StatusCode)
			}
		}
		req := httptest.NewRequest(http.MethodPost, "/api/reprocess", strings.NewReader(`{"assignmentId":"`+s.tenant.Seeds.Delivered[0]+`"}`))
		req = req.WithContext(invocation.NewContext(req.Context(), invocation.Info{ID: "inv-2", Trigger: invocation.HTTP}))
		if resp := s.send(t, req); resp.StatusCode != http.StatusUnauthorized {
			t.Errorf("http trigger without a token: status = %d, want 401", resp.StatusCode)
		}
	})
	t.Run("webhook", func(t *testing.T) {
		id := s.tenant.AddAssignment(sandbox.Assignment{})
		body := `{"assignmentId":"` + id + `"}`
		h := signDelivery(t, webhook.GitHub, s.seededSecret(t, webhook.GitHub), "x1", body, time.Now())
		if resp := s.deliver(t, "github", h, body); resp.StatusCode != http.StatusAccepted {
			t.Errorf("signed webhook without a token: status = %d, want 202", resp.StatusCode)
		}
		// A bearer token does not replace the signature.
		req := httptest.NewRequest(http.MethodPost, "/api/webhooks/github", strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+s.token(sandbox.CallerTokenOptions{}))
		if resp := s.send(t, req); resp.StatusCode != http.StatusUnauthorized {
			t.Errorf("unsigned webhook with a token: status = %d, want 401", resp.StatusCode)
		}
	})
	t.Run("readiness and the OpenAPI document", func(t *testing.T) {
		if resp := s.send(t, httptest.NewRequest(http.MethodGet, "/", nil)); resp.StatusCode != http.StatusOK {
			t.Errorf("GET / status = %d, want 200", resp.StatusCode)
		}
		// The document's route may not exist yet: whatever it answers, it
		// must not ask for a token.
		resp := s.send(t, httptest.NewRequest(http.MethodGet, "/api/swagger.json", nil))
		if resp.StatusCode == http.StatusUnauthorized || resp.StatusCode == http.StatusForbidden {
			t.Errorf("GET /api/swagger.json status = %d, want no token required", resp.StatusCode)
		}
	})
	t.Run("other routes", func(t *testing.T) {
		for _, r := range []struct{ method, path string }{
			{http.MethodGet, "/api/assignments/" + s.tenant.Seeds.Delivered[0]},
			{http.MethodPost, "/api/reprocess"},
			{http.MethodGet, "/api/assignments/" + s.tenant.Seeds.Delivered[0] + "/reprocess"}, // wrong method: still no hint without a token
			{http.MethodPost, "/api/%61ssignments/" + s.tenant.Seeds.Delivered[0] + "/reprocess"},
		} {
			if resp := s.send(t, httptest.NewRequest(r.method, r.path, nil)); resp.StatusCode != http.StatusUnauthorized {
				t.Errorf("%s %s without a token: status = %d, want 401", r.method, r.path, resp.StatusCode)
			}
		}
	})
}

// On Lambda nothing in front of the function checks a key, so running there
// without bearer auth is worth a warning at start.
func TestLambdaWithoutAuthWarns(t *testing.T) {
	for _, auth := range []bool{false, true} {
		env := map[string]string{"AWS_LAMBDA_RUNTIME_API": "127.0.0.1:9001"}
		if auth {
			env = authEnv(env)
		}
		s := newStack(t, sandbox.Options{}, env)
		if got := strings.Contains(s.logs.String(), "AUTH_AUDIENCE is not set"); got == auth {
			t.Errorf("with auth %v: warning logged = %v, want %v", auth, got, !auth)
		}
	}
}
