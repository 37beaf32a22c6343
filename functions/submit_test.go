package main

import (
	"encoding/json"
	"io"
	"net/http"
	"os"
	"strings"
	"testing"

	"github.com/entra-tools/reprocess/shared/sandbox"
)

// batchAnswer is the 200 body of a batch or user lookup.
type batchAnswer struct {
	Results []struct {
		AssignmentID   string `json:"assignmentId"`
		Status         int    `json:"status"`
		Code           string `json:"code"`
		Message        string `json:"message"`
		GraphRequestID string `json:"graphRequestId"`
		RetryAfter     int    `json:"retryAfter"`
	} `json:"results"`
	Summary struct {
		Total, Accepted, Failed, NotAttempted int
		ByStatus                              map[string]int
	} `json:"summary"`
}

func readBatch(tb testing.TB, resp *http.Response) batchAnswer {
	tb.Helper()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		tb.Fatalf("status = %d, want 200 (%s)", resp.StatusCode, body)
	}
	var a batchAnswer
	if err := json.Unmarshal(body, &a); err != nil {
		tb.Fatalf("batch answer %q: %v", body, err)
	}
	return a
}

// customExtension reads a custom-extension payload from testdata with the
// assignment id filled in. The two files follow the field list of the
// Logic App trigger schema entitlement management generates (PascalCase) and
// of Graph's accessPackageAssignmentRequestCallbackData (camelCase).
func customExtension(tb testing.TB, name, id string) string {
	tb.Helper()
	b, err := os.ReadFile("testdata/" + name)
	if err != nil {
		tb.Fatal(err)
	}
	return strings.ReplaceAll(string(b), "{{ASSIGNMENT_ID}}", id)
}

func TestSubmitShapes(t *testing.T) {
	s := newStack(t, sandbox.Options{DeliveringFor: sandbox.StayDelivered}, nil)
	seeds := s.tenant.Seeds
	id := seeds.Delivered[0]
	tests := []struct {
		name       string
		body       string
		wantStatus int
		wantCode   string // error code; "" for a success or when not checked
		wantCalls  int    // Graph reprocess requests for id (direct or batched)
	}{
		{"single id", `{"assignmentId":"` + id + `"}`, http.StatusAccepted, "", 1},
		{"custom extension as a Logic App receives it", customExtension(t, "custom-extension-logicapp.json", id), http.StatusAccepted, "", 1},
		{"custom extension in Graph's casing", customExtension(t, "custom-extension-graph.json", id), http.StatusAccepted, "", 1},
		{"custom extension, minimal", `{"Assignment":{"Id":"` + strings.ToUpper(id) + `"},"Anything":{"else":1}}`, http.StatusAccepted, "", 1},
		{"custom extension with an invalid id", customExtension(t, "custom-extension-logicapp.json", "not-a-guid"), http.StatusBadRequest, "InvalidAssignmentId", 0},
		{"custom extension without Assignment.Id", `{"Assignment":{"State":"Delivered"}}`, http.StatusBadRequest, "BadRequest", 0},
		{"custom extension with a camelCase id under Assignment", `{"Assignment":{"id":"` + id + `"}}`, http.StatusBadRequest, "BadRequest", 0},
		{"custom extension with both casings", `{"Assignment":{"Id":"` + id + `"},"assignment":{"id":"` + id + `"}}`, http.StatusBadRequest, "BadRequest", 0},
		{"custom extension assignment not an object", `{"assignment":"` + id + `"}`, http.StatusBadRequest, "BadRequest", 0},
		{"batch of one", `{"assignmentIds":["` + id + `"]}`, http.StatusOK, "", 1},
		{"empty batch", `{"assignmentIds":[]}`, http.StatusBadRequest, "BadRequest", 0},
		{"batch not an array", `{"assignmentIds":"` + id + `"}`, http.StatusBadRequest, "BadRequest", 0},
		{"batch null", `{"assignmentIds":null}`, http.StatusBadRequest, "BadRequest", 0},
		{"batch over 1000", `{"assignmentIds":[` + strings.Repeat(`"`+id+`",`, 1000) + `"` + id + `"]}`, http.StatusBadRequest, "TooManyAssignmentIds", 0},
		{"batch with an unknown key", `{"assignmentIds":["` + id + `"],"priority":"high"}`, http.StatusBadRequest, "BadRequest", 0},
		{"two shapes at once", `{"assignmentIds":["` + id + `"],"assignmentId":"` + id + `"}`, http.StatusBadRequest, "BadRequest", 0},
		{"our shape with Entra's key", `{"assignmentId":"` + id + `","Assignment":{"Id":"` + id + `"}}`, http.StatusBadRequest, "BadRequest", 0},
		{"our key in another casing", `{"AssignmentId":"` + id + `"}`, http.StatusBadRequest, "BadRequest", 0},
		{"no known key", `{"id":"` + id + `"}`, http.StatusBadRequest, "BadRequest", 0},
		{"an array", `["` + id + `"]`, http.StatusBadRequest, "BadRequest", 0},
		{"null", `null`, http.StatusBadRequest, "BadRequest", 0},
		{"truncated JSON", `{"assignmentIds":["` + id, http.StatusBadRequest, "BadRequest", 0},
		{"id null", `{"assignmentId":null}`, http.StatusBadRequest, "BadRequest", 0},
		{"callbackUrl on plain http", `{"assignmentId":"` + id + `","callbackUrl":"http://prod-01.westeurope.logic.azure.com/workflows/x?sig=abc"}`, http.StatusBadRequest, "InvalidCallbackUrl", 0},
		{"callbackUrl elsewhere", `{"assignmentId":"` + id + `","callbackUrl":"https://logic.azure.com.example.net/x"}`, http.StatusBadRequest, "InvalidCallbackUrl", 0},
		{"callbackUrl not a string", `{"assignmentIds":["` + id + `"],"callbackUrl":1}`, http.StatusBadRequest, "BadRequest", 0},
		{"oversized batch body", `{"assignmentIds":["` + strings.Repeat("a", 65<<10) + `"]}`, http.StatusRequestEntityTooLarge, "RequestBodyTooLarge", 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			before := s.reprocessCalls(id)
			resp := s.do(t, http.MethodPost, "/api/reprocess", tc.body)
			if resp.StatusCode != tc.wantStatus {
				body, _ := io.ReadAll(resp.Body)
				t.Fatalf("status = %d, want %d (%s)", resp.StatusCode, tc.wantStatus, body)
			}
			if tc.wantStatus >= 400 {
				if e := readError(t, resp); tc.wantCode != "" && e.Error.Code != tc.wantCode {
					t.Errorf("error code = %q, want %q (%s)", e.Error.Code, tc.wantCode, e.Error.Message)
				}
			}
			if got := s.reprocessCalls(id) - before; got != tc.wantCalls {
				t.Errorf("Graph reprocess calls = %d, want %d", got, tc.wantCalls)
			}
		})
	}
}

func TestSubmitBatchAnswersEachPosition(t *testing.T) {
	s := newStack(t, sandbox.Options{DeliveringFor: sandbox.StayDelivered}, nil)
	seeds := s.tenant.Seeds
	body := `{"assignmentIds":["` + seeds.Delivered[0] + `","not-a-guid",42,null,"` + seeds.Unknown + `","` +
		strings.ToUpper(seeds.Delivered[0]) + `","` + seeds.Expired + `","` + seeds.Delivered[1] + `"]}`
	a := readBatch(t, s.do(t, http.MethodPost, "/api/reprocess", body))
	want := []struct {
		id     string
		status int
		code   string
	}{
		{seeds.Delivered[0], 202, ""},
		{"not-a-guid", 400, "InvalidAssignmentId"},
		{"42", 400, "InvalidAssignmentId"},
		{"null", 400, "InvalidAssignmentId"},
		{seeds.Unknown, 404, "ResourceNotFound"},
		{seeds.Delivered[0], 202, ""}, // the duplicate, canonicalised, reported again
		{seeds.Expired, 400, "InvalidAssignmentState"},
		{seeds.Delivered[1], 202, ""},
	}
	if len(a.Results) != len(want) {
		t.Fatalf("results = %d, want %d", len(a.Results), len(want))
	}
	for i, w := range want {
		got := a.Results[i]
		if got.AssignmentID != w.id || got.Status != w.status || got.Code != w.code {
			t.Errorf("results[%d] = %+v, want id %s status %d code %q", i, got, w.id, w.status, w.code)
		}
		if got.Status == 202 && got.GraphRequestID == "" {
			t.Errorf("results[%d] has no graphRequestId", i)
		}
		if got.Status >= 400 && got.Message == "" {
			t.Errorf("results[%d] has no message", i)
		}
	}
	if n := s.tenant.Graph.Reprocessed(seeds.Delivered[0]); n != 1 {
		t.Errorf("duplicate id reprocessed %d times, want 1", n)
	}
	sum := a.Summary
	if sum.Total != 8 || sum.Accepted != 3 || sum.Failed != 5 || sum.NotAttempted != 0 || sum.ByStatus["400"] != 4 || sum.ByStatus["404"] != 1 {
		t.Errorf("summary = %+v", sum)
	}
	if n := s.batchEnvelopes(); n != 1 {
		t.Errorf("$batch requests = %d, want 1", n)
	}
}

func TestSubmitBatchOfInvalidIDsCallsNothing(t *testing.T) {
	s := newStack(t, sandbox.Options{}, nil)
	a := readBatch(t, s.do(t, http.MethodPost, "/api/reprocess", `{"assignmentIds":["x","../y","{0f8fad5b-d9cb-469f-a165-70867728950e}"]}`))
	if a.Summary.Failed != 3 || a.Summary.ByStatus["400"] != 3 {
		t.Errorf("summary = %+v, want 3 refused", a.Summary)
	}
	if n := s.outbound(); n != 0 {
		t.Errorf("invalid ids made %d outbound requests, want 0", n)
	}
}

// reprocessCalls counts Graph reprocess requests for id, direct or in a batch.
func (s *stack) reprocessCalls(id string) int {
	id = strings.ToLower(id)
	return s.tenant.CountFunc(func(r sandbox.Request) bool {
		return r.Service == sandbox.Graph && strings.HasSuffix(r.Path, "/assignments/"+id+"/reprocess")
	})
}

// batchEnvelopes counts $batch requests.
func (s *stack) batchEnvelopes() int {
	return s.tenant.CountFunc(func(r sandbox.Request) bool {
		return r.Service == sandbox.Graph && !r.InBatch && r.Path == "/v1.0/$batch"
	})
}
