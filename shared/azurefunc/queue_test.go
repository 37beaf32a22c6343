package azurefunc

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/entra-tools/reprocess/shared/invocation"
	"github.com/entra-tools/reprocess/shared/reprocess"

	"github.com/entra-tools/reprocess/internal/testkit/fakecore"
)

func TestQueueMessagesReachTheCore(t *testing.T) {
	tests := []struct {
		fixture, wantID, wantMessageID string
		wantDequeueCount               int
	}{
		{"queue-object-double.json", "0b5d6e7f-1a2b-4c3d-9e8f-7a6b5c4d3e2f", "a1f0c2d4-6b8e-4a0c-9e2f-4b6d8f0a2c4e", 1},
		{"queue-object-single.json", "1c6e7f80-2b3c-4d4e-8f90-8b7c6d5e4f30", "b2e1d3c5-7a9f-4b1d-8f30-5c7e9a1b3d5f", 2},
		{"queue-bare-double.json", "2d7f8091-3c4d-4e5f-9a01-9c8d7e6f5041", "c3d2e4b6-8b0a-4c2e-9041-6d8fab2c4e60", 3},
		{"queue-bare-single.json", "3e8091a2-4d5e-4f60-8b12-ad9e8f706152", "d4c3f5a7-9c1b-4d3f-8152-7e90bc3d5f71", 1},
		{"queue-base64.json", "4f91a2b3-5e6f-4071-9c23-beaf90817263", "e5b4a6f8-0d2c-4e40-9263-8fa1cd4e6082", 1},
		{"queue-object-raw.json", "50a2b3c4-6f70-4182-8d34-cfb0a1928374", "f6a5b7c9-1e3d-4f51-8374-90b2de5f7193", 4},
	}
	for _, tt := range tests {
		t.Run(tt.fixture, func(t *testing.T) {
			core := &fakecore.Messages{}
			logger, logs := newTestLogger(t)
			rec := invoke(t, NewHandler(http.NotFoundHandler(), core, logger, time.Minute), FunctionReprocessQueue, hostInvocationID, readFixture(t, tt.fixture))

			calls, infos := core.Calls()
			if len(calls) != 1 || len(calls[0]) != 1 || calls[0][0].Single == nil || calls[0][0].Single.String() != tt.wantID {
				t.Fatalf("core calls = %+v, want one request for %s", calls, tt.wantID)
			}
			if want := (invocation.Info{ID: hostInvocationID, Trigger: invocation.Queue}); infos[0] != want {
				t.Errorf("core call invocation = %+v, want %+v", infos[0], want)
			}
			if rec.Code != http.StatusOK {
				t.Errorf("handler status = %d, want 200 (message done)", rec.Code)
			}
			result := decodeResult(t, rec)
			if len(result.Outputs) != 0 {
				t.Errorf("Outputs = %v, want {}", result.Outputs)
			}
			wantLog := fmt.Sprintf("reprocess-queue: message %s for assignment %q core answered 202: done", tt.wantMessageID, tt.wantID)
			if len(result.Logs) != 1 || result.Logs[0] != wantLog {
				t.Errorf("Logs = %q, want [%q]", result.Logs, wantLog)
			}
			lines := invocationLines(t, logs)
			if len(lines) != 1 {
				t.Fatalf("invocation log lines = %d, want 1", len(lines))
			}
			for k, w := range map[string]any{"invocationId": hostInvocationID, "function": FunctionReprocessQueue, "trigger": "queue", "assignmentId": tt.wantID, "messageId": tt.wantMessageID, "dequeueCount": float64(tt.wantDequeueCount), "status": float64(202), "outcome": "done", "level": "INFO"} {
				if lines[0][k] != w {
					t.Errorf("log %s = %v, want %v", k, lines[0][k], w)
				}
			}
		})
	}
}

// The core's one rule: 202 is done; a permanent refusal completes the
// message; 408, 429 and 5xx fail the invocation so the host retries.
func TestQueueFollowsTheCoresVerdict(t *testing.T) {
	tests := []struct {
		status      int
		wantHandler int
		wantOutcome string
	}{
		{http.StatusAccepted, http.StatusOK, "done"},
		{http.StatusBadRequest, http.StatusOK, "dropped"},
		{http.StatusNotFound, http.StatusOK, "dropped"},
		{http.StatusConflict, http.StatusOK, "dropped"},
		{http.StatusRequestTimeout, http.StatusInternalServerError, "retry"},
		{http.StatusTooManyRequests, http.StatusInternalServerError, "retry"},
		{http.StatusBadGateway, http.StatusInternalServerError, "retry"},
		{http.StatusServiceUnavailable, http.StatusInternalServerError, "retry"},
		{http.StatusGatewayTimeout, http.StatusInternalServerError, "retry"},
	}
	for _, tt := range tests {
		t.Run(strconv.Itoa(tt.status), func(t *testing.T) {
			core := &fakecore.Messages{Answer: func(req reprocess.Request) []reprocess.ItemResult {
				return []reprocess.ItemResult{{AssignmentID: req.Single.String(), Status: tt.status, Code: "Graph_Code\n42"}}
			}}
			logger, logs := newTestLogger(t)
			rec := invoke(t, NewHandler(http.NotFoundHandler(), core, logger, time.Minute), FunctionReprocessQueue, hostInvocationID, readFixture(t, "queue-object-single.json"))
			if rec.Code != tt.wantHandler {
				t.Errorf("handler status = %d, want %d", rec.Code, tt.wantHandler)
			}
			result := decodeResult(t, rec) // JSON with Logs even on failure
			if len(result.Logs) != 1 || !strings.Contains(result.Logs[0], "core answered "+strconv.Itoa(tt.status)) {
				t.Errorf("Logs = %q, want the core's status", result.Logs)
			}
			if tt.wantOutcome != "done" && !strings.Contains(result.Logs[0], "(Graph_Code42)") {
				t.Errorf("Logs = %q, want the sanitized error code", result.Logs)
			}
			if tt.wantOutcome == "retry" && !strings.Contains(result.Logs[0], "dequeue count 2") {
				t.Errorf("Logs = %q, want the dequeue count", result.Logs)
			}
			lines := invocationLines(t, logs)
			if len(lines) != 1 || lines[0]["outcome"] != tt.wantOutcome || lines[0]["status"] != float64(tt.status) {
				t.Errorf("invocation log lines = %v, want outcome %s", lines, tt.wantOutcome)
			}
		})
	}
}

// A message of many ids is one call of the core, which sends them to Graph
// through JSON batching; one transient item retries the whole message.
func TestQueueMessageOfManyIDs(t *testing.T) {
	ids := make([]string, 25)
	for i := range ids {
		ids[i] = fmt.Sprintf("0f8fad5b-d9cb-469f-a165-%012d", i)
	}
	msg, _ := json.Marshal(map[string][]string{"assignmentIds": ids})
	payload, _ := json.Marshal(map[string]any{"Data": map[string]any{"msg": string(msg)}})
	for _, tc := range []struct {
		throttled   bool
		wantHandler int
	}{{false, http.StatusOK}, {true, http.StatusInternalServerError}} {
		core := &fakecore.Messages{Answer: func(req reprocess.Request) []reprocess.ItemResult {
			out := fakecore.AcceptAll(req)
			if tc.throttled {
				out[7].Status = http.StatusTooManyRequests
			}
			return out
		}}
		logger, logs := newTestLogger(t)
		rec := invoke(t, NewHandler(http.NotFoundHandler(), core, logger, time.Minute), FunctionReprocessQueue, hostInvocationID, payload)
		calls, _ := core.Calls()
		if len(calls) != 1 || len(calls[0]) != 1 || len(calls[0][0].Items) != 25 {
			t.Fatalf("core calls = %d, want one request of 25 ids", len(calls))
		}
		if rec.Code != tc.wantHandler {
			t.Errorf("throttled %v: handler status = %d, want %d", tc.throttled, rec.Code, tc.wantHandler)
		}
		if lines := invocationLines(t, logs); len(lines) != 1 || lines[0]["items"] != float64(25) {
			t.Errorf("invocation log lines = %v, want items 25", lines)
		}
	}
}

// A message that can never succeed is completed with a log, not retried.
func TestQueueDropsUnusableMessages(t *testing.T) {
	tests := map[string]string{
		"fixture: message is a number": string(readFixture(t, "queue-malformed.json")),
		"not JSON":                     `{"Data":`,
		"no msg":                       `{"Data":{"message":"x"}}`,
		"msg is null":                  `{"Data":{"msg":null}}`,
		"empty message":                `{"Data":{"msg":"  "}}`,
		"object of another shape":      `{"Data":{"msg":"{\"ids\":[\"a\"]}"}}`,
		"not an id":                    `{"Data":{"msg":"hello world"}}`,
		"assignmentId is a number":     `{"Data":{"msg":{"assignmentId":5}}}`,
		"assignmentId is null":         `{"Data":{"msg":"{\"assignmentId\":null}"}}`,
		"broken object":                `{"Data":{"msg":"{\"assignmentId\":"}}`,
	}
	for name, payload := range tests {
		t.Run(name, func(t *testing.T) {
			core := &fakecore.Messages{}
			logger, logs := newTestLogger(t)
			rec := invoke(t, NewHandler(http.NotFoundHandler(), core, logger, time.Minute), FunctionReprocessQueue, hostInvocationID, []byte(payload))
			if calls, _ := core.Calls(); len(calls) != 0 {
				t.Errorf("core was called %d times", len(calls))
			}
			if rec.Code != http.StatusOK {
				t.Errorf("handler status = %d, want 200 (complete, do not retry)", rec.Code)
			}
			result := decodeResult(t, rec)
			if len(result.Logs) != 1 || !strings.Contains(result.Logs[0], "not processed") || !strings.Contains(result.Logs[0], "permanent failure") {
				t.Errorf("Logs = %q, want a permanent-failure line", result.Logs)
			}
			if lines := invocationLines(t, logs); len(lines) != 1 || lines[0]["outcome"] != "dropped" || lines[0]["level"] != "WARN" {
				t.Errorf("invocation log lines = %v, want one dropped WARN line", lines)
			}
		})
	}
}

func TestQueueCapsThePayload(t *testing.T) {
	payload := readFixture(t, "queue-object-single.json")
	core := &fakecore.Messages{}
	logger, _ := newTestLogger(t)
	rec := invoke(t, newEdge(http.NotFoundHandler(), core, logger, time.Minute, int64(len(payload)-1)), FunctionReprocessQueue, hostInvocationID, payload)
	if calls, _ := core.Calls(); rec.Code != http.StatusOK || len(calls) != 0 {
		t.Errorf("handler status = %d, core calls %d; want 200 and none", rec.Code, len(calls))
	}
	if logs := decodeResult(t, rec).Logs; len(logs) != 1 || !strings.Contains(logs[0], "too large") {
		t.Errorf("Logs = %q, want the reason", logs)
	}
}

func TestQueuePanicIsTransient(t *testing.T) {
	core := &fakecore.Messages{Answer: func(reprocess.Request) []reprocess.ItemResult { panic("boom") }}
	logger, logs := newTestLogger(t)
	rec := invoke(t, NewHandler(http.NotFoundHandler(), core, logger, time.Minute), FunctionReprocessQueue, hostInvocationID, readFixture(t, "queue-bare-single.json"))
	if rec.Code != http.StatusInternalServerError {
		t.Errorf("handler status = %d, want 500 so the host retries and finally poisons the message", rec.Code)
	}
	decodeResult(t, rec)
	if !strings.Contains(logs.String(), `"msg":"panic in core handler"`) {
		t.Errorf("panic not logged:\n%s", logs)
	}
}

// The host hands the message over in several encodings; the core's parser
// reads what it says.
func TestMessageFromInvocation(t *testing.T) {
	const guid = "6f1e2d3c-4b5a-4978-8695-a4b3c2d1e0f9"
	b64 := base64.StdEncoding.EncodeToString
	quoted := func(s string) string { b, _ := json.Marshal(s); return string(b) }
	tests := []struct {
		name, raw, want string
	}{
		{"object", `{"assignmentId":"` + guid + `"}`, guid},
		{"object in a string", quoted(`{"assignmentId":"` + guid + `"}`), guid},
		{"object in a string in a string", quoted(quoted(`{"assignmentId":"` + guid + `"}`)), guid},
		{"bare id", quoted(guid), guid},
		{"bare id, double-encoded", quoted(quoted(guid)), guid},
		{"bare id, JSON-encoded by the producer too", quoted(quoted(quoted(guid))), guid},
		{"bare id with whitespace", quoted("  " + guid + "\r\n"), guid},
		{"base64 object", quoted(b64([]byte(`{"assignmentId":"` + guid + `"}`))), guid},
		{"base64 bare id", quoted(b64([]byte(guid))), guid},
		{"base64 quoted id", quoted(b64([]byte(quoted(guid)))), guid},
	}
	for _, tt := range tests {
		msg, err := messageFromInvocation(invocationRequest{Data: map[string]json.RawMessage{"msg": json.RawMessage(tt.raw)}})
		if err != nil {
			t.Errorf("%s: messageFromInvocation(%s): %v", tt.name, tt.raw, err)
			continue
		}
		req, err := reprocess.ParseMessage(msg)
		if err != nil || req.Single == nil || req.Single.String() != tt.want {
			t.Errorf("%s: message %s reads as %+v, %v; want %q", tt.name, msg, req, err, tt.want)
		}
	}
}

func TestQueueMetadata(t *testing.T) {
	tests := []struct {
		metadata  string
		wantID    string
		wantCount int
	}{
		{`{"DequeueCount":"1","Id":"\"a1f0c2d4-6b8e-4a0c-9e2f-4b6d8f0a2c4e\""}`, "a1f0c2d4-6b8e-4a0c-9e2f-4b6d8f0a2c4e", 1},
		{`{"dequeueCount":5,"id":"a1f0c2d4"}`, "a1f0c2d4", 5},
		{`{"DequeueCount":"\"3\""}`, "", 3},
		{`{"DequeueCount":"x","Id":"\"bad id\\n\""}`, "", 0},
		{`{"DequeueCount":-1}`, "", 0},
		{`[]`, "", 0},
		{``, "", 0},
	}
	for _, tt := range tests {
		inv := invocationRequest{Metadata: json.RawMessage(tt.metadata)}
		if got := queueMetaFrom(inv); got.messageID != tt.wantID || got.dequeueCount != tt.wantCount {
			t.Errorf("queueMetaFrom(%s) = %+v, want id %q count %d", tt.metadata, got, tt.wantID, tt.wantCount)
		}
	}
}
