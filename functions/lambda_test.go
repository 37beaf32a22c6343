package main

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/entra-tools/reprocess/internal/testkit"

	"github.com/entra-tools/reprocess/shared/awslambda/runtimeapitest"
	"github.com/entra-tools/reprocess/shared/sandbox"
)

// bootstrapBinary is the handler binary: one build serves every runtime,
// and provided.al2023 only wants it named bootstrap.
func bootstrapBinary(tb testing.TB) string {
	tb.Helper()
	return handlerBinary(tb)
}

// lambdaProcess is the bootstrap running its runtime loop against a fake
// Runtime API, as in a Lambda execution environment.
type lambdaProcess struct {
	rt   *runtimeapitest.Server
	cmd  *exec.Cmd
	logs *testkit.Logs
	seq  int
}

// startBootstrap runs the bootstrap with vars (PATH and HOME added) and
// AWS_LAMBDA_RUNTIME_API. At cleanup the Runtime API answers 410 Gone and
// the process must exit.
func startBootstrap(tb testing.TB, tenant *sandbox.Tenant, vars sandbox.Vars) *lambdaProcess {
	tb.Helper()
	rt := runtimeapitest.NewServer()
	env := map[string]string{"PATH": os.Getenv("PATH"), "HOME": os.Getenv("HOME"), "AWS_LAMBDA_RUNTIME_API": rt.Addr(),
		"AWS_LAMBDA_FUNCTION_NAME": "reprocess", "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "128"}
	for k, v := range vars {
		env[k] = v
	}
	cmd := exec.Command(bootstrapBinary(tb))
	cmd.Env = environ(env)
	p := &lambdaProcess{rt: rt, cmd: cmd, logs: &testkit.Logs{}}
	cmd.Stdout, cmd.Stderr = p.logs, p.logs
	if err := cmd.Start(); err != nil {
		rt.Close()
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		rt.Stop()
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		select {
		case err := <-done:
			var exit *exec.ExitError
			if !errors.As(err, &exit) || !strings.Contains(p.logs.String(), "410") {
				tb.Errorf("bootstrap exit after 410 Gone: %v", err)
			}
		case <-time.After(5 * time.Second):
			cmd.Process.Kill()
			<-done
			tb.Errorf("the bootstrap did not exit within 5s of 410 Gone")
		}
		rt.Close()
		checkNoLambdaSecrets(tb, tenant, p.logs.String())
		if tb.Failed() {
			tb.Logf("bootstrap output:\n%s", p.logs.String())
		}
	})
	return p
}

// invoke hands payload to the runtime with a deadline timeout from now and
// returns what it posted.
func (p *lambdaProcess) invoke(tb testing.TB, payload []byte, timeout time.Duration) runtimeapitest.Result {
	tb.Helper()
	p.seq++
	ctx, cancel := context.WithTimeout(context.Background(), timeout+10*time.Second)
	defer cancel()
	res, err := p.rt.Invoke(ctx, runtimeapitest.Invocation{
		RequestID: fmt.Sprintf("c6af9ac6-7b61-41e6-9a41-%012d", p.seq),
		Deadline:  time.Now().Add(timeout).Truncate(time.Millisecond),
		Payload:   payload,
	})
	if err != nil {
		tb.Fatalf("invocation: %v\n%s", err, p.logs.String())
	}
	if res.Kind != "response" {
		tb.Fatalf("the runtime posted %s %s, want a response", res.Kind, res.Body)
	}
	return res
}

// eventually reports whether cond holds within two seconds: a child's log
// line reaches the test through a pipe after its answer.
func eventually(cond func() bool) bool {
	for deadline := time.Now().Add(2 * time.Second); !cond(); time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			return false
		}
	}
	return true
}

// checkNoLambdaSecrets is checkNoSecrets plus the role session's secrets,
// and every log line strictly parsed.
func checkNoLambdaSecrets(tb testing.TB, tenant *sandbox.Tenant, logs string) {
	tb.Helper()
	checkNoSecrets(tb, tenant, logs)
	checkJSONLogs(tb, logs)
	_, secret, session := tenant.AWSCredentials()
	for _, s := range []string{secret, session} {
		if strings.Contains(logs, s) {
			tb.Errorf("logs contain an AWS secret (%d characters)", len(s))
		}
	}
	if strings.Contains(logs, "Signature=") || strings.Contains(logs, "eyJ") {
		tb.Errorf("logs contain a signature or a JWT")
	}
}

// The real bootstrap, with the client-secret settings, answers every HTTP
// source, an SQS batch and a direct invoke; a short invocation deadline
// reaches the core.
func TestLambdaBootstrap(t *testing.T) {
	tenant := sandbox.NewForTest(t, sandbox.Options{DeliveringFor: sandbox.StayDelivered})
	p := startBootstrap(t, tenant, tenant.ProcessEnv())
	for _, src := range eventSources {
		for _, tc := range httpCases(tenant.Seeds) {
			t.Run(string(src)+"/"+tc.name, func(t *testing.T) {
				tenant.Reset()
				res := p.invoke(t, httpEvent(t, src, tc.method, tc.path, tc.body), 10*time.Second)
				checkHTTP(t, tenant, src, tc, res.Body)
			})
		}
	}
	t.Run("direct invoke", func(t *testing.T) {
		s := tenant.Seeds
		for id, want := range map[string]int{s.Delivered[0]: 202, s.Unknown: 404, "../../users": 400} {
			tenant.Reset()
			res := p.invoke(t, []byte(`{"assignmentId":"`+id+`"}`), 10*time.Second)
			checkInvoke(t, res.Body, id, want)
			if want == 400 && tenant.Count(sandbox.Graph) != 0 {
				t.Errorf("a hostile id reached Graph")
			}
		}
	})
	t.Run("deadline", func(t *testing.T) {
		tenant.Graph.SetLatency(5 * time.Second)
		defer tenant.Graph.SetLatency(0)
		start := time.Now()
		res := p.invoke(t, httpEvent(t, httpAPI, http.MethodPost, "/api/assignments/"+tenant.Seeds.Delivered[0]+"/reprocess", ""), 1500*time.Millisecond)
		if r := httpResponse(t, res.Body); r.status != http.StatusGatewayTimeout {
			t.Errorf("status = %d, want 504 (%s)", r.status, r.body)
		}
		if d := time.Since(start); d > 4*time.Second {
			t.Errorf("the answer took %v: the deadline did not cut the 5 s Graph call short", d)
		}
	})
	// Last: its throttled record makes the process hold its Graph calls.
	t.Run("SQS batch", func(t *testing.T) {
		msgs := mixedBatch(tenant)
		defer tenant.Graph.ClearFaults()
		res := p.invoke(t, sqsBatch(t, msgs), 20*time.Second)
		checkBatch(t, tenant, msgs, res.Body)
	})
}

// Keyless: with AZURE_TOKEN_FROM_AWS_STS and no secret anywhere, the
// bootstrap reads Key Vault through a client assertion whose token came
// from STS, signed with the role session Lambda provides.
func TestLambdaKeylessKeyVault(t *testing.T) {
	tenant := sandbox.NewForTest(t, sandbox.Options{DeliveringFor: sandbox.StayDelivered})
	env := tenant.AWSProcessEnv()
	if _, ok := env["AZURE_CLIENT_SECRET"]; ok {
		t.Fatal("AWSProcessEnv has AZURE_CLIENT_SECRET")
	}
	p := startBootstrap(t, tenant, env)
	id := tenant.Seeds.Delivered[0]

	// A federated credential for another role: Entra's refusal is the
	// function's setup fault, not the caller's.
	wrong := sandbox.AWSFederatedCredential()
	wrong.Subject = "arn:aws:iam::" + sandbox.AWSAccountID + ":role/some-other-function"
	if err := tenant.Entra.SetFederatedCredentials(sandbox.AWSFederatedClientID, wrong); err != nil {
		t.Fatal(err)
	}
	res := p.invoke(t, httpEvent(t, functionURL, http.MethodPost, "/api/assignments/"+id+"/reprocess", ""), 10*time.Second)
	if r := httpResponse(t, res.Body); r.status != http.StatusServiceUnavailable || r.header.Get("Retry-After") == "" {
		t.Errorf("with a mismatched federated credential: status %d, Retry-After %q; want 503 with Retry-After", r.status, r.header.Get("Retry-After"))
	}
	if !eventually(func() bool { return strings.Contains(p.logs.String(), "AADSTS700213") }) {
		t.Errorf("the log does not say which check Entra failed (AADSTS700213)")
	}
	if n := tenant.Count(sandbox.Graph); n != 0 {
		t.Errorf("Graph requests without a Graph secret = %d", n)
	}
	if n := tenant.CountFunc(func(r sandbox.Request) bool { return r.Service == sandbox.STS && r.Status == 200 }); n != 1 {
		t.Errorf("successful STS GetWebIdentityToken calls = %d, want 1", n)
	}
	if err := tenant.Entra.SetFederatedCredentials(sandbox.AWSFederatedClientID, sandbox.AWSFederatedCredential()); err != nil {
		t.Fatal(err)
	}
	tenant.Reset()

	for i := range 2 { // the second, warm invocation reuses the tokens
		res := p.invoke(t, httpEvent(t, functionURL, http.MethodPost, "/api/assignments/"+id+"/reprocess", ""), 10*time.Second)
		if r := httpResponse(t, res.Body); r.status != http.StatusAccepted {
			t.Fatalf("invocation %d: status = %d, want 202 (%s)", i, r.status, r.body)
		}
	}
	if environ, err := os.ReadFile(fmt.Sprintf("/proc/%d/environ", p.cmd.Process.Pid)); err == nil {
		if strings.Contains(string(environ), "AZURE_CLIENT_SECRET=") {
			t.Errorf("the bootstrap's environment has AZURE_CLIENT_SECRET")
		}
	}
	if n := tenant.Count(sandbox.STS); n != 0 {
		t.Errorf("STS GetWebIdentityToken calls after the first = %d, want 0 (the token is cached)", n)
	}
	if n := tenant.Count(sandbox.STSIssuer); n != 2 {
		t.Errorf("issuer metadata and JWKS reads = %d, want 2", n)
	}
	federated := func(svc sandbox.Service) int {
		return tenant.CountFunc(func(r sandbox.Request) bool {
			return r.Service == svc && r.Client == sandbox.AWSFederatedClientID && r.Status == 200
		})
	}
	if federated(sandbox.Entra) != 1 {
		t.Errorf("Entra tokens for the federated app = %d, want 1", federated(sandbox.Entra))
	}
	if federated(sandbox.KeyVault) != 1 {
		t.Errorf("Key Vault reads with the federated app's token = %d, want 1", federated(sandbox.KeyVault))
	}
	if n := tenant.Graph.Reprocessed(id); n != 2 {
		t.Errorf("accepted reprocess calls = %d, want 2", n)
	}
}
