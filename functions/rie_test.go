//go:build unix

package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/entra-tools/reprocess/internal/testkit"

	"github.com/entra-tools/reprocess/shared/sandbox"
)

// rieModule is the AWS Lambda Runtime Interface Emulator, installed from
// the Go module proxy (it publishes pseudo-versions only).
const (
	rieModule  = "github.com/aws/aws-lambda-runtime-interface-emulator/cmd/aws-lambda-rie"
	rieVersion = "v0.0.0-20261030222936-bef5c4ba774d"
)

var (
	rieOnce sync.Once
	riePath string
	rieErr  error
)

// rieBinary installs the emulator once into the user cache directory
// (kept across runs) and returns its path. When it cannot be installed
// (no module proxy) the test is skipped, saying why.
func rieBinary(tb testing.TB) string {
	tb.Helper()
	rieOnce.Do(func() {
		cache, err := os.UserCacheDir()
		if err != nil {
			cache = os.TempDir()
		}
		dir := filepath.Join(cache, "reprocess-tools", "aws-lambda-rie@"+rieVersion)
		riePath = filepath.Join(dir, "aws-lambda-rie")
		if _, err := os.Stat(riePath); err == nil {
			return
		}
		tmp, err := os.MkdirTemp(filepath.Dir(dir), "install-")
		if err != nil && os.MkdirAll(filepath.Dir(dir), 0o755) == nil {
			tmp, err = os.MkdirTemp(filepath.Dir(dir), "install-")
		}
		if err != nil {
			rieErr = err
			return
		}
		defer os.RemoveAll(tmp)
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
		defer cancel()
		cmd := exec.CommandContext(ctx, "go", "install", rieModule+"@"+rieVersion)
		cmd.Dir = tmp // outside this module: an install of its own
		cmd.Env = append(os.Environ(), "GOBIN="+tmp, "CGO_ENABLED=0", "GOFLAGS=-buildvcs=false")
		if out, err := cmd.CombinedOutput(); err != nil {
			rieErr = fmt.Errorf("go install %s@%s: %v\n%s", rieModule, rieVersion, err, out)
			return
		}
		if err := os.MkdirAll(dir, 0o755); err != nil {
			rieErr = err
			return
		}
		rieErr = os.Rename(filepath.Join(tmp, "aws-lambda-rie"), riePath)
	})
	if rieErr != nil {
		tb.Skipf("the Runtime Interface Emulator could not be installed, so the RIE tests do not run: %v", rieErr)
	}
	return riePath
}

// rieProcess is the emulator running the bootstrap.
type rieProcess struct {
	cmd    *exec.Cmd
	invURL string
	logs   *testkit.Logs
}

// startRIE runs the emulator on loopback with vars as its environment,
// which it hands to the bootstrap it starts on the first invocation.
func startRIE(tb testing.TB, tenant *sandbox.Tenant, vars sandbox.Vars) *rieProcess {
	tb.Helper()
	rie, bootstrap := rieBinary(tb), bootstrapBinary(tb)
	addr, runtimeAPI := "127.0.0.1:"+freePort(tb), "127.0.0.1:"+freePort(tb)
	env := map[string]string{"PATH": os.Getenv("PATH"), "HOME": os.Getenv("HOME"),
		"AWS_LAMBDA_FUNCTION_NAME": "reprocess", "AWS_LAMBDA_FUNCTION_TIMEOUT": "15", "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "128"}
	for k, v := range vars {
		env[k] = v
	}
	cmd := exec.Command(rie, "--runtime-interface-emulator-address", addr, "--runtime-api-address", runtimeAPI, bootstrap)
	cmd.Dir = filepath.Dir(bootstrap)
	cmd.Env = environ(env)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true} // the bootstrap is its child; stop both together
	p := &rieProcess{cmd: cmd, invURL: "http://" + addr + "/2015-03-31/functions/function/invocations", logs: &testkit.Logs{}}
	cmd.Stdout, cmd.Stderr = p.logs, p.logs
	if err := cmd.Start(); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		pgid := cmd.Process.Pid
		_ = syscall.Kill(-pgid, syscall.SIGTERM)
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			_ = syscall.Kill(-pgid, syscall.SIGKILL)
			<-done
			tb.Errorf("the emulator did not stop within 5s of SIGTERM")
		}
		checkNoLambdaSecrets(tb, tenant, p.logs.String())
		if tb.Failed() {
			tb.Logf("emulator output:\n%s", p.logs.String())
		}
	})
	deadline := time.Now().Add(10 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err == nil {
			c.Close()
			return p
		}
		if time.Now().After(deadline) {
			tb.Fatalf("the emulator did not listen on %s within 10s: %v\n%s", addr, err, p.logs.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// invoke posts payload as `aws lambda invoke` would reach the function and
// returns the function's answer.
func (p *rieProcess) invoke(tb testing.TB, payload []byte) []byte {
	tb.Helper()
	client := &http.Client{Timeout: 30 * time.Second}
	resp, err := client.Post(p.invURL, "application/json", bytes.NewReader(payload))
	if err != nil {
		tb.Fatalf("invoke: %v\n%s", err, p.logs.String())
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		tb.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK || bytes.Contains(body, []byte(`"errorType"`)) {
		tb.Fatalf("invoke answered %d %s", resp.StatusCode, body)
	}
	return body
}

// Under the emulator, with the keyless settings (the role session the
// emulator passes on as Lambda does), the bootstrap serves the HTTP API
// and function URL shapes, an SQS batch and direct invokes.
func TestRuntimeInterfaceEmulator(t *testing.T) {
	tenant := sandbox.NewForTest(t, sandbox.Options{DeliveringFor: sandbox.StayDelivered})
	p := startRIE(t, tenant, tenant.AWSProcessEnv())
	stsCalls := 0 // across the Resets
	reset := func() {
		stsCalls += tenant.CountFunc(func(r sandbox.Request) bool { return r.Service == sandbox.STS && r.Status == 200 })
		tenant.Reset()
	}
	for _, src := range []eventSource{httpAPI, functionURL, restAPI, alb} {
		for _, tc := range httpCases(tenant.Seeds) {
			t.Run(string(src)+"/"+tc.name, func(t *testing.T) {
				reset()
				checkHTTP(t, tenant, src, tc, p.invoke(t, httpEvent(t, src, tc.method, tc.path, tc.body)))
			})
		}
	}
	t.Run("direct invoke", func(t *testing.T) {
		s := tenant.Seeds
		checkInvoke(t, p.invoke(t, []byte(`{"assignmentId":"`+s.Delivered[0]+`"}`)), s.Delivered[0], 202)
		checkInvoke(t, p.invoke(t, []byte(`{"assignmentId":"`+s.Unknown+`"}`)), s.Unknown, 404)
	})
	if reset(); stsCalls != 1 {
		t.Errorf("STS calls = %d, want one for the life of the environment", stsCalls)
	}
	if !strings.Contains(p.logs.String(), "START RequestId") {
		t.Errorf("the emulator logged no invocation")
	}
	// Last: its throttled record makes the process hold its Graph calls.
	t.Run("SQS batch", func(t *testing.T) {
		msgs := mixedBatch(tenant)
		defer tenant.Graph.ClearFaults()
		checkBatch(t, tenant, msgs, p.invoke(t, sqsBatch(t, msgs)))
	})
}
