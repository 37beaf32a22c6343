package graph

import (
	"encoding/json"
	"fmt"
	"net/http"
)

// MaxBatch is Graph's limit of requests in one $batch.
const MaxBatch = 20

// Answer is Graph's answer to one request of a $batch.
type Answer struct {
	Result Result          // when Err is nil
	Body   json.RawMessage // the item's body when Err is nil (none for a 202)
	Err    error           // *Error for a status of 400 and above
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

// ParseBatch maps Graph's $batch responses (in any order) back to the
// steps, by their ids. A step Graph did not answer gets a 502.
func ParseBatch(body []byte, steps []string, envelopeRequestID string) ([]Answer, error) {
	var w wireBatch
	if err := json.Unmarshal(body, &w); err != nil {
		return nil, fmt.Errorf("parse graph batch answer: %w", err)
	}
	byStep := make(map[string]int, len(steps))
	for i, s := range steps {
		byStep[s] = i
	}
	out := make([]Answer, len(steps))
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
		if h.Get("Request-Id") == "" {
			h.Set("request-id", innerRequestID(r.Body, envelopeRequestID))
		}
		if r.Status < 400 {
			out[i] = Answer{Result: Result{Status: r.Status, RequestID: h.Get("Request-Id")}, Body: r.Body}
			continue
		}
		out[i] = Answer{Err: NewError(r.Status, h, r.Body)}
	}
	for i := range out {
		if !seen[i] {
			out[i] = Answer{Err: &Error{Status: http.StatusBadGateway, Code: "BatchItemMissing", RequestID: envelopeRequestID,
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
