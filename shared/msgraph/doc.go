// Package msgraph calls Microsoft Graph's entitlement-management assignment
// endpoints through msgraph-sdk-go, importing only its identitygovernance
// sub-package (the root package doubles a cold build). It is the only
// package that imports the SDK; what it returns is package graph's.
//
// Every call installs its own response handler, so the real status (202,
// not just "no error"), Graph's request-id, Retry-After and the raw error
// body are kept exactly; a Graph answer of 400 and above is a *graph.Error.
// The SDK's retry handler retries 429, 503 and 504 honouring Retry-After,
// but never past the request's deadline (graph.FitsBefore).
//
// ReprocessBatch sends one $batch of up to 20 reprocess requests (the core
// schedules many); UserObjectID and DeliveredAssignments find a user's
// delivered assignments to an access package with an escaped $filter.
//
// https://learn.microsoft.com/graph/api/accesspackageassignment-reprocess
// https://learn.microsoft.com/graph/api/accesspackageassignment-get
// https://learn.microsoft.com/graph/json-batching
// https://learn.microsoft.com/graph/api/entitlementmanagement-list-assignments
package msgraph
