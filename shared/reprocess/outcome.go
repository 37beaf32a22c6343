package reprocess

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/entra-tools/reprocess/shared/assignment"
	"github.com/entra-tools/reprocess/shared/bearer"
	"github.com/entra-tools/reprocess/shared/credential"
	"github.com/entra-tools/reprocess/shared/graph"
	"github.com/entra-tools/reprocess/shared/secrets"
	"github.com/entra-tools/reprocess/shared/webhook"
)

// Outcome is how an operation ended, for whichever edge asked: the status
// (SPEC's outcome table), Graph's error code and message or our own, Graph's
// request-id, how long to wait before trying again, and whether trying again
// can help.
type Outcome struct {
	Status         int
	Code           string
	Message        string
	GraphRequestID string
	RetryAfter     time.Duration
	GraphBody      []byte // Graph's own error JSON, passed through as is
	Err            error  // the cause, for the log only
}

// Transient reports whether the same request may succeed later: timeouts,
// throttling and failures on our side or Graph's. Queues retry these and
// complete (drop) the rest; it is the one rule every edge uses.
func (o Outcome) Transient() bool { return Transient(o.Status) }

// Transient is the rule of Outcome.Transient for a status alone.
func Transient(status int) bool {
	return status == http.StatusRequestTimeout || status == http.StatusTooManyRequests || status >= 500
}

// Accepted is the outcome of a reprocess Graph accepted.
func Accepted(res graph.Result) Outcome {
	return Outcome{Status: http.StatusAccepted, Code: "Accepted", GraphRequestID: res.RequestID}
}

// Problem is a refusal decided here rather than by Graph: a malformed
// body, an unknown route, a missing configuration.
type Problem struct {
	Status     int
	Code       string
	Message    string
	RetryAfter time.Duration
	Err        error // the cause, logged only
}

func (p *Problem) Error() string {
	if p.Err != nil {
		return p.Code + ": " + p.Message + ": " + p.Err.Error()
	}
	return p.Code + ": " + p.Message
}

func (p *Problem) Unwrap() error { return p.Err }

// BadRequest is a 400 Problem with the generic code.
func BadRequest(msg string, cause error) *Problem {
	return &Problem{Status: http.StatusBadRequest, Code: "BadRequest", Message: msg, Err: cause}
}

// How long a caller should wait before trying again when a dependency of
// ours (Key Vault, Entra) is failing, or Graph gave no Retry-After.
const (
	dependencyRetryAfter = 10 * time.Second
	throttleRetryAfter   = 5 * time.Second
)

// OutcomeOf is the one place an error becomes an outcome.
func OutcomeOf(err error) Outcome {
	o := outcomeOf(err)
	o.Err = err
	return o
}

func outcomeOf(err error) Outcome {
	var p *Problem
	var ge *graph.Error
	switch {
	case errors.As(err, &p):
		return Outcome{Status: p.Status, Code: p.Code, Message: p.Message, RetryAfter: p.RetryAfter}
	case errors.Is(err, assignment.ErrInvalidID):
		return Outcome{Status: http.StatusBadRequest, Code: "InvalidAssignmentId", Message: invalidIDMessage(err)}
	case errors.As(err, &ge):
		return graphOutcome(ge)
	case errors.Is(err, ErrNotAttempted):
		return Outcome{Status: http.StatusGatewayTimeout, Code: "NotAttempted",
			Message: "The deadline passed before this assignment was sent to Graph; it was not reprocessed. Send it again."}
	// The caller's proof, before the context cases: a key fetch that timed
	// out is our dependency failing, not the request's deadline.
	case errors.Is(err, bearer.ErrMissingToken), errors.Is(err, bearer.ErrInvalidToken):
		return Outcome{Status: http.StatusUnauthorized, Code: "InvalidAuthenticationToken",
			Message: "A valid bearer token is required: an Entra access token for this API, from its tenant."}
	case errors.Is(err, bearer.ErrMissingRole):
		return Outcome{Status: http.StatusForbidden, Code: "Forbidden",
			Message: "The caller's token lacks the app role this API requires."}
	case errors.Is(err, bearer.ErrKeysUnavailable):
		return Outcome{Status: http.StatusServiceUnavailable, Code: "SigningKeysUnavailable", RetryAfter: dependencyRetryAfter,
			Message: "The function could not fetch Entra's token signing keys. Try again later."}
	case isAny(err, webhook.ErrMissingHeader, webhook.ErrMalformedHeader, webhook.ErrBadSignature, webhook.ErrStaleTimestamp, webhook.ErrFutureTimestamp):
		return Outcome{Status: http.StatusUnauthorized, Code: "InvalidWebhookSignature",
			Message: "The webhook signature is missing or does not match, or its timestamp is more than five minutes from now."}
	case errors.Is(err, webhook.ErrBadSecret):
		return Outcome{Status: http.StatusInternalServerError, Code: "WebhookSecretUnusable",
			Message: "The webhook signing secret in Key Vault is unusable (standard takes whsec_ followed by base64)."}
	case errors.Is(err, context.DeadlineExceeded):
		return Outcome{Status: http.StatusGatewayTimeout, Code: "GatewayTimeout",
			Message: "The request did not complete before its deadline; it may still take effect in Graph."}
	case errors.Is(err, context.Canceled):
		return Outcome{Status: http.StatusServiceUnavailable, Code: "RequestCanceled", Message: "The request was canceled."}
	case errors.Is(err, secrets.ErrUnavailable):
		return Outcome{Status: http.StatusServiceUnavailable, Code: "KeyVaultUnavailable", RetryAfter: dependencyRetryAfter,
			Message: "The function could not read its credentials from Key Vault. Try again later."}
	case errors.Is(err, credential.ErrUnavailable):
		return Outcome{Status: http.StatusServiceUnavailable, Code: "TokenUnavailable", RetryAfter: dependencyRetryAfter,
			Message: "The function could not get a token for Microsoft Graph. Try again later."}
	}
	return Outcome{Status: http.StatusInternalServerError, Code: "InternalServerError", Message: "An internal error occurred."}
}

// graphOutcome maps Graph's answer: the caller's own faults pass through;
// ours (permission) and Graph's (throttling, outages) are said as such.
func graphOutcome(ge *graph.Error) Outcome {
	o := Outcome{Status: ge.Status, Code: ge.Code, Message: ge.Message, GraphRequestID: ge.RequestID, RetryAfter: ge.RetryAfter}
	switch {
	case ge.Status == http.StatusUnauthorized || ge.Status == http.StatusForbidden:
		return Outcome{Status: http.StatusBadGateway, Code: "GraphAccessDenied", GraphRequestID: ge.RequestID,
			Message: "Graph refused the function's own identity (" + strconv.Itoa(ge.Status) + " " + ge.Code +
				"): it needs the Access package assignment manager role on the catalog, or EntitlementManagement.ReadWrite.All."}
	case ge.Status == http.StatusTooManyRequests:
		o.Code, o.Message = "TooManyRequests", "Graph is throttling requests. Retry after the time in Retry-After."
		if o.RetryAfter == 0 {
			o.RetryAfter = throttleRetryAfter
		}
	case ge.Status == http.StatusServiceUnavailable || ge.Status == http.StatusGatewayTimeout:
		o.Status, o.Code, o.Message = http.StatusServiceUnavailable, "GraphUnavailable", "Graph is unavailable. Try again later."
		if o.RetryAfter == 0 {
			o.RetryAfter = dependencyRetryAfter
		}
	case ge.Status >= 500:
		o.Status, o.Code, o.Message = http.StatusBadGateway, "GraphError", "Graph failed to process the request."
	default: // 400, 404 and the rest of 4xx: Graph's own words
		o.GraphBody = ge.Body
		if o.Code == "" {
			o.Code, o.Message = http.StatusText(ge.Status), "Graph answered "+strconv.Itoa(ge.Status)+"."
		}
	}
	return o
}

func isAny(err error, targets ...error) bool {
	for _, t := range targets {
		if errors.Is(err, t) {
			return true
		}
	}
	return false
}

func invalidIDMessage(err error) string {
	return "The assignment id must be a GUID such as 0f8fad5b-d9cb-469f-a165-70867728950e (" + err.Error() + ")."
}

// RetryAfterSeconds is d as whole seconds for a Retry-After header, at
// least 1.
func RetryAfterSeconds(d time.Duration) int {
	s := int((d + time.Second - 1) / time.Second)
	return max(s, 1)
}
