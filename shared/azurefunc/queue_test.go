package azurefunc

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/entra-tools/reprocess/shared/invocation"
)

// wantQueueRequest is the exact request the core gets for a message.
func wantQueueRequest(assignmentID string) recorded {
	body, _ := json.Marshal(map[string]string{"assignmentId": assignmentID})
	return recorded{
		Method: "POST", Path: "/api/reprocess", RequestURI: "/api/reprocess", Host: "example.com",
		Header: http.Header{
			"Content-Type":   {"application/json"},
			"Content-Length": {strconv.Itoa(len(body))},
		},
		Body: string(body), ContentLength: int64(len(body)),
		Info: invocation.Info{ID: hostInvocationID, Trigger: invocation.Queue}, HasInfo: true,
	}
}

func TestQueueMessagesBecomeReprocessRequests(t *testing.T) {
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
			core := &recordingCore{respond: answer(http.StatusAccepted, http.Header{"Content-Type": {"application/json"}}, `{"status":"accepted"}`)}
			logger, logs := newTestLogger(t)
			rec := invoke(t, NewHandler(core, logger), FunctionReprocessQueue, hostInvocationID, readFixture(t, tt.fixture))

			assertRecorded(t, core.only(t), wantQueueRequest(tt.wantID))
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

// 2xx is done; 4xx other than 408/429 is permanent and completes the
// message; 408, 429 and 5xx fail the invocation so the host retries.
func TestQueueClassifiesTheCoresStatus(t *testing.T) {
	tests := []struct {
		status      int
		wantHandler int
		wantOutcome string
	}{
		{http.StatusOK, http.StatusOK, "done"},
		{http.StatusAccepted, http.StatusOK, "done"},
		{http.StatusNoContent, http.StatusOK, "done"},
		{http.StatusBadRequest, http.StatusOK, "dropped"},
		{http.StatusUnauthorized, http.StatusOK, "dropped"},
		{http.StatusForbidden, http.StatusOK, "dropped"},
		{http.StatusNotFound, http.StatusOK, "dropped"},
		{http.StatusConflict, http.StatusOK, "dropped"},
		{http.StatusRequestEntityTooLarge, http.StatusOK, "dropped"},
		{http.StatusRequestTimeout, http.StatusInternalServerError, "retry"},
		{http.StatusTooManyRequests, http.StatusInternalServerError, "retry"},
		{http.StatusInternalServerError, http.StatusInternalServerError, "retry"},
		{http.StatusBadGateway, http.StatusInternalServerError, "retry"},
		{http.StatusServiceUnavailable, http.StatusInternalServerError, "retry"},
		{http.StatusGatewayTimeout, http.StatusInternalServerError, "retry"},
	}
	for _, tt := range tests {
		t.Run(strconv.Itoa(tt.status), func(t *testing.T) {
			core := &recordingCore{respond: answer(tt.status, http.Header{"Content-Type": {"application/json"}}, `{"error":{"code":"Graph_Code\n42","message":"m"}}`)}
			logger, logs := newTestLogger(t)
			rec := invoke(t, NewHandler(core, logger), FunctionReprocessQueue, hostInvocationID, readFixture(t, "queue-object-single.json"))
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
			if got := classifyQueueStatus(tt.status).String(); got != tt.wantOutcome {
				t.Errorf("classifyQueueStatus(%d) = %s, want %s", tt.status, got, tt.wantOutcome)
			}
		})
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
		"object without assignmentId":  `{"Data":{"msg":"{\"assignmentIds\":[\"a\"]}"}}`,
		"assignmentId is a number":     `{"Data":{"msg":{"assignmentId":5}}}`,
		"assignmentId is null":         `{"Data":{"msg":"{\"assignmentId\":null}"}}`,
		"broken object":                `{"Data":{"msg":"{\"assignmentId\":"}}`,
	}
	for name, payload := range tests {
		t.Run(name, func(t *testing.T) {
			core := &recordingCore{}
			logger, logs := newTestLogger(t)
			rec := invoke(t, NewHandler(core, logger), FunctionReprocessQueue, hostInvocationID, []byte(payload))
			if n := len(core.requests()); n != 0 {
				t.Errorf("core was called %d times", n)
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
	core := &recordingCore{}
	logger, _ := newTestLogger(t)
	rec := invoke(t, newEdge(core, logger, int64(len(payload)-1)), FunctionReprocessQueue, hostInvocationID, payload)
	if rec.Code != http.StatusOK || len(core.requests()) != 0 {
		t.Errorf("handler status = %d, core calls %d; want 200 and none", rec.Code, len(core.requests()))
	}
	if logs := decodeResult(t, rec).Logs; len(logs) != 1 || !strings.Contains(logs[0], "too large") {
		t.Errorf("Logs = %q, want the reason", logs)
	}
}

func TestQueuePanicIsTransient(t *testing.T) {
	core := &recordingCore{respond: func(http.ResponseWriter, *http.Request) { panic("boom") }}
	logger, logs := newTestLogger(t)
	rec := invoke(t, NewHandler(core, logger), FunctionReprocessQueue, hostInvocationID, readFixture(t, "queue-bare-single.json"))
	if rec.Code != http.StatusInternalServerError {
		t.Errorf("handler status = %d, want 500 so the host retries and finally poisons the message", rec.Code)
	}
	decodeResult(t, rec)
	if !strings.Contains(logs.String(), `"msg":"panic in core handler"`) {
		t.Errorf("panic not logged:\n%s", logs)
	}
}

func TestAssignmentIDFromMessage(t *testing.T) {
	const guid = "6f1e2d3c-4b5a-4978-8695-a4b3c2d1e0f9"
	b64 := base64.StdEncoding.EncodeToString
	quoted := func(s string) string { b, _ := json.Marshal(s); return string(b) }
	tests := []struct {
		name, raw, want string
	}{
		{"object", `{"assignmentId":"` + guid + `"}`, guid},
		{"object, other casing", `{"AssignmentId":"` + guid + `"}`, guid},
		{"object in a string", quoted(`{"assignmentId":"` + guid + `"}`), guid},
		{"object in a string in a string", quoted(quoted(`{"assignmentId":"` + guid + `"}`)), guid},
		{"bare id", quoted(guid), guid},
		{"bare id, double-encoded", quoted(quoted(guid)), guid},
		{"bare id, JSON-encoded by the producer too", quoted(quoted(quoted(guid))), guid},
		{"bare id with whitespace", quoted("  " + guid + "\r\n"), guid},
		{"base64 object", quoted(b64([]byte(`{"assignmentId":"` + guid + `"}`))), guid},
		{"base64 bare id", quoted(b64([]byte(guid))), guid},
		{"base64 quoted id", quoted(b64([]byte(quoted(guid)))), guid},
		// Valid base64 that decodes to neither an object nor a GUID stays a
		// bare id, for the core to reject.
		{"base64-looking bare text", quoted("dGVzdA=="), "dGVzdA=="},
		{"binary base64", quoted("abcd1234"), "abcd1234"},
		{"not an id at all", quoted("hello world"), "hello world"},
		{"id with a quote", quoted(`abc"def`), `abc"def`},
	}
	for _, tt := range tests {
		got, err := assignmentIDFromMessage(json.RawMessage(tt.raw))
		if err != nil || got != tt.want {
			t.Errorf("assignmentIDFromMessage(%s: %s) = %q, %v; want %q", tt.name, tt.raw, got, err, tt.want)
		}
	}
}

// The id is JSON-encoded into the body, never spliced.
func TestQueueRequestEncodesTheID(t *testing.T) {
	for _, id := range []string{`abc"def`, `x","assignmentIds":["y`, "line\nbreak", `\u0022`} {
		core := &recordingCore{respond: answer(http.StatusBadRequest, nil, "")}
		logger, _ := newTestLogger(t)
		msg, _ := json.Marshal(id)
		payload, _ := json.Marshal(map[string]any{"Data": map[string]any{"msg": json.RawMessage(msg)}})
		invoke(t, NewHandler(core, logger), FunctionReprocessQueue, hostInvocationID, payload)
		got := core.only(t)
		var body map[string]string
		if err := json.Unmarshal([]byte(got.Body), &body); err != nil || len(body) != 1 || body["assignmentId"] != strings.TrimSpace(id) {
			t.Errorf("message %q: core got body %s, want {\"assignmentId\": the id}", id, got.Body)
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
