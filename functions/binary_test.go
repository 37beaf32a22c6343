package main

import (
	"bufio"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/entra-tools/reprocess/internal/testkit"

	"github.com/entra-tools/reprocess/shared/sandbox"
)

// The built binary, shared by the tests that run it as the platforms do.
var (
	binaryOnce sync.Once
	binaryPath string
	binaryErr  error
)

// handlerBinary builds ./functions once per test run, as make package
// builds it (static, lambda.norpc, for this machine's architecture).
func handlerBinary(tb testing.TB) string {
	tb.Helper()
	binaryOnce.Do(func() {
		dir, err := os.MkdirTemp("", "handler-bin-")
		if err != nil {
			binaryErr = err
			return
		}
		binaryPath = filepath.Join(dir, "handler")
		cmd := exec.Command("go", "build", "-tags", "lambda.norpc", "-trimpath", "-o", binaryPath, ".")
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
		out, err := cmd.CombinedOutput()
		if err != nil {
			binaryErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if binaryErr != nil {
		tb.Fatal(binaryErr)
	}
	return binaryPath
}

// process is the binary running as a subprocess against a sandbox tenant.
type process struct {
	cmd  *exec.Cmd
	base string // http://127.0.0.1:port
	logs *testkit.Logs
}

// startBinary runs the binary with the tenant's process environment plus
// env (an empty value unsets a variable), and waits until GET / answers, as
// the Functions host does.
func startBinary(tb testing.TB, tenant *sandbox.Tenant, env map[string]string, args ...string) *process {
	tb.Helper()
	port := freePort(tb)
	vars := tenant.ProcessEnv()
	vars["PATH"] = os.Getenv("PATH")
	vars["HOME"] = os.Getenv("HOME")
	vars["FUNCTIONS_CUSTOMHANDLER_PORT"] = port
	for k, v := range env {
		vars[k] = v
	}
	cmd := exec.Command(handlerBinary(tb), args...)
	cmd.Env = environ(vars)
	p := &process{cmd: cmd, base: "http://127.0.0.1:" + port, logs: &testkit.Logs{}}
	if vars["FUNCTIONS_CUSTOMHANDLER_PORT"] == "" {
		p.base = "http://127.0.0.1:" + vars["PORT"]
	}
	cmd.Stdout = p.logs
	cmd.Stderr = p.logs
	if err := cmd.Start(); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		cmd.Process.Signal(os.Interrupt)
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			cmd.Process.Kill()
			tb.Errorf("the handler did not stop within 5s of SIGINT")
		}
		checkNoSecrets(tb, tenant, p.logs.String())
		checkJSONLogs(tb, p.logs.String())
		if tb.Failed() {
			tb.Logf("handler output:\n%s", p.logs.String())
		}
	})
	deadline := time.Now().Add(10 * time.Second)
	for {
		resp, err := http.Get(p.base + "/")
		if err == nil {
			resp.Body.Close()
			return p
		}
		if time.Now().After(deadline) {
			tb.Fatalf("the handler did not answer GET / within 10s: %v\n%s", err, p.logs.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// handlerCommand is the binary with only PATH, HOME and env set.
func handlerCommand(tb testing.TB, env map[string]string) *exec.Cmd {
	tb.Helper()
	vars := map[string]string{"PATH": os.Getenv("PATH"), "HOME": os.Getenv("HOME")}
	for k, v := range env {
		vars[k] = v
	}
	cmd := exec.Command(handlerBinary(tb))
	cmd.Env = environ(vars)
	return cmd
}

func environ(vars map[string]string) []string {
	var env []string
	for k, v := range vars {
		if v != "" {
			env = append(env, k+"="+v)
		}
	}
	return env
}

func freePort(tb testing.TB) string {
	tb.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	defer ln.Close()
	return fmt.Sprint(ln.Addr().(*net.TCPAddr).Port)
}

// send makes one request to the process.
func (p *process) send(tb testing.TB, method, path string, header http.Header, body string) *http.Response {
	tb.Helper()
	req, err := http.NewRequest(method, p.base+path, strings.NewReader(body))
	if err != nil {
		tb.Fatal(err)
	}
	for k, vs := range header {
		req.Header[k] = vs
	}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Do(req)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { resp.Body.Close() })
	return resp
}

// logLines returns the JSON log lines the process wrote.
func (p *process) logLines() []string {
	var lines []string
	sc := bufio.NewScanner(strings.NewReader(p.logs.String()))
	for sc.Scan() {
		if strings.HasPrefix(sc.Text(), "{") {
			lines = append(lines, sc.Text())
		}
	}
	return lines
}
