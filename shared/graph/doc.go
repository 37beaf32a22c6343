// Package graph calls Microsoft Graph's entitlement-management assignment
// endpoints through msgraph-sdk-go, importing only its identitygovernance and
// models sub-packages (the root package doubles a cold build).
//
// Every call installs its own response handler, so the real status (202, not
// just "no error"), Graph's request-id, Retry-After and the raw error body are
// kept exactly; a Graph answer of 400 and above is returned as *Error. The
// SDK's retry handler is configured so it retries 429, 503 and 504 honouring
// Retry-After, but never past the request's deadline: when the wait would
// outlive it, the throttled answer is returned to the caller with its
// Retry-After instead.
//
// https://learn.microsoft.com/graph/api/accesspackageassignment-reprocess
// https://learn.microsoft.com/graph/api/accesspackageassignment-get
package graph
