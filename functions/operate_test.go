package main

import (
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"testing"
	"time"

	"github.com/entra-tools/reprocess/internal/testkit"
	"github.com/entra-tools/reprocess/shared/sandbox"
)

// One 429 with Retry-After: 5 holds the process's Graph calls: a request
// arriving meanwhile gets 429 with the time that remains and makes no Graph
// call; after the window calls go through again.
func TestThrottleGate(t *testing.T) {
	t.Parallel() // it waits out Retry-After
	s := newStack(t, sandbox.Options{}, nil)
	first, second := s.tenant.AddAssignment(sandbox.Assignment{}), s.tenant.AddAssignment(sandbox.Assignment{})
	s.tenant.Graph.Fail(first, http.StatusTooManyRequests, 1, 5*time.Second)

	done := make(chan int)
	go func() { done <- s.do(t, http.MethodPost, "/api/assignments/"+first+"/reprocess", "").StatusCode }()
	for deadline := time.Now().Add(10 * time.Second); s.graphCalls(first) == 0; time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("Graph never saw the first request")
		}
	}
	time.Sleep(50 * time.Millisecond) // the 429 is on its way back

	held := s.do(t, http.MethodPost, "/api/assignments/"+second+"/reprocess", "")
	retryAfter, _ := strconv.Atoi(held.Header.Get("Retry-After"))
	if held.StatusCode != http.StatusTooManyRequests || retryAfter < 1 || retryAfter > 5 {
		t.Errorf("while held: %d with Retry-After %q, want 429 with at most 5 s", held.StatusCode, held.Header.Get("Retry-After"))
	}
	if n := s.graphCalls(second); n != 0 {
		t.Errorf("Graph saw %d calls for the held request, want 0", n)
	}
	if got := <-done; got != http.StatusAccepted {
		t.Errorf("the throttled request = %d, want 202 after the SDK's retry", got)
	}
	if got := s.do(t, http.MethodPost, "/api/assignments/"+second+"/reprocess", "").StatusCode; got != http.StatusAccepted {
		t.Errorf("after the window: %d, want 202", got)
	}
}

var guidShape = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)

// A request's log line carries the inbound trace id, the Logic Apps run
// and tracking ids, and each Graph call's client-request-id with the
// request-id Graph answered.
func TestCorrelationReachesTheLogLine(t *testing.T) {
	s := newStack(t, sandbox.Options{}, nil)
	id := s.tenant.AddAssignment(sandbox.Assignment{})
	req := httptest.NewRequest(http.MethodPost, "/api/assignments/"+id+"/reprocess", nil)
	req.Header.Set("Traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")
	req.Header.Set("X-Ms-Workflow-Run-Id", "08584737551867954143243946780CU57")
	req.Header.Set("X-Ms-Client-Tracking-Id", "INC0012345")
	resp := s.send(t, req)
	if resp.StatusCode != http.StatusAccepted {
		t.Fatalf("status %d", resp.StatusCode)
	}
	lines := testkit.JSONLines(t, s.logs.String())
	line := lines[len(lines)-1]
	for k, want := range map[string]any{"traceId": "4bf92f3577b34da6a3ce929d0e0e4736", "workflowRunId": "08584737551867954143243946780CU57",
		"clientTrackingId": "INC0012345", "graphCallCount": float64(1)} {
		if line[k] != want {
			t.Errorf("log %s = %v, want %v", k, line[k], want)
		}
	}
	calls, _ := line["graphCalls"].([]any)
	if len(calls) != 1 {
		t.Fatalf("graphCalls = %v, want one", line["graphCalls"])
	}
	call, _ := calls[0].(map[string]any)
	if crid, _ := call["clientRequestId"].(string); !guidShape.MatchString(crid) {
		t.Errorf("clientRequestId = %v, want the GUID sent to Graph", call["clientRequestId"])
	}
	if call["requestId"] != resp.Header.Get("X-Graph-Request-Id") || call["status"] != float64(202) {
		t.Errorf("graph call %v, want request-id %s and status 202", call, resp.Header.Get("X-Graph-Request-Id"))
	}
}
