package api

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

// Problem is a refusal of the caller's request decided here (not by Graph).
type Problem struct {
	Status     int
	Code       string
	Message    string
	RetryAfter time.Duration
	Header     http.Header // extra headers, e.g. Allow or WWW-Authenticate
	Err        error       // the cause, logged only
}

func (p *Problem) Error() string {
	if p.Err != nil {
		return p.Code + ": " + p.Message + ": " + p.Err.Error()
	}
	return p.Code + ": " + p.Message
}

func (p *Problem) Unwrap() error { return p.Err }

// outcome is what the caller is told.
type outcome struct {
	status     int
	code       string
	message    string
	retryAfter time.Duration
	header     http.Header
	graphBody  []byte // Graph's own error JSON, passed through as is
	requestID  string // Graph's request-id
}

// How long a caller should wait before trying again when a dependency of
// ours (Key Vault, Entra) is failing, or Graph gave no Retry-After.
const (
	dependencyRetryAfter = 10 * time.Second
	throttleRetryAfter   = 5 * time.Second
)

// outcomeOf is the one place an error becomes an HTTP status and body.
func outcomeOf(err error) outcome {
	var p *Problem
	var ge *graph.Error
	switch {
	case errors.As(err, &p):
		return outcome{status: p.Status, code: p.Code, message: p.Message, retryAfter: p.RetryAfter, header: p.Header}
	case errors.Is(err, assignment.ErrInvalidID):
		return outcome{status: http.StatusBadRequest, code: "InvalidAssignmentId", message: invalidIDMessage(err)}
	case errors.As(err, &ge):
		return graphOutcome(ge)
	// The caller's proof, before the context cases: a key fetch that timed
	// out is our dependency failing, not the request's deadline.
	case errors.Is(err, bearer.ErrMissingToken), errors.Is(err, bearer.ErrInvalidToken):
		return outcome{status: http.StatusUnauthorized, code: "InvalidAuthenticationToken", header: challenge(err),
			message: "A valid bearer token is required: an Entra access token for this API, from its tenant."}
	case errors.Is(err, bearer.ErrMissingRole):
		return outcome{status: http.StatusForbidden, code: "Forbidden", header: challenge(err),
			message: "The caller's token lacks the app role this API requires."}
	case errors.Is(err, bearer.ErrKeysUnavailable):
		return outcome{status: http.StatusServiceUnavailable, code: "SigningKeysUnavailable", retryAfter: dependencyRetryAfter,
			message: "The function could not fetch Entra's token signing keys. Try again later."}
	case isAny(err, webhook.ErrMissingHeader, webhook.ErrMalformedHeader, webhook.ErrBadSignature, webhook.ErrStaleTimestamp, webhook.ErrFutureTimestamp):
		return outcome{status: http.StatusUnauthorized, code: "InvalidWebhookSignature",
			message: "The webhook signature is missing or does not match, or its timestamp is more than five minutes from now."}
	case errors.Is(err, webhook.ErrBadSecret):
		return outcome{status: http.StatusInternalServerError, code: "WebhookSecretUnusable",
			message: "The webhook signing secret in Key Vault is unusable (standard takes whsec_ followed by base64)."}
	case errors.Is(err, context.DeadlineExceeded):
		return outcome{status: http.StatusGatewayTimeout, code: "GatewayTimeout",
			message: "The request did not complete before its deadline; it may still take effect in Graph."}
	case errors.Is(err, context.Canceled):
		return outcome{status: http.StatusServiceUnavailable, code: "RequestCanceled", message: "The request was canceled."}
	case errors.Is(err, secrets.ErrUnavailable):
		return outcome{status: http.StatusServiceUnavailable, code: "KeyVaultUnavailable", retryAfter: dependencyRetryAfter,
			message: "The function could not read its credentials from Key Vault. Try again later."}
	case errors.Is(err, credential.ErrUnavailable):
		return outcome{status: http.StatusServiceUnavailable, code: "TokenUnavailable", retryAfter: dependencyRetryAfter,
			message: "The function could not get a token for Microsoft Graph. Try again later."}
	}
	return outcome{status: http.StatusInternalServerError, code: "InternalServerError", message: "An internal error occurred."}
}

// graphOutcome maps Graph's answer: the caller's own faults pass through;
// ours (permission) and Graph's (throttling, outages) are said as such.
func graphOutcome(ge *graph.Error) outcome {
	o := outcome{status: ge.Status, code: ge.Code, message: ge.Message, requestID: ge.RequestID, retryAfter: ge.RetryAfter}
	switch {
	case ge.Status == http.StatusUnauthorized || ge.Status == http.StatusForbidden:
		return outcome{status: http.StatusBadGateway, code: "GraphAccessDenied", requestID: ge.RequestID,
			message: "Graph refused the function's own identity (" + strconv.Itoa(ge.Status) + " " + ge.Code +
				"): it needs the Access package assignment manager role on the catalog, or EntitlementManagement.ReadWrite.All."}
	case ge.Status == http.StatusTooManyRequests:
		o.code, o.message = "TooManyRequests", "Graph is throttling requests. Retry after the time in Retry-After."
		if o.retryAfter == 0 {
			o.retryAfter = throttleRetryAfter
		}
	case ge.Status == http.StatusServiceUnavailable || ge.Status == http.StatusGatewayTimeout:
		o.status, o.code, o.message = http.StatusServiceUnavailable, "GraphUnavailable", "Graph is unavailable. Try again later."
		if o.retryAfter == 0 {
			o.retryAfter = dependencyRetryAfter
		}
	case ge.Status >= 500:
		o.status, o.code, o.message = http.StatusBadGateway, "GraphError", "Graph failed to process the request."
	default: // 400, 404 and the rest of 4xx: Graph's own words
		o.graphBody = ge.Body
		if o.code == "" {
			o.code, o.message = http.StatusText(ge.Status), "Graph answered "+strconv.Itoa(ge.Status)+"."
		}
	}
	return o
}

// challenge is the WWW-Authenticate header for a bearer refusal.
func challenge(err error) http.Header {
	return http.Header{"Www-Authenticate": {bearer.Challenge(err)}}
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
	var detail string
	if err != nil {
		detail = err.Error()
	}
	return "The assignment id must be a GUID such as 0f8fad5b-d9cb-469f-a165-70867728950e (" + detail + ")."
}
