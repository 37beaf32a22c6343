package awslambda

import (
	"context"
	"encoding/json"
	"net/http"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/trace"

	"github.com/entra-tools/reprocess/shared/invocation"
	"github.com/entra-tools/reprocess/shared/reprocess"
	"github.com/entra-tools/reprocess/shared/telemetry"
)

// InvokeResult is the answer to a direct invocation (Step Functions,
// EventBridge, the SDK) that names one assignment. Status is the status an
// HTTP caller would have had, so a state machine can branch on it; Error is
// set when it is 400 or more.
type InvokeResult struct {
	AssignmentID   string       `json:"assignmentId"`
	Status         int          `json:"status"`
	GraphRequestID string       `json:"graphRequestId"`
	Error          *ErrorDetail `json:"error,omitempty"`
}

// ErrorDetail is the error object {"code","message"}.
type ErrorDetail struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

// BatchInvokeResult answers a direct invocation of several ids: one
// result per id, in order, as POST /api/reprocess answers a batch.
type BatchInvokeResult struct {
	Results []reprocess.ItemResult `json:"results"`
	Summary reprocess.Summary      `json:"summary"`
}

// serveInvoke handles a direct invocation: a body the core's parser reads
// ({"assignmentId"}, {"assignmentIds"}, a user lookup), or an EventBridge
// event carrying one as its detail.
func (h *Handler) serveInvoke(ctx context.Context, id string, payload []byte) []byte {
	var event struct {
		Detail json.RawMessage `json:"detail"`
	}
	if json.Unmarshal(payload, &event) == nil && len(event.Detail) > 0 && event.Detail[0] == '{' {
		payload = event.Detail
	}
	ctx = invocation.NewContext(ctx, invocation.Info{ID: id, Trigger: invocation.Invoke, XRay: xrayRoot(ctx)})
	ctx, span := telemetry.Server(ctx, h.tracer, trace.SpanKindServer, "Lambda invoke", "",
		attribute.String("faas.invocation_id", id), attribute.String("faas.trigger", "other"))
	defer span.End()
	req, err := reprocess.ParseBody(payload)
	var results []reprocess.ItemResult
	if err != nil {
		results = reprocess.Refused(err)
	} else {
		results = h.reprocessOrRecover(ctx, id, req)
	}
	if span.IsRecording() {
		sum := reprocess.Summarize(results)
		span.SetAttributes(telemetry.BatchItems.Int(sum.Total), telemetry.BatchAccepted.Int(sum.Accepted))
		if len(results) == 1 {
			if results[0].Code != "" {
				span.SetAttributes(telemetry.Outcome.String(results[0].Code))
			}
			telemetry.HTTPStatus(span, trace.SpanKindServer, results[0].Status)
		}
	}
	if err == nil && req.Single == nil {
		b, _ := json.Marshal(BatchInvokeResult{Results: results, Summary: reprocess.Summarize(results)})
		return b
	}
	r := results[0]
	if r.AssignmentID == "" { // refused before it was an id: echo what was sent
		var sent struct {
			AssignmentID string `json:"assignmentId"`
		}
		_ = json.Unmarshal(payload, &sent)
		r.AssignmentID = reprocess.Truncate(sent.AssignmentID, 80)
	}
	res := InvokeResult{AssignmentID: r.AssignmentID, Status: r.Status, GraphRequestID: r.GraphRequestID}
	if r.Status >= 400 {
		res.Error = &ErrorDetail{Code: r.Code, Message: r.Message}
	}
	b, _ := json.Marshal(res)
	return b
}

// unknownPayloadResult answers a payload that is no event this function
// handles. The core is not called.
func unknownPayloadResult() []byte {
	b, _ := json.Marshal(InvokeResult{
		Status: http.StatusBadRequest,
		Error: &ErrorDetail{Code: "BadRequest",
			Message: `The payload is not an event this function handles; send {"assignmentId":"…"}.`},
	})
	return b
}

// reprocessOrRecover runs req through the core; a panic there is logged
// and answered as a 500, never passed to the runtime.
func (h *Handler) reprocessOrRecover(ctx context.Context, id string, req reprocess.Request) (results []reprocess.ItemResult) {
	defer h.recoverCore(ctx, id, func() {
		results = reprocess.Refused(&reprocess.Problem{Status: http.StatusInternalServerError, Code: "InternalServerError", Message: "An internal error occurred."})
	})
	return h.messages.ReprocessMessages(ctx, []reprocess.Request{req})[0]
}
