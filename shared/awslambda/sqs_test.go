package awslambda

import (
	"context"
	"encoding/json"
	"net/http"
	"reflect"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambdacontext"

	"github.com/entra-tools/reprocess/internal/testkit"
	"github.com/entra-tools/reprocess/internal/testkit/fakecore"
	"github.com/entra-tools/reprocess/shared/invocation"
	"github.com/entra-tools/reprocess/shared/reprocess"
)

// Assignment ids the fake core treats specially.
const (
	okID       = "0b6b4a8e-6a55-4d8c-9a1e-1f2e3d4c5b6a"
	okID2      = "1c2d3e4f-5a6b-4c7d-8e9f-0a1b2c3d4e5f"
	notFoundID = "00000000-0000-0000-0000-000000000404"
	throttleID = "00000000-0000-0000-0000-000000000429"
	downID     = "00000000-0000-0000-0000-000000000503"
	lateID     = "00000000-0000-0000-0000-0000000005e0" // not sent before the deadline
	panicID    = "00000000-0000-0000-0000-00000000dead"
)

// messageCore is a fake core that answers by assignment id as the real one
// does for Graph's outcomes.
func messageCore() *fakecore.Messages {
	return &fakecore.Messages{Answer: func(req reprocess.Request) []reprocess.ItemResult {
		items := req.Items
		if req.Single != nil {
			items = []reprocess.Item{{Raw: req.Single.String(), ID: *req.Single}}
		}
		out := make([]reprocess.ItemResult, len(items))
		for i, it := range items {
			r := reprocess.ItemResult{AssignmentID: it.Raw}
			switch it.Raw {
			case okID, okID2:
				r.Status, r.GraphRequestID = http.StatusAccepted, "graph-"+it.Raw[:8]
			case notFoundID:
				r.Status, r.Code = http.StatusNotFound, "ResourceNotFound"
			case throttleID:
				r.Status, r.Code, r.RetryAfter = http.StatusTooManyRequests, "TooManyRequests", 3
			case downID:
				r.Status, r.Code = http.StatusServiceUnavailable, "KeyVaultUnavailable"
			case lateID:
				r.Status, r.Code = http.StatusGatewayTimeout, "NotAttempted"
			case panicID:
				panic("core bug")
			default:
				r.Status, r.Code = http.StatusBadRequest, "InvalidAssignmentId"
			}
			out[i] = r
		}
		return out
	}}
}

// invokeBefore calls h with an invocation deadline timeout from now.
func invokeBefore(tb testing.TB, h *Handler, timeout time.Duration, payload []byte) ([]byte, error) {
	tb.Helper()
	return h.Invoke(lambdaContext(tb, timeout), payload)
}

func batchFailures(tb testing.TB, out []byte) []string {
	tb.Helper()
	var resp events.SQSEventResponse
	if err := json.Unmarshal(out, &resp); err != nil || resp.BatchItemFailures == nil {
		tb.Fatalf("response %s is not an SQSEventResponse (%v)", out, err)
	}
	ids := []string{}
	for _, f := range resp.BatchItemFailures {
		ids = append(ids, f.ItemIdentifier)
	}
	return ids
}

func msg(n string) string { return "11111111-0000-4000-8000-00000000000" + n }

func TestSQSMixedBatch(t *testing.T) {
	core := messageCore()
	h := NewHandler(http.NotFoundHandler(), core, nil, Options{})
	out := invoke(t, h, readEvent(t, "ours-sqs-mixed.json"))
	// Retried: 429, 503, the item the deadline kept from Graph, the batch
	// with a 429 in it. Dropped: invalid id, no id, 404.
	if got, want := batchFailures(t, out), []string{msg("6"), msg("7"), msg("8"), msg("9")}; !reflect.DeepEqual(got, want) {
		t.Errorf("batchItemFailures = %v, want %v", got, want)
	}
	// Every record that parses reaches the core in one call, so their ids
	// go to Graph together; the record with no id never does.
	calls, infos := core.Calls()
	if len(calls) != 1 {
		t.Fatalf("core calls = %d, want 1", len(calls))
	}
	var got []string
	for _, req := range calls[0] {
		if req.Single != nil {
			got = append(got, req.Single.String())
		}
		for _, it := range req.Items {
			got = append(got, it.Raw)
		}
	}
	if want := []string{okID, okID2, notFoundID, throttleID, downID, lateID, okID, throttleID}; !reflect.DeepEqual(got, want) {
		t.Errorf("core got ids %v, want %v", got, want)
	}
	if want := (invocation.Info{ID: testRequestID, Trigger: invocation.SQS}); infos[0] != want {
		t.Errorf("core call invocation = %+v, want %+v", infos[0], want)
	}
}

// A record of many ids is answered by its items: retried when one of them
// may still succeed.
func TestSQSRecordOfManyIDs(t *testing.T) {
	core := messageCore()
	h := NewHandler(http.NotFoundHandler(), core, nil, Options{})
	ev := events.SQSEvent{Records: []events.SQSMessage{
		{MessageId: "a", Body: `{"assignmentIds":["` + okID + `","` + okID2 + `"]}`, EventSource: "aws:sqs"},
		{MessageId: "b", Body: `{"assignmentIds":["` + okID + `","` + throttleID + `"]}`, EventSource: "aws:sqs"},
		{MessageId: "c", Body: `{"assignmentIds":["` + okID + `","` + notFoundID + `"]}`, EventSource: "aws:sqs"},
	}}
	payload, _ := json.Marshal(ev)
	if got, want := batchFailures(t, invoke(t, h, payload)), []string{"b"}; !reflect.DeepEqual(got, want) {
		t.Errorf("batchItemFailures = %v, want %v", got, want)
	}
}

// A panic in the core retries the whole batch, and reaches no caller.
func TestSQSCorePanicRetriesTheBatch(t *testing.T) {
	logger, logs := testkit.NewLogger()
	h := NewHandler(http.NotFoundHandler(), messageCore(), logger, Options{})
	out := invoke(t, h, sqsBatch("arn:aws:sqs:eu-west-1:123456789012:q", okID, panicID))
	if got, want := batchFailures(t, out), []string{"m0", "m1"}; !reflect.DeepEqual(got, want) {
		t.Errorf("batchItemFailures = %v, want %v", got, want)
	}
	if len(logs.Messages(t, "core panicked")) != 1 {
		t.Errorf("panic not logged:\n%s", logs)
	}
}

func TestSQSFIFOStopsAtFirstRetry(t *testing.T) {
	out := invoke(t, NewHandler(http.NotFoundHandler(), messageCore(), nil, Options{}), readEvent(t, "ours-sqs-fifo.json"))
	want := []string{"22222222-0000-4000-8000-000000000002", "22222222-0000-4000-8000-000000000003"}
	if got := batchFailures(t, out); !reflect.DeepEqual(got, want) {
		t.Errorf("batchItemFailures = %v, want %v", got, want)
	}
}

func TestSQSSampleWithoutAssignmentIsDropped(t *testing.T) {
	core := messageCore()
	out := invoke(t, NewHandler(http.NotFoundHandler(), core, nil, Options{}), readEvent(t, "sqs-event.json"))
	if got := batchFailures(t, out); len(got) != 0 {
		t.Errorf("batchItemFailures = %v, want none", got)
	}
	if calls, _ := core.Calls(); len(calls) != 1 || len(calls[0]) != 0 {
		t.Errorf("core calls = %v for the body %q, want one with no request", calls, "Message Body")
	}
}

func TestSQSUndecodableBatchFailsWhole(t *testing.T) {
	h := NewHandler(http.NotFoundHandler(), messageCore(), nil, Options{})
	_, err := h.Invoke(context.Background(), []byte(`{"Records":[{"eventSource":"aws:sqs","messageId":"m","body":5}]}`))
	if err == nil {
		t.Fatal("Invoke() error = nil, want an error so Lambda retries the batch")
	}
}

// sqsBatch builds an SQS event whose message i (id "m<i>") names ids[i].
func sqsBatch(queueARN string, ids ...string) []byte {
	var ev events.SQSEvent
	for i, id := range ids {
		ev.Records = append(ev.Records, events.SQSMessage{
			MessageId: "m" + string(rune('0'+i)), Body: `{"assignmentId":"` + id + `"}`,
			EventSource: "aws:sqs", EventSourceARN: queueARN, AWSRegion: "eu-west-1",
		})
	}
	b, _ := json.Marshal(ev)
	return b
}

// TestConcurrentInvocations runs many invocations at once, as the runtime
// does with AWS_LAMBDA_MAX_CONCURRENCY; run it with -race.
func TestConcurrentInvocations(t *testing.T) {
	h := NewHandler(acceptingAPI(), messageCore(), nil, Options{})
	payloads := [][]byte{
		readEvent(t, "ours-sqs-fifo.json"),
		sqsBatch("arn:aws:sqs:eu-west-1:123456789012:q", okID, okID2, downID, notFoundID),
		readEvent(t, "ours-invoke.json"),
		readEvent(t, "ours-httpapi-named-stage.json"),
	}
	done := make(chan error)
	const n = 16
	for i := range n {
		go func() {
			ctx := lambdacontext.NewContext(context.Background(), &lambdacontext.LambdaContext{AwsRequestID: "r"})
			_, err := h.Invoke(ctx, payloads[i%len(payloads)])
			done <- err
		}()
	}
	for range n {
		if err := <-done; err != nil {
			t.Errorf("Invoke() error = %v", err)
		}
	}
}
