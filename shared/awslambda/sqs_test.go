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

	"github.com/entra-tools/reprocess/shared/invocation"
)

// Assignment ids the fake core treats specially.
const (
	okID       = "0b6b4a8e-6a55-4d8c-9a1e-1f2e3d4c5b6a"
	okID2      = "1c2d3e4f-5a6b-4c7d-8e9f-0a1b2c3d4e5f"
	notFoundID = "00000000-0000-0000-0000-000000000404"
	throttleID = "00000000-0000-0000-0000-000000000429"
	downID     = "00000000-0000-0000-0000-000000000503"
	slowID     = "00000000-0000-0000-0000-0000000005e0" // returns 504 when its context ends
	panicID    = "00000000-0000-0000-0000-00000000dead"
	stuckID    = "00000000-0000-0000-0000-000000005c0c" // ignores its context
)

// reprocessCore is a fake core for POST /api/reprocess that answers by
// assignment id like the real one does for Graph's outcomes.
func reprocessCore(tb testing.TB) *recordingCore {
	release := make(chan struct{})
	tb.Cleanup(func() { close(release) })
	return &recordingCore{reply: func(w http.ResponseWriter, r *http.Request) {
		var in struct{ AssignmentID string }
		if r.Method != http.MethodPost || r.URL.Path != "/api/reprocess" ||
			r.Header.Get("Content-Type") != "application/json" || json.NewDecoder(r.Body).Decode(&in) != nil {
			writeError(w, 400, "badRequest", "unexpected request")
			return
		}
		switch in.AssignmentID {
		case okID, okID2:
			w.Header().Set("X-Graph-Request-Id", "graph-"+in.AssignmentID[:8])
			w.WriteHeader(http.StatusAccepted)
		case notFoundID:
			writeError(w, 404, "ResourceNotFound", "no such assignment")
		case throttleID:
			w.Header().Set("Retry-After", "3")
			writeError(w, 429, "TooManyRequests", "throttled")
		case downID:
			writeError(w, 503, "ServiceUnavailable", "Key Vault unreachable")
		case slowID:
			<-r.Context().Done()
			writeError(w, 504, "GatewayTimeout", "deadline passed")
		case panicID:
			panic("core bug")
		case stuckID:
			<-release
		default:
			writeError(w, 400, "invalidAssignmentId", "not a GUID")
		}
	}}
}

func writeError(w http.ResponseWriter, status int, code, message string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(errorEnvelope{Error: &ErrorDetail{Code: code, Message: message}})
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
	core := reprocessCore(t)
	h := NewHandler(core, nil, Options{DeadlineMargin: 100 * time.Millisecond, SQSConcurrency: 3})
	out, err := invokeBefore(t, h, 400*time.Millisecond, readEvent(t, "ours-sqs-mixed.json"))
	if err != nil {
		t.Fatalf("Invoke() error = %v", err)
	}
	// Retried: 429, 503, the record that ran past the deadline, the panic.
	// Dropped: invalid id, no id, 404.
	if got, want := batchFailures(t, out), []string{msg("6"), msg("7"), msg("8"), msg("9")}; !reflect.DeepEqual(got, want) {
		t.Errorf("batchItemFailures = %v, want %v", got, want)
	}

	wantCalls := map[string]string{ // message id → assignment id; message 4 has none
		msg("1"): okID, msg("2"): okID2, msg("3"): "not-a-guid", msg("5"): notFoundID,
		msg("6"): throttleID, msg("7"): downID, msg("8"): slowID, msg("9"): panicID,
	}
	reqs := core.requests()
	if len(reqs) != len(wantCalls) {
		t.Errorf("core saw %d requests, want %d", len(reqs), len(wantCalls))
	}
	for _, r := range reqs {
		want := seen{
			Method: "POST", Path: "/api/reprocess", RequestURI: "/api/reprocess", Proto: "HTTP/1.1",
			Header: http.Header{"Content-Type": {"application/json"}},
			Body:   `{"assignmentId":"` + wantCalls[r.Info.ID] + `"}`,
			Info:   invocation.Info{ID: r.Info.ID, Trigger: invocation.SQS},
		}
		if _, ok := wantCalls[r.Info.ID]; !ok {
			t.Errorf("core called for message %q", r.Info.ID)
		}
		reportDiff(t, "request for "+r.Info.ID, r.diff(want))
	}
}

func TestSQSRecordsNotStartedBeforeDeadlineAreRetried(t *testing.T) {
	core := reprocessCore(t)
	h := NewHandler(core, nil, Options{DeadlineMargin: 100 * time.Millisecond, SQSConcurrency: 1})
	batch := sqsBatch("arn:aws:sqs:eu-west-1:123456789012:q", slowID, okID, okID2)
	out, err := invokeBefore(t, h, 300*time.Millisecond, batch)
	if err != nil {
		t.Fatalf("Invoke() error = %v", err)
	}
	if got, want := batchFailures(t, out), []string{"m0", "m1", "m2"}; !reflect.DeepEqual(got, want) {
		t.Errorf("batchItemFailures = %v, want %v", got, want)
	}
	if n := len(core.requests()); n != 1 {
		t.Errorf("core saw %d requests, want 1 (the slow one)", n)
	}
}

func TestSQSStuckCoreIsAbandonedAtTheDeadline(t *testing.T) {
	core := reprocessCore(t)
	h := NewHandler(core, nil, Options{DeadlineMargin: 100 * time.Millisecond})
	out, err := invokeBefore(t, h, 300*time.Millisecond, sqsBatch("arn:aws:sqs:eu-west-1:123456789012:q", stuckID, okID))
	if err != nil {
		t.Fatalf("Invoke() error = %v", err)
	}
	if got, want := batchFailures(t, out), []string{"m0"}; !reflect.DeepEqual(got, want) {
		t.Errorf("batchItemFailures = %v, want %v", got, want)
	}
}

func TestSQSFIFOStopsAtFirstRetry(t *testing.T) {
	core := reprocessCore(t)
	out := invoke(t, NewHandler(core, nil, Options{}), readEvent(t, "ours-sqs-fifo.json"))
	want := []string{"22222222-0000-4000-8000-000000000002", "22222222-0000-4000-8000-000000000003"}
	if got := batchFailures(t, out); !reflect.DeepEqual(got, want) {
		t.Errorf("batchItemFailures = %v, want %v", got, want)
	}
	if n := len(core.requests()); n != 2 {
		t.Errorf("core saw %d requests, want 2 (in order, none after the failure)", n)
	}
}

func TestSQSSampleWithoutAssignmentIsDropped(t *testing.T) {
	core := reprocessCore(t)
	out := invoke(t, NewHandler(core, nil, Options{}), readEvent(t, "sqs-event.json"))
	if got := batchFailures(t, out); len(got) != 0 {
		t.Errorf("batchItemFailures = %v, want none", got)
	}
	if n := len(core.requests()); n != 0 {
		t.Errorf("core saw %d requests for the body %q, want 0", n, "Message Body")
	}
}

func TestSQSUndecodableBatchFailsWhole(t *testing.T) {
	h := NewHandler(reprocessCore(t), nil, Options{})
	_, err := h.Invoke(context.Background(), []byte(`{"Records":[{"eventSource":"aws:sqs","messageId":"m","body":5}]}`))
	if err == nil {
		t.Fatal("Invoke() error = nil, want an error so Lambda retries the batch")
	}
}

func TestAssignmentIDFromMessage(t *testing.T) {
	tests := []struct {
		body    string
		want    string
		wantErr bool
	}{
		{`{"assignmentId":"abc"}`, "abc", false},
		{` {"assignmentId":"abc","other":1} `, "abc", false},
		{"abc\n", "abc", false},
		{`"abc"`, "abc", false},
		{`{"assignmentId":5}`, "", true},
		{`{"id":"abc"}`, "", true},
		{`{"assignmentId":`, "", true},
		{`"abc`, "", true},
		{"", "", true},
		{"two words", "", true},
		{"[1]", "", true},
	}
	for _, tt := range tests {
		got, err := assignmentIDFromMessage(tt.body)
		if got != tt.want || (err != nil) != tt.wantErr {
			t.Errorf("assignmentIDFromMessage(%q) = %q, %v; want %q, error %v", tt.body, got, err, tt.want, tt.wantErr)
		}
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
	core := reprocessCore(t)
	h := NewHandler(core, nil, Options{SQSConcurrency: 4})
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
