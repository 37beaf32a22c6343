package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambdacontext"

	"github.com/entra-tools/reprocess/internal/testkit"
	"github.com/entra-tools/reprocess/shared/awslambda"
	"github.com/entra-tools/reprocess/shared/azurefunc"
	"github.com/entra-tools/reprocess/shared/sandbox"
)

// The platform edges call the core directly, so their ids reach Graph as
// JSON batches: an SQS event's ten records go out in one $batch, and so do
// the first twenty of a Storage queue message's 25 ids.
func TestEdgesBatch(t *testing.T) {
	t.Run("SQS event of 10 records", func(t *testing.T) {
		s := newStack(t, sandbox.Options{}, nil)
		throttled := s.tenant.AddAssignment(sandbox.Assignment{})
		s.tenant.Graph.Fail(throttled, http.StatusTooManyRequests, 100, 30*time.Second) // past the deadline: not retried
		var ev events.SQSEvent
		for i := range 10 {
			id := s.tenant.AddAssignment(sandbox.Assignment{})
			body := `{"assignmentId":"` + id + `"}`
			switch i {
			case 3:
				body = `{"assignmentIds":["` + id + `","` + throttled + `"]}`
			case 5, 7:
				body = id // a bare id, as some senders write it
			}
			ev.Records = append(ev.Records, events.SQSMessage{MessageId: "m" + id[:8], Body: body, EventSource: "aws:sqs",
				EventSourceARN: "arn:aws:sqs:eu-west-1:123456789012:reprocess-requests"})
		}
		payload, _ := json.Marshal(ev)
		s.tenant.Reset()

		h := awslambda.NewHandler(s.handler, s.core, nil, awslambda.Options{})
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		out, err := h.Invoke(lambdacontext.NewContext(ctx, &lambdacontext.LambdaContext{AwsRequestID: "sqs-1"}), payload)
		if err != nil {
			t.Fatal(err)
		}
		var resp events.SQSEventResponse
		if err := json.Unmarshal(out, &resp); err != nil {
			t.Fatalf("answer %s: %v", out, err)
		}
		if len(resp.BatchItemFailures) != 1 || resp.BatchItemFailures[0].ItemIdentifier != ev.Records[3].MessageId {
			t.Errorf("batchItemFailures = %+v, want only the record with the throttled id", resp.BatchItemFailures)
		}
		if n := s.batchEnvelopes(); n != 1 {
			t.Errorf("$batch requests = %d, want 1 for 11 ids (the throttled one is not retried past the deadline)", n)
		}
		if n := singleGraphCalls(s.tenant); n != 0 {
			t.Errorf("Graph calls outside $batch = %d, want 0", n)
		}
	})

	t.Run("queue message of 25 ids", func(t *testing.T) {
		s := newStack(t, sandbox.Options{}, nil)
		ids := make([]string, 25)
		for i := range ids {
			ids[i] = s.tenant.AddAssignment(sandbox.Assignment{})
		}
		msg, _ := json.Marshal(map[string][]string{"assignmentIds": ids})
		payload, _ := json.Marshal(map[string]any{
			"Data":     map[string]any{"msg": string(msg)},
			"Metadata": map[string]any{"DequeueCount": "1", "Id": `"5f1c2d3e-queue-message"`},
		})
		s.tenant.Reset()

		logger, logs := testkit.NewLogger()
		h := azurefunc.NewHandler(s.handler, s.core, logger, 10*time.Second)
		req := httptest.NewRequest(http.MethodPost, "/"+azurefunc.FunctionReprocessQueue, bytes.NewReader(payload))
		req.Header.Set("X-Azure-Functions-InvocationId", "7d3e2f1a-0000-4000-8000-000000000001")
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		if w.Code != http.StatusOK || !strings.Contains(w.Body.String(), "25 of 25 accepted") {
			t.Errorf("queue function answered %d %s, want 200 with every id accepted", w.Code, w.Body)
		}
		if n := s.batchEnvelopes(); n != 2 {
			t.Errorf("$batch requests = %d, want 2 (20 + 5)", n)
		}
		if n := singleGraphCalls(s.tenant); n != 0 {
			t.Errorf("Graph calls outside $batch = %d, want 0", n)
		}
		checkJSONLogs(t, logs.String())
		lines := logs.Messages(t, "invocation")
		if len(lines) != 1 || lines[0]["graphCallCount"] != float64(2) {
			t.Errorf("invocation log lines = %v, want one listing its 2 Graph calls", lines)
		}
	})
}

// singleGraphCalls counts Graph requests sent on their own (not as $batch
// envelopes or their items).
func singleGraphCalls(tenant *sandbox.Tenant) int {
	return tenant.CountFunc(func(r sandbox.Request) bool {
		return r.Service == sandbox.Graph && !r.InBatch && r.Path != "/v1.0/$batch"
	})
}
