package awslambda

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/entra-tools/reprocess/shared/awslambda/runtimeapitest"
	"github.com/entra-tools/reprocess/shared/invocation"
)

// TestRuntimeLoop drives the real aws-lambda-go loop, started by Start, with
// a fake Runtime API. The loop cannot be stopped short of exiting the
// process, so it and the fake server stay blocked on the next invocation
// until the test binary ends.
func TestRuntimeLoop(t *testing.T) {
	rt := runtimeapitest.NewServer()
	t.Setenv("AWS_LAMBDA_RUNTIME_API", rt.Addr())
	invoke := func(t *testing.T, id string, deadline time.Time, payload []byte) runtimeapitest.Result {
		t.Helper()
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second) // only against a hung loop
		defer cancel()
		res, err := rt.Invoke(ctx, runtimeapitest.Invocation{RequestID: id, Deadline: deadline, Payload: payload})
		if err != nil {
			t.Fatal(err)
		}
		return res
	}

	type coreCall struct {
		deadline time.Time
		info     invocation.Info
	}
	calls := make(chan coreCall, 1)
	core := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		d, _ := r.Context().Deadline()
		info, _ := invocation.FromContext(r.Context())
		calls <- coreCall{d, info}
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("X-Graph-Request-Id", "graph-1")
		w.WriteHeader(http.StatusAccepted)
		io.WriteString(w, `{"ok":true}`)
	})
	msgs := messageCore()
	lastCall := func() invocation.Info {
		_, infos := msgs.Calls()
		if len(infos) == 0 {
			return invocation.Info{}
		}
		return infos[len(infos)-1]
	}
	go Start(context.Background(), NewHandler(core, msgs, nil, Options{}), nil)

	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if name, err := rt.Registered(ctx); err != nil || name != "GoLangEnableSIGTERM" {
		t.Errorf("registered extension %q (%v), want GoLangEnableSIGTERM", name, err)
	}

	deadline := time.Now().Add(5 * time.Second).Truncate(time.Millisecond)

	t.Run("HTTP event", func(t *testing.T) {
		p := invoke(t, "inv-http", deadline, readEvent(t, "apigw-v2-request-no-authorizer.json"))
		var resp events.APIGatewayV2HTTPResponse
		if p.Kind != "response" || json.Unmarshal(p.Body, &resp) != nil || resp.StatusCode != 202 || resp.Body != `{"ok":true}` {
			t.Errorf("posted %s %s, want a 202 HTTP API response", p.Kind, p.Body)
		}
		if p.ContentType != "application/octet-stream" {
			t.Errorf("response Content-Type = %q, want application/octet-stream (raw lambda.Handler output)", p.ContentType)
		}
		c := <-calls
		if want := deadline.Add(-DefaultDeadlineMargin); !c.deadline.Equal(want) {
			t.Errorf("core deadline = %v, want Lambda-Runtime-Deadline-Ms − margin = %v", c.deadline, want)
		}
		if want := (invocation.Info{ID: "inv-http", Trigger: invocation.HTTP, XRay: "1-6749a1b2-0123456789abcdef01234567"}); c.info != want {
			t.Errorf("invocation info = %+v, want %+v", c.info, want)
		}
	})

	t.Run("direct invoke", func(t *testing.T) {
		p := invoke(t, "inv-direct", deadline, readEvent(t, "ours-invoke.json"))
		want := `{"assignmentId":"` + okID + `","status":202,"graphRequestId":"graph-0b6b4a8e"}`
		if p.Kind != "response" || string(p.Body) != want {
			t.Errorf("posted %s %s, want response %s", p.Kind, p.Body, want)
		}
		if info := lastCall(); info != (invocation.Info{ID: "inv-direct", Trigger: invocation.Invoke, XRay: "1-6749a1b2-0123456789abcdef01234567"}) {
			t.Errorf("invocation info = %+v", info)
		}
	})

	t.Run("SQS batch", func(t *testing.T) {
		p := invoke(t, "inv-sqs", deadline, sqsBatch("arn:aws:sqs:eu-west-1:123456789012:q", okID))
		if p.Kind != "response" || string(p.Body) != `{"batchItemFailures":[]}` {
			t.Errorf("posted %s %s, want an empty batchItemFailures", p.Kind, p.Body)
		}
		if info := lastCall(); info != (invocation.Info{ID: "inv-sqs", Trigger: invocation.SQS, XRay: "1-6749a1b2-0123456789abcdef01234567"}) {
			t.Errorf("invocation info = %+v", info)
		}
	})

	t.Run("undecodable SQS batch posts an error", func(t *testing.T) {
		p := invoke(t, "inv-bad", deadline, []byte(`{"Records":[{"eventSource":"aws:sqs","body":5}]}`))
		var e struct{ ErrorMessage, ErrorType string }
		if p.Kind != "error" || json.Unmarshal(p.Body, &e) != nil || !strings.Contains(e.ErrorMessage, "decode SQS event") {
			t.Errorf("posted %s %s, want an error about the SQS event", p.Kind, p.Body)
		}
	})
}

// TestBootstrapProcess runs Start in a child process, as the bootstrap
// binary does, and checks that it serves an invocation and exits when the
// Runtime API answers 410 Gone (the environment is going away).
func TestBootstrapProcess(t *testing.T) {
	if os.Getenv("AWSLAMBDA_TEST_BOOTSTRAP") == "1" {
		core := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusAccepted) })
		Start(context.Background(), NewHandler(core, messageCore(), nil, Options{}), nil)
		return // not reached: Start exits the process
	}
	rt := runtimeapitest.NewServer()
	defer rt.Close()
	cmd := exec.Command(os.Args[0], "-test.run=^TestBootstrapProcess$")
	cmd.Env = append(os.Environ(), "AWSLAMBDA_TEST_BOOTSTRAP=1", "AWS_LAMBDA_RUNTIME_API="+rt.Addr())
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	res, err := rt.Invoke(ctx, runtimeapitest.Invocation{
		RequestID: "inv-1", Deadline: time.Now().Add(5 * time.Second), Payload: readEvent(t, "ours-function-url-reprocess.json"),
	})
	var resp events.LambdaFunctionURLResponse
	if err != nil || res.Kind != "response" || json.Unmarshal(res.Body, &resp) != nil || resp.StatusCode != 202 {
		t.Errorf("Invoke() = %s %s, %v; want a 202 function URL response", res.Kind, res.Body, err)
	}
	rt.Stop()
	err = cmd.Wait()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != 1 || !strings.Contains(stderr.String(), "410") {
		t.Errorf("bootstrap exit = %v, stderr %q; want exit status 1 after 410 Gone", err, stderr.String())
	}
}
