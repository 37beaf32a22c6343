package reprocess

import (
	"net/http"
	"strconv"

	"github.com/entra-tools/reprocess/shared/assignment"
)

// Item is one position of a request's list of ids.
type Item struct {
	Raw string        // as sent, for an invalid id's answer
	ID  assignment.ID // zero when invalid
	Err error         // why it is invalid
}

// ItemResult is one position of a batch answer: what a single call for
// that id would have answered, through the same mapping.
type ItemResult struct {
	AssignmentID   string `json:"assignmentId"`
	Status         int    `json:"status"`
	Code           string `json:"code,omitempty"`
	Message        string `json:"message,omitempty"`
	GraphRequestID string `json:"graphRequestId,omitempty"`
	RetryAfter     int    `json:"retryAfter,omitempty"` // seconds, where a single call sends Retry-After
}

// Transient reports whether trying this item again may help (Outcome.Transient).
func (r ItemResult) Transient() bool { return Transient(r.Status) }

// ResultOf is the item result for id with outcome o.
func ResultOf(id string, o Outcome) ItemResult {
	r := ItemResult{AssignmentID: id, Status: o.Status, GraphRequestID: o.GraphRequestID}
	if o.Status != http.StatusAccepted {
		r.Code, r.Message = o.Code, o.Message
	}
	if o.RetryAfter > 0 {
		r.RetryAfter = RetryAfterSeconds(o.RetryAfter)
	}
	return r
}

// Summary counts a batch's results.
type Summary struct {
	Total        int            `json:"total"`
	Accepted     int            `json:"accepted"`     // status 202
	Failed       int            `json:"failed"`       // sent (or refused before sending) and not accepted
	NotAttempted int            `json:"notAttempted"` // never sent: the deadline came first
	ByStatus     map[string]int `json:"byStatus"`
}

// Summarize counts results.
func Summarize(results []ItemResult) Summary {
	s := Summary{Total: len(results), ByStatus: map[string]int{}}
	for _, r := range results {
		s.ByStatus[strconv.Itoa(r.Status)]++
		switch {
		case r.Status == http.StatusAccepted:
			s.Accepted++
		case r.Code == "NotAttempted":
			s.NotAttempted++
		default:
			s.Failed++
		}
	}
	return s
}
