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
// ReprocessMany sends many reprocess calls through JSON batching (20 per
// $batch, a few batches at once) and retries throttled items in later
// batches under the same deadline rule; UserObjectID and
// DeliveredAssignments find a user's delivered assignments to an access
// package with an escaped $filter.
//
// https://learn.microsoft.com/graph/api/accesspackageassignment-reprocess
// https://learn.microsoft.com/graph/api/accesspackageassignment-get
// https://learn.microsoft.com/graph/json-batching
// https://learn.microsoft.com/graph/api/entitlementmanagement-list-assignments
package graph
