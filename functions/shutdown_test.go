package main

import (
	"context"
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/entra-tools/reprocess/internal/testkit"
	"github.com/entra-tools/reprocess/shared/awslambda/runtimeapitest"
	"github.com/entra-tools/reprocess/shared/sandbox"
)

// SIGTERM with 32 requests held by a slow Graph: the handler stops
// accepting, every request gets its real answer, and the process exits 0.
func TestSIGTERMLetsInFlightRequestsFinish(t *testing.T) {
	tenant := sandbox.NewForTest(t, sandbox.Options{DeliveringFor: sandbox.StayDelivered})
	p := startBinary(t, tenant, nil)
	id := tenant.Seeds.Delivered[0]
	if r := p.call(t, forwarded, "reprocess", http.MethodPost, "/api/assignments/"+id+"/reprocess", ""); r.status != http.StatusAccepted {
		t.Fatalf("warm-up: status = %d, want 202", r.status)
	}
	const inFlight = 32
	tenant.Graph.SetLatency(3 * time.Second)
	client := &http.Client{Transport: &http.Transport{MaxConnsPerHost: inFlight, MaxIdleConnsPerHost: inFlight}}
	defer client.CloseIdleConnections()
	statuses := make(chan int, inFlight)
	for range inFlight {
		go func() {
			req, _ := http.NewRequest(http.MethodPost, p.base+"/api/assignments/"+id+"/reprocess?code="+functionKey, nil)
			req.Host = hostName
			req.Header.Set("X-Forwarded-Proto", "https")
			resp, err := client.Do(req)
			if err != nil {
				statuses <- 0
				return
			}
			resp.Body.Close()
			statuses <- resp.StatusCode
		}()
	}
	waitFor(t, "32 requests held by Graph", func() bool { return tenant.Graph.Delayed() == inFlight })
	exited := terminate(t, p.cmd)
	waitFor(t, "new connections refused", func() bool {
		conn, err := net.Dial("tcp", strings.TrimPrefix(p.base, "http://"))
		if err == nil {
			conn.Close()
		}
		return err != nil
	})
	for range inFlight {
		if status := <-statuses; status != http.StatusAccepted {
			t.Errorf("in-flight request: status = %d, want 202 (0: no answer)", status)
		}
	}
	if err := <-exited; err != nil {
		t.Errorf("exit after SIGTERM: %v, want status 0", err)
	}
	if n := tenant.Graph.Reprocessed(id); n != inFlight+1 {
		t.Errorf("accepted reprocess calls = %d, want %d", n, inFlight+1)
	}
	logs := p.logs.String()
	for _, want := range []string{`"msg":"custom handler shutting down"`, `"msg":"custom handler stopped"`} {
		if !strings.Contains(logs, want) {
			t.Errorf("logs lack %s", want)
		}
	}
}

// SIGTERM with a queue invocation in flight: the invocation completes (the
// host does not redeliver the message) and the process exits 0.
func TestSIGTERMLetsAQueueInvocationFinish(t *testing.T) {
	tenant := sandbox.NewForTest(t, sandbox.Options{DeliveringFor: sandbox.StayDelivered})
	p := startBinary(t, tenant, nil)
	id := tenant.Seeds.Delivered[1]
	tenant.Graph.SetLatency(2 * time.Second)
	status := make(chan int, 1)
	go func() {
		// As invokeQueue sends it, without failing the test off its goroutine.
		quoted, _ := json.Marshal(`{"assignmentId":"` + id + `"}`)
		twice, _ := json.Marshal(string(quoted))
		payload := `{"Data":{"msg":` + string(twice) + `},"Metadata":{"DequeueCount":"1","sys":{"MethodName":"reprocess-queue"}}}`
		resp, err := http.Post(p.base+"/reprocess-queue", "application/json; charset=utf-8", strings.NewReader(payload))
		if err != nil {
			status <- 0
			return
		}
		resp.Body.Close()
		status <- resp.StatusCode
	}()
	waitFor(t, "the queue invocation held by Graph", func() bool { return tenant.Graph.Delayed() == 1 })
	exited := terminate(t, p.cmd)
	if got := <-status; got != http.StatusOK {
		t.Errorf("queue invocation: status = %d, want 200", got)
	}
	if err := <-exited; err != nil {
		t.Errorf("exit after SIGTERM: %v, want status 0", err)
	}
	if n := tenant.Graph.Reprocessed(id); n != 1 {
		t.Errorf("accepted reprocess calls = %d, want 1", n)
	}
}

// SIGTERM after a Logic Apps webhook subscription was answered, its work
// held by a slow Graph: the callback is still delivered before the process
// exits 0.
func TestSIGTERMLetsACallbackFinish(t *testing.T) {
	tenant := sandbox.NewForTest(t, sandbox.Options{DeliveringFor: sandbox.StayDelivered, ExtraHosts: []string{"*.westeurope.logic.azure.com"}})
	la := newLogicApp(t, tenant)
	p := startBinary(t, tenant, nil)
	id := tenant.Seeds.Delivered[2]
	tenant.Graph.SetLatency(2 * time.Second)
	r := p.call(t, forwarded, "submit", http.MethodPost, "/api/reprocess", `{"assignmentId":"`+id+`","callbackUrl":"`+callbackURL("")+`"}`)
	if r.status != http.StatusAccepted {
		t.Fatalf("subscribe: status = %d, want 202 (%s)", r.status, r.body)
	}
	waitFor(t, "the callback's work held by Graph", func() bool { return tenant.Graph.Delayed() == 1 })
	exited := terminate(t, p.cmd)
	if c := la.wait(t); c.status != "202" {
		t.Errorf("callback X-Reprocess-Status = %q, want 202", c.status)
	}
	if err := <-exited; err != nil {
		t.Errorf("exit after SIGTERM: %v, want status 0", err)
	}
}

// On Lambda the bootstrap registers for SIGTERM; when it comes the
// shutdown hooks run and the process exits 0 well inside the 500 ms
// Lambda gives the runtime.
func TestLambdaSIGTERMExitsCleanly(t *testing.T) {
	tenant := sandbox.NewForTest(t, sandbox.Options{DeliveringFor: sandbox.StayDelivered})
	rt := runtimeapitest.NewServer()
	defer rt.Close()
	env := map[string]string{"PATH": os.Getenv("PATH"), "HOME": os.Getenv("HOME"), "AWS_LAMBDA_RUNTIME_API": rt.Addr(),
		"AWS_LAMBDA_FUNCTION_NAME": "reprocess"}
	for k, v := range tenant.ProcessEnv() {
		env[k] = v
	}
	cmd := exec.Command(bootstrapBinary(t))
	cmd.Env = environ(env)
	logs := &testkit.Logs{}
	cmd.Stdout, cmd.Stderr = logs, logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if name, err := rt.Registered(ctx); err != nil || name != "GoLangEnableSIGTERM" {
		t.Fatalf("registered extension %q (%v), want GoLangEnableSIGTERM", name, err)
	}
	lp := &lambdaProcess{rt: rt, cmd: cmd, logs: logs}
	res := lp.invoke(t, []byte(`{"assignmentId":"`+tenant.Seeds.Delivered[0]+`"}`), 10*time.Second)
	checkInvoke(t, res.Body, tenant.Seeds.Delivered[0], http.StatusAccepted)

	start := time.Now()
	exited := terminate(t, cmd)
	if err := <-exited; err != nil {
		t.Errorf("exit after SIGTERM: %v, want status 0\n%s", err, logs.String())
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("exit took %v after SIGTERM; Lambda kills the runtime after 500 ms", d)
	}
	if !strings.Contains(logs.String(), `"msg":"lambda runtime shutting down"`) {
		t.Errorf("logs lack the shutdown line:\n%s", logs.String())
	}
	checkNoLambdaSecrets(t, tenant, logs.String())
}

// terminate sends SIGTERM and returns the process's exit: nil for status 0.
// The process must be gone within SPEC's 10 s and a margin.
func terminate(tb testing.TB, cmd *exec.Cmd) <-chan error {
	tb.Helper()
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		tb.Fatal(err)
	}
	exited := make(chan error, 1)
	var once sync.Once
	go func() {
		err := cmd.Wait()
		once.Do(func() { exited <- err })
	}()
	go func() {
		time.Sleep(15 * time.Second)
		once.Do(func() {
			cmd.Process.Kill()
			exited <- errors.New("still running 15 s after SIGTERM")
		})
	}()
	return exited
}

// waitFor polls cond for up to 10 s.
func waitFor(tb testing.TB, what string, cond func() bool) {
	tb.Helper()
	for deadline := time.Now().Add(10 * time.Second); !cond(); time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			tb.Fatalf("gave up waiting for %s", what)
		}
	}
}
