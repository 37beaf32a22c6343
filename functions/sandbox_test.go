//go:build sandbox

package main

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/entra-tools/reprocess/internal/testkit"
	"github.com/entra-tools/reprocess/shared/sandbox"
)

// --sandbox refuses to start where the emulated tenant would answer for a
// real one: on either platform, or beside real settings. The refusal is one
// line, and nothing is logged, printed or served before it.
func TestSandboxRefusals(t *testing.T) {
	tests := []struct {
		name string
		env  sandbox.Vars
		want string
	}{
		// Nothing listens at this Runtime API: were the flag accepted, the
		// runtime loop would fail and end the test process.
		{"lambda", sandbox.Vars{"AWS_LAMBDA_RUNTIME_API": "127.0.0.1:1"}, "AWS Lambda (AWS_LAMBDA_RUNTIME_API is set)"},
		{"azure functions", sandbox.Vars{"FUNCTIONS_CUSTOMHANDLER_PORT": freePort(t)}, "Azure Functions (FUNCTIONS_CUSTOMHANDLER_PORT is set)"},
		{"graph tenant", sandbox.Vars{"GRAPH_TENANT_ID": "11111111-2222-4333-8444-555555555555"}, "GRAPH_TENANT_ID is set"},
		{"graph client", sandbox.Vars{"GRAPH_CLIENT_ID": "11111111-2222-4333-8444-555555555555"}, "GRAPH_CLIENT_ID is set"},
		{"key vault", sandbox.Vars{"KEYVAULT_URL": "https://example.vault.azure.net/"}, "KEYVAULT_URL is set"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tc.env["PORT"] = freePort(t)
			// Were the flag accepted, the server would serve until this deadline.
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			var stdout, stderr testkit.Logs
			err := run(ctx, []string{"--sandbox"}, tc.env.Getenv, &stdout, &stderr)
			if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.HasPrefix(err.Error(), "--sandbox refused: ") {
				t.Fatalf("run(--sandbox) = %v, want a refusal naming %q", err, tc.want)
			}
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("the refusal is more than one line: %q", err)
			}
			if ctx.Err() != nil {
				t.Errorf("the refusal came only when the context ended")
			}
			if stdout.String() != "" || stderr.String() != "" {
				t.Errorf("output before the refusal:\nstdout: %s\nstderr: %s", stdout.String(), stderr.String())
			}
		})
	}
}

// The control: with no platform and no real settings, --sandbox serves.
func TestSandboxStartsLocally(t *testing.T) {
	port := freePort(t)
	env := sandbox.Vars{"PORT": port}
	ctx, cancel := context.WithCancel(context.Background())
	var stdout, stderr testkit.Logs
	done := make(chan error, 1)
	go func() { done <- run(ctx, []string{"--sandbox"}, env.Getenv, &stdout, &stderr) }()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("run(--sandbox) after cancel = %v, want nil", err)
		}
	}()
	deadline := time.Now().Add(10 * time.Second)
	for {
		resp, err := http.Get("http://127.0.0.1:" + port + "/")
		if err == nil {
			resp.Body.Close()
			break
		}
		select {
		case err := <-done:
			t.Fatalf("run(--sandbox) = %v before serving\n%s", err, stderr.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("GET / did not answer within 10s: %v\n%s", err, stderr.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
	if !strings.Contains(stderr.String(), "Sandbox tenant "+sandbox.TenantID+" is running") {
		t.Errorf("the guide was not printed:\n%s", stderr.String())
	}
}
