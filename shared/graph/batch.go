package graph

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"time"

	abs "github.com/microsoft/kiota-abstractions-go"
	khttp "github.com/microsoft/kiota-http-go"
	msgraphgocore "github.com/microsoftgraph/msgraph-sdk-go-core"

	"github.com/entra-tools/reprocess/shared/assignment"
)

// MaxBatch is Graph's limit of requests in one $batch.
const MaxBatch = 20

// itemAnswer is Graph's answer for one request of a $batch.
type itemAnswer struct {
	res Result
	err error // *Error for a status of 400 and above
}

// wireBatch is the $batch response body.
type wireBatch struct {
	Responses []struct {
		ID      string            `json:"id"`
		Status  int               `json:"status"`
		Headers map[string]string `json:"headers"`
		Body    json.RawMessage   `json:"body"`
	} `json:"responses"`
}

// reprocessBatch sends one $batch of up to MaxBatch reprocess requests and
// returns Graph's answer for each id, in the order of ids. The error is the
// envelope's: when it is not nil no item has an answer.
//
// The steps are built by the SDK (NewBatchRequest, AddBatchRequestStep with
// the reprocess builder's request information), so the item URLs are the
// SDK's own. The envelope is sent through the same adapter but with our
// response handler instead of BatchRequest.Send: Send maps an envelope error
// only through the SDK's process-wide error registry (empty by default, so
// the status, request-id and Retry-After would be lost) and parses items into
// a model that cannot hold the empty body of a 202.
func (c *Client) reprocessBatch(ctx context.Context, ids []assignment.ID) ([]itemAnswer, error) {
	if len(ids) == 0 || len(ids) > MaxBatch {
		return nil, fmt.Errorf("graph batch of %d requests: want 1 to %d", len(ids), MaxBatch)
	}
	b, adapter, err := c.builder()
	if err != nil {
		return nil, err
	}
	batch := msgraphgocore.NewBatchRequest(adapter)
	steps := make([]string, len(ids))
	for i, id := range ids {
		ri, err := b.ByAccessPackageAssignmentId(id.String()).Reprocess().ToPostRequestInformation(ctx, nil)
		if err != nil {
			return nil, fmt.Errorf("graph batch step %s: %w", id, err)
		}
		step, err := batch.AddBatchRequestStep(*ri)
		if err != nil {
			return nil, fmt.Errorf("graph batch step %s: %w", id, err)
		}
		steps[i] = *step.GetId()
	}

	ri := abs.NewRequestInformationWithMethodAndUrlTemplateAndPathParameters(abs.POST, "{+baseurl}/$batch",
		map[string]string{"baseurl": adapter.GetBaseUrl()})
	if err := ri.SetContentFromParsable(ctx, adapter, "application/json", batch); err != nil {
		return nil, fmt.Errorf("graph batch body: %w", err)
	}
	ri.Headers.TryAdd("Accept", "application/json")
	var envelope Result
	var body []byte
	handler := abs.NewRequestHandlerOption()
	handler.SetResponseHandler(func(resp any, _ abs.ErrorMappings) (any, error) {
		var err error
		envelope, body, err = readResponse(resp.(*http.Response))
		return nil, err
	})
	// No SDK retry for the envelope: its retry handler resends the same
	// body reader, which the transport may still be reading (and, after the
	// compression handler, no longer gzips: microsoft/kiota-http-go#183).
	// ReprocessMany retries a throttled envelope as a new request instead.
	noRetry := &khttp.RetryHandlerOptions{ShouldRetry: func(time.Duration, int, *http.Request, *http.Response) bool { return false }}
	ri.AddRequestOptions([]abs.RequestOption{handler, noRetry})
	if err := adapter.SendNoContent(ctx, ri, nil); err != nil {
		return nil, fmt.Errorf("graph batch of %d: %w", len(ids), err)
	}
	return parseBatch(body, steps, envelope.RequestID)
}

// parseBatch maps Graph's responses (in any order) back to the steps.
func parseBatch(body []byte, steps []string, envelopeRequestID string) ([]itemAnswer, error) {
	var w wireBatch
	if err := json.Unmarshal(body, &w); err != nil {
		return nil, fmt.Errorf("parse graph batch answer: %w", err)
	}
	byStep := make(map[string]int, len(steps))
	for i, s := range steps {
		byStep[s] = i
	}
	out := make([]itemAnswer, len(steps))
	seen := make([]bool, len(steps))
	for _, r := range w.Responses {
		i, ok := byStep[r.ID]
		if !ok || seen[i] {
			continue
		}
		seen[i] = true
		h := http.Header{}
		for k, v := range r.Headers {
			h.Set(k, v)
		}
		if h.Get("request-id") == "" {
			h.Set("request-id", innerRequestID(r.Body, envelopeRequestID))
		}
		if r.Status < 400 {
			out[i] = itemAnswer{res: Result{Status: r.Status, RequestID: h.Get("request-id")}}
			continue
		}
		out[i] = itemAnswer{err: newError(r.Status, h, r.Body)}
	}
	for i := range out {
		if !seen[i] {
			out[i] = itemAnswer{err: &Error{Status: http.StatusBadGateway, Code: "BatchItemMissing", RequestID: envelopeRequestID,
				Message: "Graph's $batch answer has no response for this request."}}
		}
	}
	return out, nil
}

// innerRequestID is error.innerError.request-id of an item's body: items
// carry no request-id header of their own.
func innerRequestID(body json.RawMessage, fallback string) string {
	var shape struct {
		Error struct {
			InnerError struct {
				RequestID string `json:"request-id"`
			} `json:"innerError"`
		} `json:"error"`
	}
	if json.Unmarshal(body, &shape) == nil && shape.Error.InnerError.RequestID != "" {
		return shape.Error.InnerError.RequestID
	}
	return fallback
}
