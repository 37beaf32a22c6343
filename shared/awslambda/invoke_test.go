package awslambda

import (
	"context"
	"encoding/json"
	"net/http"
	"reflect"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/entra-tools/reprocess/internal/testkit"
	"github.com/entra-tools/reprocess/shared/invocation"
)

func TestDirectInvoke(t *testing.T) {
	tests := []struct {
		name    string
		payload []byte
		want    InvokeResult
	}{
		{"accepted", readEvent(t, "ours-invoke.json"),
			InvokeResult{AssignmentID: okID, Status: 202, GraphRequestID: "graph-0b6b4a8e"}},
		{"EventBridge detail", readEvent(t, "ours-eventbridge.json"),
			InvokeResult{AssignmentID: okID, Status: 202, GraphRequestID: "graph-0b6b4a8e"}},
		{"not found", []byte(`{"assignmentId":"` + notFoundID + `"}`),
			InvokeResult{AssignmentID: notFoundID, Status: 404, Error: &ErrorDetail{"ResourceNotFound", ""}}},
		{"invalid id", []byte(`{"assignmentId":"x"}`),
			InvokeResult{AssignmentID: "x", Status: 400, Error: &ErrorDetail{"InvalidAssignmentId",
				`The assignment id must be a GUID such as 0f8fad5b-d9cb-469f-a165-70867728950e (invalid assignment id "x": must be a GUID of the form 8-4-4-4-12 hex digits).`}}},
		{"core panics", []byte(`{"assignmentId":"` + panicID + `"}`),
			InvokeResult{AssignmentID: panicID, Status: 500, Error: &ErrorDetail{"InternalServerError", "An internal error occurred."}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			core := messageCore()
			out := invoke(t, NewHandler(http.NotFoundHandler(), core, nil, Options{}), tt.payload)
			var got InvokeResult
			if err := json.Unmarshal(out, &got); err != nil {
				t.Fatalf("result %s: %v", out, err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("result = %+v %+v, want %+v %+v", got, got.Error, tt.want, tt.want.Error)
			}
			calls, infos := core.Calls()
			if tt.want.Status == 400 {
				if len(calls) != 0 {
					t.Errorf("core called for an invalid id")
				}
				return
			}
			if len(calls) != 1 || infos[0] != (invocation.Info{ID: testRequestID, Trigger: invocation.Invoke}) {
				t.Errorf("core calls = %v %v, want one direct invoke", calls, infos)
			}
		})
	}
}

func TestDirectInvokeOfABatch(t *testing.T) {
	out := invoke(t, NewHandler(http.NotFoundHandler(), messageCore(), nil, Options{}),
		[]byte(`{"assignmentIds":["`+okID+`","`+notFoundID+`","`+throttleID+`"]}`))
	var got BatchInvokeResult
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatalf("result %s: %v", out, err)
	}
	if len(got.Results) != 3 || got.Summary.Accepted != 1 || got.Summary.Failed != 2 || got.Results[2].RetryAfter != 3 {
		t.Errorf("result = %s, want 3 results, 1 accepted", out)
	}
}

func TestUnknownPayloadsAreRefusedWithoutCallingTheCore(t *testing.T) {
	payloads := map[string][]byte{}
	for _, f := range []string{
		"s3-event.json", "sns-event.json", "dynamodb-event.json", "kinesis-event.json",
		"codepipeline-execution-state-change-event.json", "apigw-websocket-request.json",
		"apigw-custom-auth-request-type-request.json", "apigw-v2-custom-authorizer-v1-request.json",
		"apigw-v2-custom-authorizer-v2-request.json",
	} {
		payloads[f] = readEvent(t, f)
	}
	for _, s := range []string{`{}`, `[]`, `null`, `"assignmentId"`, `42`, `not json`, ``, `{"assignmentId":5}`,
		`{"version":"2.0"}`, `{"httpMethod":"GET"}`, `{"Records":[]}`, `{"detail":{}}`, `{"assignmentId":"x","extra":1}`} {
		payloads[s] = []byte(s)
	}
	for name, payload := range payloads {
		t.Run(name, func(t *testing.T) {
			api, core := &testkit.RecordingHandler{}, messageCore()
			out := invoke(t, NewHandler(api, core, nil, Options{}), payload)
			var got InvokeResult
			if err := json.Unmarshal(out, &got); err != nil || got.Status != 400 || got.Error == nil || got.Error.Code != codeBadRequest {
				t.Errorf("result = %s, want status 400 with code %s", out, codeBadRequest)
			}
			if calls, _ := core.Calls(); len(api.Requests())+len(calls) != 0 {
				t.Errorf("the core was called")
			}
		})
	}
}

func TestCoreContextEndsAMarginBeforeTheInvocationDeadline(t *testing.T) {
	var got time.Time
	var hasDeadline bool
	core := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got, hasDeadline = r.Context().Deadline()
	})
	for _, margin := range []time.Duration{0, 2 * time.Second} {
		h := NewHandler(core, messageCore(), nil, Options{DeadlineMargin: margin})
		ctx := lambdaContext(t, time.Minute)
		invocationDeadline, _ := ctx.Deadline()
		if _, err := h.Invoke(ctx, readEvent(t, "apigw-v2-request-no-authorizer.json")); err != nil {
			t.Fatal(err)
		}
		if margin == 0 {
			margin = DefaultDeadlineMargin
		}
		if want := invocationDeadline.Add(-margin); !hasDeadline || !got.Equal(want) {
			t.Errorf("margin %v: core deadline = %v (set %v), want %v", margin, got, hasDeadline, want)
		}
	}
}

func TestStuckCoreGetsGatewayTimeout(t *testing.T) {
	release := make(chan struct{})
	defer close(release)
	core := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(200)
		<-release // ignores its context
	})
	h := NewHandler(core, messageCore(), nil, Options{DeadlineMargin: 100 * time.Millisecond})
	out, err := h.Invoke(lambdaContext(t, 300*time.Millisecond), readEvent(t, "alb-lambda-target-request-multivalue-headers.json"))
	if err != nil {
		t.Fatal(err)
	}
	var got events.ALBTargetGroupResponse
	if err := json.Unmarshal(out, &got); err != nil || got.StatusCode != 504 || got.StatusDescription != "504 Gateway Timeout" {
		t.Errorf("response = %s, want 504 Gateway Timeout", out)
	}
}

func TestRequestIDFallsBackToTheEvent(t *testing.T) {
	core := &testkit.RecordingHandler{}
	h := NewHandler(core, messageCore(), nil, Options{})
	if _, err := h.Invoke(context.Background(), readEvent(t, "apigw-request.json")); err != nil {
		t.Fatal(err)
	}
	if got := onlyRequest(t, core).Info; got != (invocation.Info{ID: "deef4878-7910-11e6-8f14-25afc3e9ae33", Trigger: invocation.HTTP}) {
		t.Errorf("invocation info = %+v, want the event's request id", got)
	}
}

// The X-Ray trace id Lambda hands the invocation reaches the core's
// invocation info, for the log line; a malformed header is dropped.
func TestXRayTraceIDReachesTheCore(t *testing.T) {
	for header, want := range map[string]string{
		"Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1": "1-5759e988-bd862e3fe1be46a994272793",
		"Root=\"x\";Parent=1": "",
		"":                    "",
	} {
		api := &testkit.RecordingHandler{}
		h := NewHandler(api, messageCore(), nil, Options{})
		ctx := context.WithValue(lambdaContext(t, 10*time.Second), "x-amzn-trace-id", header) //nolint:staticcheck // aws-lambda-go's own key
		if _, err := h.Invoke(ctx, readEvent(t, "apigw-v2-request-no-authorizer.json")); err != nil {
			t.Fatal(err)
		}
		if got := api.Only(t).Info.XRay; got != want {
			t.Errorf("header %q: XRay = %q, want %q", header, got, want)
		}
	}
}
