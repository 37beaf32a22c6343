package awslambda

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/entra-tools/reprocess/shared/invocation"
)

// fakeRuntimeAPI speaks the Lambda Runtime API (and the extension
// registration aws-lambda-go makes for SIGTERM) the way Lambda does:
// https://docs.aws.amazon.com/lambda/latest/dg/runtimes-api.html
type fakeRuntimeAPI struct {
	pending    chan scriptedInvoke
	posted     chan postedResult
	registered chan string
}

type scriptedInvoke struct {
	id       string
	deadline time.Time
	payload  []byte
}

type postedResult struct {
	id, kind, contentType string // kind is "response" or "error"
	body                  []byte
}

func newFakeRuntimeAPI() (*fakeRuntimeAPI, *httptest.Server) {
	f := &fakeRuntimeAPI{
		pending:    make(chan scriptedInvoke),
		posted:     make(chan postedResult, 1),
		registered: make(chan string, 1),
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /2018-06-01/runtime/invocation/next", func(w http.ResponseWriter, r *http.Request) {
		inv := <-f.pending
		h := w.Header()
		h.Set("Lambda-Runtime-Aws-Request-Id", inv.id)
		h.Set("Lambda-Runtime-Deadline-Ms", strconv.FormatInt(inv.deadline.UnixMilli(), 10))
		h.Set("Lambda-Runtime-Invoked-Function-Arn", "arn:aws:lambda:eu-west-1:123456789012:function:reprocess")
		h.Set("Lambda-Runtime-Trace-Id", "Root=1-6749a1b2-0123456789abcdef01234567;Sampled=0")
		w.Write(inv.payload)
	})
	for _, kind := range []string{"response", "error"} {
		mux.HandleFunc("POST /2018-06-01/runtime/invocation/{id}/"+kind, func(w http.ResponseWriter, r *http.Request) {
			body, _ := io.ReadAll(r.Body)
			w.WriteHeader(http.StatusAccepted)
			f.posted <- postedResult{id: r.PathValue("id"), kind: kind, contentType: r.Header.Get("Content-Type"), body: body}
		})
	}
	mux.HandleFunc("POST /2020-01-01/extension/register", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Lambda-Extension-Identifier", "ext-1")
		f.registered <- r.Header.Get("Lambda-Extension-Name")
	})
	mux.HandleFunc("GET /2020-01-01/extension/event/next", func(w http.ResponseWriter, r *http.Request) {
		select {} // an extension registered for no events never gets one
	})
	return f, httptest.NewServer(mux)
}

// invoke hands the loop one invocation and returns what it posted back.
func (f *fakeRuntimeAPI) invoke(tb testing.TB, inv scriptedInvoke) postedResult {
	tb.Helper()
	timeout := time.After(30 * time.Second) // only against a hung loop
	select {
	case f.pending <- inv:
	case <-timeout:
		tb.Fatal("the runtime loop did not ask for the next invocation")
	}
	select {
	case p := <-f.posted:
		if p.id != inv.id {
			tb.Fatalf("result posted for %q, want %q", p.id, inv.id)
		}
		return p
	case <-timeout:
		tb.Fatal("the runtime loop posted no result")
	}
	return postedResult{}
}

// TestRuntimeLoop drives the real aws-lambda-go loop, started by Start, with
// a fake Runtime API. The loop cannot be stopped short of exiting the
// process, so it and the fake server stay blocked on the next invocation
// until the test binary ends.
func TestRuntimeLoop(t *testing.T) {
	rt, srv := newFakeRuntimeAPI()
	t.Setenv("AWS_LAMBDA_RUNTIME_API", strings.TrimPrefix(srv.URL, "http://"))

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
	go Start(context.Background(), NewHandler(core, nil, Options{}))

	select {
	case name := <-rt.registered:
		if name != "GoLangEnableSIGTERM" {
			t.Errorf("registered extension %q, want GoLangEnableSIGTERM", name)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("Start did not register the SIGTERM extension")
	}

	deadline := time.Now().Add(5 * time.Second).Truncate(time.Millisecond)

	t.Run("HTTP event", func(t *testing.T) {
		p := rt.invoke(t, scriptedInvoke{"inv-http", deadline, readEvent(t, "apigw-v2-request-no-authorizer.json")})
		var resp events.APIGatewayV2HTTPResponse
		if p.kind != "response" || json.Unmarshal(p.body, &resp) != nil || resp.StatusCode != 202 || resp.Body != `{"ok":true}` {
			t.Errorf("posted %s %s, want a 202 HTTP API response", p.kind, p.body)
		}
		if p.contentType != "application/octet-stream" {
			t.Errorf("response Content-Type = %q, want application/octet-stream (raw lambda.Handler output)", p.contentType)
		}
		c := <-calls
		if want := deadline.Add(-DefaultDeadlineMargin); !c.deadline.Equal(want) {
			t.Errorf("core deadline = %v, want Lambda-Runtime-Deadline-Ms − margin = %v", c.deadline, want)
		}
		if want := (invocation.Info{ID: "inv-http", Trigger: invocation.HTTP}); c.info != want {
			t.Errorf("invocation info = %+v, want %+v", c.info, want)
		}
	})

	t.Run("direct invoke", func(t *testing.T) {
		p := rt.invoke(t, scriptedInvoke{"inv-direct", deadline, readEvent(t, "ours-invoke.json")})
		want := `{"assignmentId":"` + okID + `","status":202,"graphRequestId":"graph-1"}`
		if p.kind != "response" || string(p.body) != want {
			t.Errorf("posted %s %s, want response %s", p.kind, p.body, want)
		}
		if c := <-calls; c.info != (invocation.Info{ID: "inv-direct", Trigger: invocation.Invoke}) {
			t.Errorf("invocation info = %+v", c.info)
		}
	})

	t.Run("SQS batch", func(t *testing.T) {
		p := rt.invoke(t, scriptedInvoke{"inv-sqs", deadline, sqsBatch("arn:aws:sqs:eu-west-1:123456789012:q", okID)})
		if p.kind != "response" || string(p.body) != `{"batchItemFailures":[]}` {
			t.Errorf("posted %s %s, want an empty batchItemFailures", p.kind, p.body)
		}
		if c := <-calls; c.info != (invocation.Info{ID: "m0", Trigger: invocation.SQS}) {
			t.Errorf("invocation info = %+v", c.info)
		}
	})

	t.Run("undecodable SQS batch posts an error", func(t *testing.T) {
		p := rt.invoke(t, scriptedInvoke{"inv-bad", deadline, []byte(`{"Records":[{"eventSource":"aws:sqs","body":5}]}`)})
		var e struct{ ErrorMessage, ErrorType string }
		if p.kind != "error" || json.Unmarshal(p.body, &e) != nil || !strings.Contains(e.ErrorMessage, "decode SQS event") {
			t.Errorf("posted %s %s, want an error about the SQS event", p.kind, p.body)
		}
	})
}
