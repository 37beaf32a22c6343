package awslambda

import (
	"context"
	"encoding/json"
	"net/http"
	"reflect"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

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
			InvokeResult{AssignmentID: notFoundID, Status: 404, Error: &ErrorDetail{"ResourceNotFound", "no such assignment"}}},
		{"invalid id", []byte(`{"assignmentId":"x"}`),
			InvokeResult{AssignmentID: "x", Status: 400, Error: &ErrorDetail{"invalidAssignmentId", "not a GUID"}}},
		{"core panics", []byte(`{"assignmentId":"` + panicID + `"}`),
			InvokeResult{AssignmentID: panicID, Status: 500, Error: &ErrorDetail{codeInternal, "The request could not be completed."}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			core := reprocessCore(t)
			out := invoke(t, NewHandler(core, nil, Options{}), tt.payload)
			var got InvokeResult
			if err := json.Unmarshal(out, &got); err != nil {
				t.Fatalf("result %s: %v", out, err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("result = %+v, want %+v", got, tt.want)
			}
			r := onlyRequest(t, core)
			want := seen{
				Method: "POST", Path: "/api/reprocess", RequestURI: "/api/reprocess", Proto: "HTTP/1.1",
				Header: http.Header{"Content-Type": {"application/json"}},
				Body:   `{"assignmentId":"` + tt.want.AssignmentID + `"}`,
				Info:   invocation.Info{ID: testRequestID, Trigger: invocation.Invoke},
			}
			reportDiff(t, "request", r.diff(want))
		})
	}
}

func TestDirectInvokeErrorWithoutBody(t *testing.T) {
	core := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(502) })
	out := invoke(t, NewHandler(core, nil, Options{}), readEvent(t, "ours-invoke.json"))
	want := `{"assignmentId":"` + okID + `","status":502,"graphRequestId":"","error":{"code":"BadGateway","message":"Bad Gateway"}}`
	if string(out) != want {
		t.Errorf("result = %s, want %s", out, want)
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
		`{"version":"2.0"}`, `{"httpMethod":"GET"}`, `{"Records":[]}`, `{"detail":{}}`} {
		payloads[s] = []byte(s)
	}
	for name, payload := range payloads {
		t.Run(name, func(t *testing.T) {
			core := &recordingCore{}
			out := invoke(t, NewHandler(core, nil, Options{}), payload)
			var got InvokeResult
			if err := json.Unmarshal(out, &got); err != nil || got.Status != 400 || got.Error == nil || got.Error.Code != codeBadRequest {
				t.Errorf("result = %s, want status 400 with code %s", out, codeBadRequest)
			}
			if n := len(core.requests()); n != 0 {
				t.Errorf("core saw %d requests, want 0", n)
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
		h := NewHandler(core, nil, Options{DeadlineMargin: margin})
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
	h := NewHandler(core, nil, Options{DeadlineMargin: 100 * time.Millisecond})
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
	core := &recordingCore{}
	h := NewHandler(core, nil, Options{})
	if _, err := h.Invoke(context.Background(), readEvent(t, "apigw-request.json")); err != nil {
		t.Fatal(err)
	}
	if got := onlyRequest(t, core).Info; got != (invocation.Info{ID: "deef4878-7910-11e6-8f14-25afc3e9ae33", Trigger: invocation.HTTP}) {
		t.Errorf("invocation info = %+v, want the event's request id", got)
	}
}
