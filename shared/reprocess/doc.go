// Package reprocess is the domain core: the operations every edge calls
// (reprocess one assignment; reprocess many, deduplicated, through JSON
// batching and inside the deadline; an assignment's state; a user's
// delivered assignments), the one parser of what callers send, and the one
// outcome type with the one mapping from errors to outcomes (status, code,
// message, Graph's request-id, Retry-After, transient or permanent).
//
// It knows neither HTTP transport nor any platform: package api maps an
// Outcome to an HTTP response; the Azure queue function, SQS records and
// direct invokes call the Service directly and use Outcome.Transient to
// retry or complete. Graph is reached through the small Graph interface
// (package msgraph implements it with msgraph-sdk-go).
//
// https://learn.microsoft.com/graph/api/accesspackageassignment-reprocess
// https://learn.microsoft.com/graph/json-batching
package reprocess
