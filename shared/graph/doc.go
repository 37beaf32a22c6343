// Package graph is what the product knows of Microsoft Graph's answers,
// without the SDK: the result and error of a call (status, request-id,
// Retry-After, Graph's own error body), an assignment as Graph describes
// it, the items of a $batch answer, the $filter of a user's delivered
// assignments, and the retry rule every call follows (429, 503 and 504,
// honouring Retry-After, never past the deadline).
//
// The calls themselves go through msgraph-sdk-go in package msgraph; this
// package imports no SDK, so the domain core and its tests (under -race)
// compile in seconds.
//
// https://learn.microsoft.com/graph/api/accesspackageassignment-reprocess
// https://learn.microsoft.com/graph/json-batching
// https://learn.microsoft.com/graph/throttling
package graph
