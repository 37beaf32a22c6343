package awslambda

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"strings"

	"github.com/entra-tools/reprocess/shared/invocation"
)

// InvokeResult is the answer to a direct invocation (Step Functions,
// EventBridge, the SDK). Status is the HTTP status the core answered, so a
// state machine can branch on it; Error is set when it is 400 or more.
type InvokeResult struct {
	AssignmentID   string       `json:"assignmentId"`
	Status         int          `json:"status"`
	GraphRequestID string       `json:"graphRequestId"`
	Error          *ErrorDetail `json:"error,omitempty"`
}

// invokePayload is a direct invocation: {"assignmentId":"…"}, or an
// EventBridge event carrying that object as its detail.
type invokePayload struct {
	AssignmentID *string `json:"assignmentId"`
	Detail       *struct {
		AssignmentID *string `json:"assignmentId"`
	} `json:"detail"`
}

// serveInvoke handles a direct invocation.
func (h *Handler) serveInvoke(ctx context.Context, id string, payload []byte) []byte {
	var p invokePayload
	var assignmentID *string
	if err := json.Unmarshal(payload, &p); err == nil {
		assignmentID = p.AssignmentID
		if assignmentID == nil && p.Detail != nil {
			assignmentID = p.Detail.AssignmentID
		}
	}
	if assignmentID == nil {
		return unknownPayloadResult()
	}
	ctx = invocation.NewContext(ctx, invocation.Info{ID: id, Trigger: invocation.Invoke})
	out := h.serve(reprocessRequest(ctx, *assignmentID))
	res := InvokeResult{
		AssignmentID:   *assignmentID,
		Status:         out.status,
		GraphRequestID: out.header.Get("X-Graph-Request-Id"),
	}
	if out.status >= 400 {
		if res.Error = coreError(out.body); res.Error == nil {
			text := http.StatusText(out.status)
			res.Error = &ErrorDetail{Code: strings.ReplaceAll(text, " ", ""), Message: text}
		}
	}
	b, _ := json.Marshal(res)
	return b
}

// unknownPayloadResult answers a payload that is no event this function
// handles. The core is not called.
func unknownPayloadResult() []byte {
	b, _ := json.Marshal(InvokeResult{
		Status: http.StatusBadRequest,
		Error: &ErrorDetail{Code: codeBadRequest,
			Message: `The payload is not an event this function handles; send {"assignmentId":"…"}.`},
	})
	return b
}

// reprocessRequest is the core request for a platform-triggered reprocess:
// the body-driven route with a JSON body, as an HTTP caller would send it.
func reprocessRequest(ctx context.Context, assignmentID string) *http.Request {
	body, _ := json.Marshal(struct {
		AssignmentID string `json:"assignmentId"`
	}{assignmentID})
	r, _ := http.NewRequestWithContext(ctx, http.MethodPost, "/api/reprocess", bytes.NewReader(body))
	r.RequestURI = "/api/reprocess"
	r.Header.Set("Content-Type", "application/json")
	return r
}

// coreError reads the error object of a core error body, if it has one.
func coreError(body []byte) *ErrorDetail {
	if len(body) == 0 || body[0] != '{' {
		return nil
	}
	var e errorEnvelope
	if json.Unmarshal(body, &e) != nil || e.Error == nil {
		return nil
	}
	return e.Error
}
